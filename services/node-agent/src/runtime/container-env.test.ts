import { ConfigMap, Pod, Secret, Service, type Container, type ServicePort } from "@capstan/api";
import { describe, expect, it } from "vitest";
import { isConfigError, type ConfigObjects } from "./config-objects.js";
import { containerEnvironment, expandVariables, linkedServices, serviceEnvironment, type EnvContext, type PodIdentity } from "./container-env.js";
import { aContainer } from "./testing.js";

const node = { hostIP: "10.0.0.5", allocatable: { cpu: "4", memory: "8Gi" } };

/** ConfigMap `settings` and Secret `creds` in `prod`. */
const objects: ConfigObjects = {
  configMap: (ns, name) =>
    ns === "prod" && name === "settings"
      ? ConfigMap.fromPartial({ metadata: { name, namespace: ns }, data: { level: "debug", "log.format": "json", "a=b": "x" } })
      : undefined,
  secret: (ns, name) => (ns === "prod" && name === "creds" ? Secret.fromPartial({ metadata: { name, namespace: ns }, data: { password: Buffer.from("s3cret") } }) : undefined),
};

const prodPod = (container: Container) =>
  Pod.fromPartial({
    metadata: { name: "web", namespace: "prod", uid: "u-1", labels: { app: "web" } },
    spec: { nodeName: "node-1", serviceAccountName: "robot", containers: [container] },
  });

function resolve(container: Container, identity: PodIdentity = { name: "web", namespace: "prod", podIP: "127.1.0.9", hostname: "web" }, extra: Partial<EnvContext> = {}) {
  return containerEnvironment(container, { pod: prodPod(container), identity, node, objects, ...extra });
}

function environmentOf(container: Container, identity?: PodIdentity, extra: Partial<EnvContext> = {}): Record<string, string> {
  const resolved = resolve(container, identity, extra);
  if (isConfigError(resolved)) throw new Error(resolved.configError);
  return resolved.env;
}

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
    const env = environmentOf(
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
    const env = environmentOf(
      aContainer("c", "busybox", {
        env: [
          { name: "WEB_SERVICE_PORT", value: "8080" },
          { name: "BACKEND", value: "http://$(WEB_SERVICE_HOST):$(WEB_SERVICE_PORT)" },
        ],
      }),
      { name: "p", namespace: "prod", podIP: "127.1.0.9", hostname: "p" },
      { services: serviceEnvironment([aService("prod", "web", "10.96.0.20", [{ port: 80 }])]) },
    );
    expect(env).toMatchObject({ WEB_SERVICE_HOST: "10.96.0.20", WEB_SERVICE_PORT: "8080", WEB_PORT: "tcp://10.96.0.20:80", BACKEND: "http://10.96.0.20:8080" });
  });
});

describe("containerEnvironment from ConfigMaps, Secrets and the downward API", () => {
  it("takes keys by valueFrom, decodes a Secret's, and exposes the pod's fields and resources", () => {
    const container = aContainer("app", "busybox", {
      resources: { limits: { cpu: "250m" }, requests: { cpu: "250m", memory: "64Mi" } },
      env: [
        { name: "LEVEL", value: "", valueFrom: { configMapKeyRef: { name: "settings", key: "level" } } },
        { name: "PASSWORD", value: "", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
        { name: "ME", value: "", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
        { name: "APP", value: "", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels['app']" } } },
        { name: "IP", value: "", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "status.podIP" } } },
        { name: "HOST_IP", value: "", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "status.hostIP" } } },
        { name: "NODE", value: "", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.nodeName" } } },
        { name: "SA", value: "", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "spec.serviceAccountName" } } },
        // cpu rounds up to whole cores; an unset limit is the node's allocatable.
        { name: "CPU", value: "", valueFrom: { resourceFieldRef: { containerName: "", resource: "limits.cpu" } } },
        { name: "CPU_M", value: "", valueFrom: { resourceFieldRef: { containerName: "", resource: "requests.cpu", divisor: "1m" } } },
        { name: "MEM_MI", value: "", valueFrom: { resourceFieldRef: { containerName: "app", resource: "requests.memory", divisor: "1Mi" } } },
        { name: "MEM_LIMIT", value: "", valueFrom: { resourceFieldRef: { containerName: "app", resource: "limits.memory", divisor: "1Gi" } } },
        { name: "ECHO", value: "$(LEVEL)-$(ME)" },
      ],
    });
    expect(environmentOf(container)).toMatchObject({
      LEVEL: "debug",
      PASSWORD: "s3cret",
      ME: "web",
      APP: "web",
      IP: "127.1.0.9",
      HOST_IP: "10.0.0.5",
      NODE: "node-1",
      SA: "robot",
      CPU: "1",
      CPU_M: "250",
      MEM_MI: "64",
      MEM_LIMIT: "8",
      ECHO: "debug-web",
    });
  });

  // The gateway keeps such keys out of ConfigMaps; the kubelet guards against them all the same.
  it("adds every key of an envFrom source under its prefix and skips those that are no variable names", () => {
    const container = aContainer("app", "busybox", {
      envFrom: [{ prefix: "CFG_", configMapRef: { name: "settings" } }, { prefix: "", secretRef: { name: "creds" } }],
      env: [{ name: "CFG_level", value: "overridden" }],
    });
    const resolved = resolve(container);
    if (isConfigError(resolved)) throw new Error(resolved.configError);
    expect(resolved.env).toMatchObject({ CFG_level: "overridden", "CFG_log.format": "json", password: "s3cret" });
    expect(resolve(aContainer("app", "busybox", { envFrom: [{ prefix: "", configMapRef: { name: "settings" } }] }))).toMatchObject({
      skipped: ["Keys [a=b] from the EnvFrom configMap prod/settings were skipped since they are considered invalid environment variable names."],
    });
  });

  it.each([
    { name: "a missing ConfigMap", env: { configMapKeyRef: { name: "nope", key: "k" } }, error: 'configmap "nope" not found' },
    { name: "a missing Secret", env: { secretKeyRef: { name: "nope", key: "k" } }, error: 'secret "nope" not found' },
    { name: "a missing key", env: { configMapKeyRef: { name: "settings", key: "k" } }, error: "couldn't find key k in ConfigMap prod/settings" },
    { name: "a missing Secret key", env: { secretKeyRef: { name: "creds", key: "k" } }, error: "couldn't find key k in Secret prod/creds" },
  ])("refuses to configure the container for $name, and leaves the variable unset when optional", ({ env, error }) => {
    const required = aContainer("app", "busybox", { env: [{ name: "V", value: "", valueFrom: env }] });
    expect(resolve(required)).toEqual({ configError: error });
    const ref = "configMapKeyRef" in env ? { configMapKeyRef: { ...env.configMapKeyRef, optional: true } } : { secretKeyRef: { ...env.secretKeyRef, optional: true } };
    const optional = aContainer("app", "busybox", { env: [{ name: "V", value: "", valueFrom: ref }] });
    expect(environmentOf(optional)).not.toHaveProperty("V");
  });

  it("refuses a missing envFrom source unless it is optional", () => {
    expect(resolve(aContainer("app", "busybox", { envFrom: [{ prefix: "", configMapRef: { name: "nope" } }] }))).toEqual({ configError: 'configmap "nope" not found' });
    expect(environmentOf(aContainer("app", "busybox", { envFrom: [{ prefix: "", secretRef: { name: "nope", optional: true } }] }))).toHaveProperty("POD_NAME", "web");
  });
});
