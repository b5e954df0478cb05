import { describe, expect, it } from "vitest";
import { DEFAULT_AFFINITY_TIMEOUT_SECONDS, servicePortsOf } from "./service-port.js";

type Json = Record<string, unknown>;

function aService(spec: Json, status?: Json): Json {
  return { apiVersion: "v1", kind: "Service", metadata: { namespace: "shop", name: "web" }, spec, ...(status ? { status } : {}) };
}

const NODE_IP = "127.37.0.1";

describe("servicePortsOf", () => {
  it.each([
    {
      name: "a ClusterIP service listens on its cluster IP",
      service: aService({ type: "ClusterIP", clusterIP: "10.96.0.10", ports: [{ name: "http", protocol: "TCP", port: 80 }] }),
      want: [{ key: "shop/web:http", listen: ["TCP/10.96.0.10:80"] }],
    },
    {
      name: "an unnamed port defaults to TCP",
      service: aService({ clusterIP: "10.96.0.10", ports: [{ port: 80 }] }),
      want: [{ key: "shop/web:", listen: ["TCP/10.96.0.10:80"] }],
    },
    {
      name: "a NodePort service also listens on the node's address",
      service: aService({ type: "NodePort", clusterIP: "10.96.0.10", ports: [{ name: "dns", protocol: "UDP", port: 53, nodePort: 30053 }] }),
      want: [{ key: "shop/web:dns", listen: ["UDP/10.96.0.10:53", "UDP/127.37.0.1:30053"] }],
    },
    {
      name: "a LoadBalancer service also listens on each ingress IP",
      service: aService(
        { type: "LoadBalancer", clusterIP: "10.96.0.10", ports: [{ name: "http", port: 80, nodePort: 30080 }] },
        { loadBalancer: { ingress: [{ ip: "127.0.0.1" }, { hostname: "lb.example" }] } },
      ),
      want: [{ key: "shop/web:http", listen: ["TCP/10.96.0.10:80", "TCP/127.37.0.1:30080", "TCP/127.0.0.1:80"] }],
    },
    { name: "a headless service has no proxy", service: aService({ clusterIP: "None", ports: [{ port: 80 }] }), want: [] },
    { name: "an ExternalName service has no proxy", service: aService({ type: "ExternalName", externalName: "db.example", ports: [{ port: 80 }] }), want: [] },
    { name: "SCTP is not proxied", service: aService({ clusterIP: "10.96.0.10", ports: [{ port: 80, protocol: "SCTP" }] }), want: [] },
  ])("$name", ({ service, want }) => {
    const got = servicePortsOf(service, NODE_IP).map((p) => ({ key: p.key, listen: p.listen.map((a) => `${a.protocol}/${a.ip}:${a.port}`) }));
    expect(got).toEqual(want);
  });

  it.each([
    { name: "no affinity", spec: {}, want: undefined },
    { name: "ClientIP with kube-proxy's default timeout", spec: { sessionAffinity: "ClientIP" }, want: DEFAULT_AFFINITY_TIMEOUT_SECONDS },
    { name: "ClientIP with its own timeout", spec: { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }, want: 60 },
  ])("session affinity: $name", ({ spec, want }) => {
    const [port] = servicePortsOf(aService({ clusterIP: "10.96.0.10", ports: [{ port: 80 }], ...spec }), NODE_IP);
    expect(port?.affinityTimeoutSeconds).toBe(want);
  });
});
