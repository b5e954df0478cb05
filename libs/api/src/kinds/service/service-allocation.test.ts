import { describe, expect, it } from "vitest";
import { isCapstanError, type InvalidError, type ObjectKey } from "@capstan/apimachinery";
import type { Decide, Decision, JsonObject, ObjectRecord } from "@capstan/apimachinery";
import { decideCreate, decideDelete } from "../../object-decisions.js";
import {
  createServiceAllocator,
  NODE_PORTS_KEY,
  SERVICE_IPS_KEY,
  serviceUpdateRequest,
  withServiceAllocations,
} from "./service-allocation.js";

type Json = Record<string, any>;

const allocator = createServiceAllocator({ serviceCIDR: "10.96.0.0/16", nodePortRange: "30000-30002" });

function aService(name: string, spec: Json = {}): Json {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    spec: { type: "ClusterIP", ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }], ...spec },
  };
}

const keyOf = (name: string): ObjectKey => ({ kind: "Service", namespace: "default", name });

/**
 * A batch as the event store runs one: each mutation decides against the rows so far, and its accepted
 * writes (its own and related ones) are seen by the next. Answers each outcome and the final rows.
 */
function runBatch(mutations: { key: ObjectKey; decide: Decide }[], rows = new Map<string, ObjectRecord>()) {
  const id = (k: ObjectKey) => `${k.kind}/${k.namespace}/${k.name}`;
  let revision = 0;
  const outcomes = mutations.map(({ key, decide }): Decision => {
    const decided = decide(rows.get(id(key)), (k) => rows.get(id(k)));
    if ("error" in decided) return decided;
    for (const w of [{ key, type: decided.type, object: decided.object }, ...(decided.related ?? [])]) {
      revision++;
      if (w.type === "DELETED") rows.delete(id(w.key));
      else rows.set(id(w.key), { ...w.key, uid: String((w.object["metadata"] as Json)["uid"]), nodeName: "", revision, object: w.object });
    }
    return decided;
  });
  return { outcomes, rows, allocations: (k: ObjectKey) => (rows.get(id(k))?.object["allocations"] ?? {}) as Record<string, string> };
}

const create = (svc: Json) => ({ key: keyOf(svc.metadata.name), decide: withServiceAllocations(keyOf(svc.metadata.name), allocator, "uid-range", decideCreate(keyOf(svc.metadata.name), svc)) });
const remove = (name: string) => ({
  key: keyOf(name),
  decide: withServiceAllocations(keyOf(name), allocator, "uid-range", decideDelete(keyOf(name), { now: new Date("2026-03-01T12:00:00Z") })),
});

function objectOf(d: Decision): Json {
  if ("error" in d) throw d.error;
  return d.object as Json;
}

function errorsOf(d: Decision): { path: string; message: string }[] {
  if (!("error" in d)) throw new Error("expected the decision to be refused");
  if (!isCapstanError(d.error, "Invalid")) throw d.error;
  return [...(d.error as InvalidError).fieldErrors];
}

describe("service allocation decisions", () => {
  it("parses the service CIDR and refuses a malformed one", () => {
    expect(() => createServiceAllocator({ serviceCIDR: "10.96.0.0" })).toThrow("service CIDR");
    expect(() => createServiceAllocator({ nodePortRange: "32767-30000" })).toThrow("node port range");
  });

  it("gives a ClusterIP service the lowest free address after the API's, and records it", () => {
    const { outcomes, allocations } = runBatch([create(aService("a")), create(aService("b"))]);
    expect(outcomes.map((o) => objectOf(o).spec.clusterIP)).toEqual(["10.96.0.2", "10.96.0.3"]);
    expect(objectOf(outcomes[0]!).spec).toMatchObject({ clusterIPs: ["10.96.0.2"], ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack" });
    expect(allocations(SERVICE_IPS_KEY)).toEqual({ "10.96.0.2": "default/a", "10.96.0.3": "default/b" });
  });

  it("never picks the cluster DNS address (the 10th) for a service that did not ask for it", () => {
    const { outcomes } = runBatch(Array.from({ length: 9 }, (_, i) => create(aService(`s${i}`))));
    expect(outcomes.map((o) => objectOf(o).spec.clusterIP).slice(-2)).toEqual(["10.96.0.9", "10.96.0.11"]);
  });

  it("honours a requested free IP and refuses one already allocated, in the same batch", () => {
    const { outcomes, allocations } = runBatch([create(aService("a", { clusterIP: "10.96.0.10" })), create(aService("b", { clusterIP: "10.96.0.10" }))]);
    expect(objectOf(outcomes[0]!).spec.clusterIP).toBe("10.96.0.10");
    expect(errorsOf(outcomes[1]!)).toEqual([{ path: "spec.clusterIP", message: 'Invalid value "10.96.0.10": provided IP is already allocated' }]);
    expect(allocations(SERVICE_IPS_KEY)).toEqual({ "10.96.0.10": "default/a" });
  });

  it.each([
    { name: "outside the range", ip: "10.97.0.5", message: 'Invalid value "10.97.0.5": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/16' },
    { name: "the network address", ip: "10.96.0.0", message: 'Invalid value "10.96.0.0": provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/16' },
    { name: "the API's address", ip: "10.96.0.1", message: 'Invalid value "10.96.0.1": provided IP is already allocated' },
  ])("refuses a requested IP $name", ({ ip, message }) => {
    expect(errorsOf(runBatch([create(aService("a", { clusterIP: ip }))]).outcomes[0]!)).toEqual([{ path: "spec.clusterIP", message }]);
  });

  it("serves IPv4 only", () => {
    const { outcomes } = runBatch([create(aService("a", { ipFamilies: ["IPv6"] })), create(aService("b", { ipFamilyPolicy: "RequireDualStack" }))]);
    expect(errorsOf(outcomes[0]!)).toEqual([{ path: "spec.ipFamilies[0]", message: 'Unsupported value "IPv6": supported values: "IPv4"' }]);
    expect(errorsOf(outcomes[1]!)).toEqual([{ path: "spec.ipFamilyPolicy", message: 'Invalid value "RequireDualStack": this cluster is not configured for dual-stack services' }]);
  });

  it("gives a headless or ExternalName service no IP, and a ClusterIP service no node port", () => {
    const { outcomes, rows } = runBatch([
      create(aService("headless", { clusterIP: "None" })),
      create(aService("db", { type: "ExternalName", externalName: "db.example.com", ports: [] })),
      create(aService("plain")),
    ]);
    expect(objectOf(outcomes[0]!).spec.clusterIP).toBe("None");
    expect(objectOf(outcomes[1]!).spec).not.toHaveProperty("clusterIP");
    expect(objectOf(outcomes[2]!).spec.ports[0]).not.toHaveProperty("nodePort");
    expect(rows.has("RangeAllocation//servicenodeports")).toBe(false);
  });

  it("allocates a node port per port of a NodePort service, honours a requested one, refuses a taken one", () => {
    const twoPorts = [
      { name: "http", protocol: "TCP", port: 80, targetPort: 8080 },
      { name: "admin", protocol: "TCP", port: 81, targetPort: 8081, nodePort: 30000 },
    ];
    const { outcomes, allocations } = runBatch([
      create(aService("a", { type: "NodePort", ports: twoPorts })),
      create(aService("b", { type: "NodePort", ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 80, nodePort: 30000 }] })),
    ]);
    expect(objectOf(outcomes[0]!).spec.ports.map((p: Json) => p.nodePort)).toEqual([30001, 30000]);
    expect(errorsOf(outcomes[1]!)).toEqual([{ path: "spec.ports[0].nodePort", message: "Invalid value 30000: provided port is already allocated" }]);
    expect(allocations(NODE_PORTS_KEY)).toEqual({ "30000": "default/a", "30001": "default/a" });
  });

  it("refuses a node port outside the range, and reports a full range", () => {
    const outside = runBatch([create(aService("a", { type: "NodePort", ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 80, nodePort: 80 }] }))]);
    expect(errorsOf(outside.outcomes[0]!)).toEqual([
      { path: "spec.ports[0].nodePort", message: "Invalid value 80: provided port is not in the valid range. The range of valid ports is 30000-30002" },
    ]);
    const full = runBatch(["a", "b", "c", "d"].map((n) => create(aService(n, { type: "NodePort" }))));
    expect(full.outcomes.slice(0, 3).map((o) => objectOf(o).spec.ports[0].nodePort)).toEqual([30000, 30001, 30002]);
    expect(errorsOf(full.outcomes[3]!)).toEqual([{ path: "spec.ports[0].nodePort", message: "Internal error: failed to allocate a nodePort: range is full" }]);
  });

  it("fills a LoadBalancer's status with the load balancer address", () => {
    const { outcomes } = runBatch([create(aService("lb", { type: "LoadBalancer" }))]);
    expect(objectOf(outcomes[0]!)).toMatchObject({ spec: { ports: [{ nodePort: 30000 }] }, status: { loadBalancer: { ingress: [{ ip: "127.0.0.1" }] } } });
  });

  it("frees a deleted service's IP and node ports for the next service", () => {
    const first = runBatch([create(aService("a", { type: "NodePort", clusterIP: "10.96.0.10" }))]);
    const { outcomes, allocations } = runBatch(
      [remove("a"), create(aService("b", { type: "NodePort", clusterIP: "10.96.0.10", ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 80, nodePort: 30000 }] }))],
      first.rows,
    );
    expect("error" in outcomes[0]! ? outcomes[0] : outcomes[0]!.type).toBe("DELETED");
    expect(objectOf(outcomes[1]!).spec).toMatchObject({ clusterIP: "10.96.0.10", ports: [{ nodePort: 30000 }] });
    expect(allocations(SERVICE_IPS_KEY)).toEqual({ "10.96.0.10": "default/b" });
    expect(allocations(NODE_PORTS_KEY)).toEqual({ "30000": "default/b" });
  });

  it("keeps an allocated clusterIP and node port on an update that leaves them out, and refuses a changed clusterIP", () => {
    const before = aService("a", { type: "NodePort", clusterIP: "10.96.0.2", clusterIPs: ["10.96.0.2"], ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 80, nodePort: 30001 }] });
    const asked = serviceUpdateRequest(keyOf("a"), before, aService("a", { type: "NodePort", ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 80 }] }));
    expect("object" in asked && (asked.object as Json).spec).toMatchObject({ clusterIP: "10.96.0.2", clusterIPs: ["10.96.0.2"], ports: [{ nodePort: 30001 }] });
    const changed = serviceUpdateRequest(keyOf("a"), before, aService("a", { type: "NodePort", clusterIP: "10.96.0.3" }));
    expect("error" in changed && (changed.error as InvalidError).fieldErrors).toEqual([{ path: "spec.clusterIP", message: 'Invalid value "10.96.0.3": field is immutable' }]);
  });

  it("releases node ports when a NodePort service becomes ClusterIP", () => {
    const first = runBatch([create(aService("a", { type: "NodePort" }))]);
    const update = {
      key: keyOf("a"),
      decide: withServiceAllocations(keyOf("a"), allocator, "uid-range", (current: ObjectRecord | undefined): Decision => {
        const spec = { ...(current!.object["spec"] as JsonObject), type: "ClusterIP", ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }] };
        return { type: "MODIFIED", object: { ...current!.object, spec } };
      }),
    };
    const { outcomes, allocations } = runBatch([update], first.rows);
    expect(objectOf(outcomes[0]!).spec.clusterIP).toBe("10.96.0.2");
    expect(allocations(NODE_PORTS_KEY)).toEqual({});
    expect(allocations(SERVICE_IPS_KEY)).toEqual({ "10.96.0.2": "default/a" });
  });
});
