import { Service, type ServicePort } from "@capstan/api";
import { describe, expect, it } from "vitest";
import { containerEnvironment, expandVariables, linkedServices, serviceEnvironment } from "./container-env.js";
import { aContainer } from "./testing.js";

describe("expandVariables", () => {
  const vars: Record<string, string> = { A: "alpha", EMPTY: "" };
  it.each([
    { name: "plain text", input: "no vars", want: "no vars" },
    { name: "a defined variable", input: "x-$(A)-y", want: "x-alpha-y" },
    { name: "an empty variable", input: "[$(EMPTY)]", want: "[]" },
    { name: "an undefined variable stays", input: "$(NOPE)", want: "$(NOPE)" },
    { name: "escaped reference", input: "$$(A)", want: "$(A)" },
    { name: "$$ is one $", input: "echo $$", want: "echo $" },
    { name: "shell variables pass", input: "echo $HOME ${A}", want: "echo $HOME ${A}" },
    { name: "unterminated reference", input: "$(A", want: "$(A" },
    { name: "trailing $", input: "cost$", want: "cost$" },
  ])("$name", ({ input, want }) => {
    expect(expandVariables(input, (n) => vars[n])).toBe(want);
  });
});

describe("containerEnvironment", () => {
  it("adds the pod's identity and expands each value against the ones before it", () => {
    const env = containerEnvironment(
      aContainer("c", "busybox", {
        env: [
          { name: "URL", value: "http://$(POD_IP):8080" },
          { name: "SELF", value: "$(URL)/x" },
          { name: "PATH", value: "/opt/bin:$(PATH)" },
        ],
      }),
      { name: "web", namespace: "prod", podIP: "127.1.0.9", hostname: "web" },
    );
    expect(env).toMatchObject({
      POD_IP: "127.1.0.9",
      POD_NAME: "web",
      POD_NAMESPACE: "prod",
      HOSTNAME: "web",
      URL: "http://127.1.0.9:8080",
      SELF: "http://127.1.0.9:8080/x",
    });
    expect(env["PATH"]).toMatch(/^\/opt\/bin:\/usr\/local\/sbin:/);
  });
});

function aService(namespace: string, name: string, clusterIP: string, ports: Array<Partial<ServicePort>>): Service {
  return Service.fromPartial({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace },
    spec: { clusterIp: clusterIP, ports: ports.map((p) => ({ protocol: "TCP", port: 80, ...p })) },
  });
}

describe("serviceEnvironment", () => {
  it.each([
    {
      name: "one unnamed TCP port",
      services: [aService("default", "my-service", "10.96.0.11", [{ port: 80 }])],
      want: {
        MY_SERVICE_SERVICE_HOST: "10.96.0.11",
        MY_SERVICE_SERVICE_PORT: "80",
        MY_SERVICE_PORT: "tcp://10.96.0.11:80",
        MY_SERVICE_PORT_80_TCP: "tcp://10.96.0.11:80",
        MY_SERVICE_PORT_80_TCP_PROTO: "tcp",
        MY_SERVICE_PORT_80_TCP_PORT: "80",
        MY_SERVICE_PORT_80_TCP_ADDR: "10.96.0.11",
      },
    },
    {
      name: "named ports, the first one is the service port, UDP in lower case in URLs",
      services: [aService("default", "dns", "10.96.0.10", [{ name: "dns-tcp", port: 53 }, { name: "dns", port: 53, protocol: "UDP" }])],
      want: {
        DNS_SERVICE_HOST: "10.96.0.10",
        DNS_SERVICE_PORT: "53",
        DNS_SERVICE_PORT_DNS_TCP: "53",
        DNS_SERVICE_PORT_DNS: "53",
        DNS_PORT: "tcp://10.96.0.10:53",
        DNS_PORT_53_TCP: "tcp://10.96.0.10:53",
        DNS_PORT_53_TCP_PROTO: "tcp",
        DNS_PORT_53_TCP_PORT: "53",
        DNS_PORT_53_TCP_ADDR: "10.96.0.10",
        DNS_PORT_53_UDP: "udp://10.96.0.10:53",
        DNS_PORT_53_UDP_PROTO: "udp",
        DNS_PORT_53_UDP_PORT: "53",
        DNS_PORT_53_UDP_ADDR: "10.96.0.10",
      },
    },
    { name: "a headless service has none", services: [aService("default", "db", "None", [{ port: 5432 }])], want: {} },
    { name: "a service without an IP has none", services: [aService("default", "ext", "", [{ port: 443 }])], want: {} },
  ])("$name", ({ services, want }) => {
    expect(serviceEnvironment(services)).toEqual(want);
  });
});

describe("linkedServices", () => {
  const services = [
    aService("prod", "web", "10.96.0.20", [{ port: 80 }]),
    aService("prod", "headless", "None", [{ port: 80 }]),
    aService("staging", "web", "10.96.0.21", [{ port: 80 }]),
    aService("default", "kubernetes", "10.96.0.1", [{ port: 443 }]),
    aService("default", "other", "10.96.0.22", [{ port: 80 }]),
  ];
  const names = (list: Service[]) => list.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`).sort();

  it.each([
    { name: "the pod's namespace and the master service", namespace: "prod", enable: true, want: ["default/kubernetes", "prod/web"] },
    { name: "only the master service without service links", namespace: "prod", enable: false, want: ["default/kubernetes"] },
    { name: "all of default in default", namespace: "default", enable: true, want: ["default/kubernetes", "default/other"] },
  ])("$name", ({ namespace, enable, want }) => {
    expect(names(linkedServices(services, namespace, enable))).toEqual(want);
  });
});

describe("containerEnvironment with services", () => {
  it("lets the user's env win and refer to service variables", () => {
    const env = containerEnvironment(
      aContainer("c", "busybox", {
        env: [
          { name: "WEB_SERVICE_PORT", value: "8080" },
          { name: "BACKEND", value: "http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)" },
        ],
      }),
      { name: "p", namespace: "prod", podIP: "127.1.0.9", hostname: "p" },
      serviceEnvironment([aService("prod", "web", "10.96.0.20", [{ port: 80 }])]),
    );
    expect(env).toMatchObject({ WEB_SERVICE_HOST: "10.96.0.20", WEB_SERVICE_PORT: "8080", WEB_PORT: "tcp://10.96.0.20:80", BACKEND: "http://10.96.0.20:8080" });
  });
});
