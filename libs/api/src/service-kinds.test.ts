import type { FieldError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { applyDefaults } from "./defaults.js";
import { resolveResourceName } from "./kinds.js";
import { decodeManifest } from "./manifest.js";
import { validateObject } from "./validation.js";

type Json = Record<string, any>;

/** The shared example service.yaml, changed by `change`, so each row states only what it breaks. */
function serviceWith(change: (svc: Json) => void = () => {}): Json {
  const svc: Json = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "my-service", namespace: "default" },
    spec: { selector: { app: "my-app" }, ports: [{ protocol: "TCP", port: 80, targetPort: 8080 }] },
  };
  change(svc);
  return svc;
}

function sliceWith(change: (slice: Json) => void = () => {}): Json {
  const slice: Json = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: "my-service-abc12", namespace: "default", labels: { "kubernetes.io/service-name": "my-service" } },
    addressType: "IPv4",
    endpoints: [{ addresses: ["127.0.1.5"], conditions: { ready: true, serving: true, terminating: false }, nodeName: "node-1", targetRef: { kind: "Pod", name: "web-1", namespace: "default" } }],
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
  };
  change(slice);
  return slice;
}

function endpointsWith(change: (ep: Json) => void = () => {}): Json {
  const ep: Json = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "my-service", namespace: "default" },
    subsets: [{ addresses: [{ ip: "127.0.1.5", nodeName: "node-1", targetRef: { kind: "Pod", name: "web-1" } }], ports: [{ port: 8080 }] }],
  };
  change(ep);
  return ep;
}

const errorsOf = (json: Json): FieldError[] => validateObject(json["kind"], json);

describe("Service, Endpoints and EndpointSlice kinds", () => {
  it.each([
    ["services", "Service"],
    ["svc", "Service"],
    ["endpoints", "Endpoints"],
    ["ep", "Endpoints"],
    ["endpointslices", "EndpointSlice"],
    ["endpointslice", "EndpointSlice"],
  ])("%s names %s", (name, kind) => expect(resolveResourceName(name)).toBe(kind));

  it("decodes the example service unchanged, targetPort as a number", () => {
    const decoded = decodeManifest(serviceWith());
    expect(decoded.json).toEqual(serviceWith());
    expect(decoded.apiObject.service?.spec?.ports[0]?.targetPort).toBe("8080");
  });

  it("decodes a named targetPort, clusterIP and clusterIPs in Kubernetes' spelling, and an EndpointSlice", () => {
    const svc = serviceWith((s) => {
      s.spec.clusterIP = "10.96.0.10";
      s.spec.clusterIPs = ["10.96.0.10"];
      s.spec.ports[0].targetPort = "http";
    });
    const decoded = decodeManifest(svc);
    expect(decoded.json).toEqual(svc);
    expect(decoded.apiObject.service?.spec?.clusterIp).toBe("10.96.0.10");
    expect(decodeManifest(sliceWith()).json).toEqual(sliceWith());
    expect(decodeManifest(endpointsWith()).json).toEqual(endpointsWith());
  });

  it.each([
    { name: "an unknown service field", json: serviceWith((s) => (s.spec.clusterIp = "10.96.0.10")), path: "spec.clusterIp" },
    { name: "a quoted numeric targetPort", json: serviceWith((s) => (s.spec.ports[0].targetPort = "8080")), path: "spec.ports[0].targetPort" },
    { name: "a slice at the wrong apiVersion", json: sliceWith((s) => (s.apiVersion = "v1")), path: "apiVersion" },
  ])("refuses $name when decoding", ({ json, path }) => {
    expect(() => decodeManifest(json)).toThrow(path);
  });

  it("defaults a service as Kubernetes does", () => {
    const json = applyDefaults("Service", serviceWith((s) => {
      delete s.spec.ports[0].protocol;
      delete s.spec.ports[0].targetPort;
    }));
    expect(json["spec"]).toEqual({
      type: "ClusterIP",
      sessionAffinity: "None",
      internalTrafficPolicy: "Cluster",
      selector: { app: "my-app" },
      ports: [{ protocol: "TCP", port: 80, targetPort: 80 }],
    });
  });

  it("defaults externalTrafficPolicy for a NodePort service, keeps a named targetPort, and copies clusterIP to clusterIPs", () => {
    const json = applyDefaults("Service", serviceWith((s) => {
      s.spec.type = "NodePort";
      s.spec.clusterIP = "10.96.0.10";
      s.spec.ports[0].targetPort = "http";
    }));
    expect(json["spec"]).toMatchObject({ externalTrafficPolicy: "Cluster", clusterIPs: ["10.96.0.10"], ports: [{ targetPort: "http" }] });
  });

  it("defaults the protocol of Endpoints and EndpointSlice ports", () => {
    expect(applyDefaults("Endpoints", endpointsWith())).toMatchObject({ subsets: [{ ports: [{ port: 8080, protocol: "TCP" }] }] });
    expect(applyDefaults("EndpointSlice", sliceWith((s) => (s.ports = [{ port: 80 }])))).toMatchObject({ ports: [{ name: "", port: 80, protocol: "TCP" }] });
  });

  it.each([
    { name: "the example service", json: serviceWith() },
    { name: "a headless service without ports", json: serviceWith((s) => ((s.spec.clusterIP = "None"), delete s.spec.ports)) },
    { name: "an ExternalName service", json: serviceWith((s) => ((s.spec = { type: "ExternalName", externalName: "db.example.com." }))) },
    { name: "a NodePort service asking for a port", json: serviceWith((s) => ((s.spec.type = "NodePort"), (s.spec.ports[0].nodePort = 30080))) },
    { name: "a LoadBalancer with two named ports", json: serviceWith((s) => ((s.spec.type = "LoadBalancer"), (s.spec.ports = [{ name: "http", port: 80 }, { name: "dns", port: 53, protocol: "UDP", targetPort: "dns" }]))) },
    { name: "ClientIP affinity", json: serviceWith((s) => (s.spec.sessionAffinity = "ClientIP")) },
    { name: "Endpoints", json: endpointsWith() },
    { name: "an EndpointSlice", json: sliceWith() },
    { name: "an FQDN EndpointSlice", json: sliceWith((s) => ((s.addressType = "FQDN"), (s.endpoints[0].addresses = ["db.example.com"]))) },
  ])("accepts $name", ({ json }) => {
    expect(errorsOf(json)).toEqual([]);
  });

  it.each([
    { name: "an unknown type", json: serviceWith((s) => (s.spec.type = "Ingress")), path: "spec.type", message: 'Unsupported value "Ingress": supported values: "ClusterIP", "NodePort", "LoadBalancer", "ExternalName"' },
    { name: "port 0", json: serviceWith((s) => (s.spec.ports[0].port = 0)), path: "spec.ports[0].port", message: "Required value" },
    { name: "port 70000", json: serviceWith((s) => (s.spec.ports[0].port = 70000)), path: "spec.ports[0].port", message: "Invalid value 70000: must be between 1 and 65535, inclusive" },
    { name: "an SCTP port", json: serviceWith((s) => (s.spec.ports[0].protocol = "SCTP")), path: "spec.ports[0].protocol", message: 'Unsupported value "SCTP": supported values: "TCP", "UDP"' },
    { name: "a second port without a name", json: serviceWith((s) => s.spec.ports.push({ name: "b", port: 81 })), path: "spec.ports[0].name", message: "Required value" },
    { name: "two ports of one name", json: serviceWith((s) => (s.spec.ports = [{ name: "a", port: 80 }, { name: "a", port: 81 }])), path: "spec.ports[1].name", message: 'Duplicate value: "a"' },
    { name: "a port name that is no DNS label", json: serviceWith((s) => (s.spec.ports[0].name = "Web_1")), path: "spec.ports[0].name", message: expect.stringContaining("RFC 1123 label") },
    { name: "a targetPort number out of range", json: serviceWith((s) => (s.spec.ports[0].targetPort = 70000)), path: "spec.ports[0].targetPort", message: "Invalid value 70000: must be between 1 and 65535, inclusive" },
    { name: "a targetPort name too long", json: serviceWith((s) => (s.spec.ports[0].targetPort = "a-very-long-port-name")), path: "spec.ports[0].targetPort", message: expect.stringContaining("must be no more than 15 characters") },
    { name: "clusterIP None for a NodePort service", json: serviceWith((s) => ((s.spec.type = "NodePort"), (s.spec.clusterIP = "None"))), path: "spec.clusterIP", message: "Invalid value \"None\": may not be set to 'None' for NodePort services" },
    { name: "a clusterIP that is no IP", json: serviceWith((s) => (s.spec.clusterIP = "10.96.0.300")), path: "spec.clusterIP", message: expect.stringContaining("must be a valid IP address") },
    { name: "ExternalName without externalName", json: serviceWith((s) => (s.spec.type = "ExternalName")), path: "spec.externalName", message: "Required value" },
    { name: "a nodePort on a ClusterIP service", json: serviceWith((s) => (s.spec.ports[0].nodePort = 30080)), path: "spec.ports[0].nodePort", message: "Forbidden: may not be used when `type` is 'ClusterIP'" },
    { name: "a nodePort out of range", json: serviceWith((s) => ((s.spec.type = "NodePort"), (s.spec.ports[0].nodePort = 70000))), path: "spec.ports[0].nodePort", message: "Invalid value 70000: must be between 1 and 65535, inclusive" },
    { name: "an unknown affinity", json: serviceWith((s) => (s.spec.sessionAffinity = "Sticky")), path: "spec.sessionAffinity", message: 'Unsupported value "Sticky": supported values: "None", "ClientIP"' },
    { name: "a service without ports", json: serviceWith((s) => delete s.spec.ports), path: "spec.ports", message: "Required value" },
    { name: "an endpoint address that is no IP", json: endpointsWith((e) => (e.subsets[0].addresses[0].ip = "web-1")), path: "subsets[0].addresses[0].ip", message: expect.stringContaining("must be a valid IP address") },
    { name: "two unnamed endpoint ports", json: endpointsWith((e) => e.subsets[0].ports.push({ port: 9090 })), path: "subsets[0].ports[0].name", message: "Required value" },
    { name: "a slice without addressType", json: sliceWith((s) => delete s.addressType), path: "addressType", message: "Required value" },
    { name: "an IPv6 address in an IPv4 slice", json: sliceWith((s) => (s.endpoints[0].addresses = ["::1"])), path: "endpoints[0].addresses[0]", message: 'Invalid value "::1": must be a valid IPv4 address' },
    { name: "a slice endpoint without addresses", json: sliceWith((s) => (s.endpoints[0].addresses = [])), path: "endpoints[0].addresses", message: expect.stringContaining("Required value") },
  ])("refuses $name at $path", ({ json, path, message }) => {
    expect(errorsOf(json)).toContainEqual({ path, message });
  });
});
