import { describe, expect, it } from "vitest";
import { arrayOf, childObject, keyOf, metaOf, nodeView, podView, serviceView, endpointSliceView, workloadView } from "./object-view.js";

const pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "web-1",
    namespace: "default",
    uid: "u1",
    labels: { app: "web" },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs", controller: true }],
    finalizers: ["f"],
    deletionTimestamp: "2026-01-01T00:00:00Z",
    deletionGracePeriodSeconds: 30,
    generation: 2,
  },
  spec: {
    nodeName: "n1",
    priority: 7,
    tolerations: [{ key: "k", operator: "Exists" }],
    containers: [{ name: "c", image: "nginx" }],
    schedulingGates: [{ name: "g" }],
  },
  status: { phase: "Running", podIP: "10.0.0.1", hostIP: "192.168.0.1", conditions: [{ type: "Ready", status: "True" }] },
};

describe("metaOf", () => {
  it("reads metadata as stored", () => {
    const m = metaOf(pod);
    expect([m.name, m.namespace, m.uid, m.generation, m.deletionTimestamp, m.deletionGracePeriodSeconds]).toEqual([
      "web-1", "default", "u1", 2, "2026-01-01T00:00:00Z", 30,
    ]);
    expect(m.labels).toBe(pod.metadata.labels);
    expect(m.controllerRef?.name).toBe("web");
    expect(m.finalizers).toEqual(["f"]);
    expect(keyOf(pod)).toBe("default/web-1");
  });

  it.each([
    ["no metadata", {}],
    ["metadata not an object", { metadata: "x" }],
    ["not an object", undefined],
  ])("answers zero values for %s", (_name, o) => {
    const m = metaOf(o);
    expect([m.name, m.namespace, m.uid, m.resourceVersion, m.generation, m.creationTimestamp, m.deletionTimestamp]).toEqual(["", "", "", "", 0, "", undefined]);
    expect(m.labels).toEqual({});
    expect(m.ownerReferences).toEqual([]);
    expect(m.controllerRef).toBeUndefined();
  });

  it("shares one empty array and map when absent (no allocation)", () => {
    expect(metaOf({}).finalizers).toBe(metaOf({ metadata: {} }).finalizers);
    expect(metaOf({}).labels).toBe(metaOf({}).annotations);
  });
});

describe("podView", () => {
  it("reads spec and status under their stored names", () => {
    const p = podView(pod);
    expect([p.nodeName, p.phase, p.podIP, p.hostIP, p.priority, p.isTerminal]).toEqual(["n1", "Running", "10.0.0.1", "192.168.0.1", 7, false]);
    expect(p.tolerations).toBe(pod.spec.tolerations);
    expect(p.containers[0]?.image).toBe("nginx");
    expect(p.schedulingGates).toHaveLength(1);
    expect(p.condition("Ready")?.status).toBe("True");
  });

  it.each([
    ["Succeeded", true],
    ["Failed", true],
    ["Pending", false],
  ])("phase %s is terminal: %s", (phase, terminal) => {
    expect(podView({ status: { phase } }).isTerminal).toBe(terminal);
  });

  it("answers zero values for an empty pod", () => {
    const p = podView({});
    expect([p.nodeName, p.phase, p.priority, p.terminationGracePeriodSeconds]).toEqual(["", "", 0, undefined]);
    expect(p.containers).toEqual([]);
    expect(p.nodeSelector).toEqual({});
  });
});

describe("other kinds", () => {
  it("nodeView", () => {
    const n = nodeView({ spec: { unschedulable: true, taints: [{ key: "k", effect: "NoSchedule" }] }, status: { conditions: [{ type: "Ready", status: "False" }], allocatable: { cpu: "2" } } });
    expect([n.unschedulable, n.isReady, n.taints.length, n.allocatable?.["cpu"]]).toEqual([true, false, 1, "2"]);
  });

  it("serviceView", () => {
    const s = serviceView({ spec: { type: "ClusterIP", clusterIP: "10.96.0.1", ports: [{ port: 80, targetPort: "http" }] } });
    expect([s.type, s.clusterIP, s.selector, s.ports[0]?.targetPort]).toEqual(["ClusterIP", "10.96.0.1", undefined, "http"]);
  });

  it("endpointSliceView", () => {
    const e = endpointSliceView({ addressType: "IPv4", endpoints: [{ addresses: ["10.0.0.1"] }] });
    expect([e.addressType, e.endpoints[0]?.addresses, e.ports]).toEqual(["IPv4", ["10.0.0.1"], []]);
  });

  it("workloadView", () => {
    const w = workloadView({ spec: { replicas: 3, paused: true }, status: { readyReplicas: 2 } });
    expect([w.replicas, w.paused, w.readyReplicas, w.availableReplicas, workloadView({}).replicas]).toEqual([3, true, 2, 0, undefined]);
  });

  it("childObject returns the member to edit, creating it when absent", () => {
    const o: Record<string, unknown> = { spec: { replicas: 1 } };
    expect(childObject(o, "spec")).toBe(o["spec"]);
    childObject(o, "metadata")["name"] = "x";
    expect(o["metadata"]).toEqual({ name: "x" });
  });

  it("arrayOf ignores what is not an array", () => {
    expect(arrayOf({ length: 1 })).toEqual([]);
  });
});
