import { describe, expect, it } from "vitest";
import { failedSchedulingMessage, placePod, tolerates, unfitReason, type NodeView, type PodView } from "./fit.js";

const GiB = 1024 ** 3;

function aNode(name: string, over: Partial<NodeView> = {}): NodeView {
  return {
    name,
    labels: {},
    ready: true,
    unschedulable: false,
    taints: [],
    allocatable: { milliCpu: 2000, memoryBytes: 4 * GiB, pods: 110 },
    requested: { milliCpu: 0, memoryBytes: 0, pods: 0 },
    ...over,
  };
}

function aPod(over: Partial<PodView> = {}): PodView {
  return { requests: { milliCpu: 100, memoryBytes: 0 }, nodeSelector: {}, tolerations: [], ...over };
}

describe("unfitReason", () => {
  it.each([
    ["fits", aPod(), aNode("a"), undefined],
    ["not ready", aPod(), aNode("a", { ready: false }), "node(s) were not ready"],
    ["cordoned", aPod(), aNode("a", { unschedulable: true }), "node(s) were unschedulable"],
    ["selector", aPod({ nodeSelector: { disk: "ssd" } }), aNode("a"), "node(s) didn't match Pod's node affinity/selector"],
    ["selector met", aPod({ nodeSelector: { disk: "ssd" } }), aNode("a", { labels: { disk: "ssd" } }), undefined],
    ["cpu", aPod({ requests: { milliCpu: 2500, memoryBytes: 0 } }), aNode("a"), "Insufficient cpu"],
    ["memory", aPod({ requests: { milliCpu: 0, memoryBytes: 5 * GiB } }), aNode("a"), "Insufficient memory"],
    ["pods", aPod(), aNode("a", { allocatable: { milliCpu: 2000, memoryBytes: GiB, pods: 1 }, requested: { milliCpu: 0, memoryBytes: 0, pods: 1 } }), "Too many pods"],
    ["taint", aPod(), aNode("a", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }), "node(s) had untolerated taint {dedicated: gpu}"],
    ["soft taint ignored", aPod(), aNode("a", { taints: [{ key: "k", effect: "PreferNoSchedule" }] }), undefined],
  ])("%s", (_name, pod, node, want) => {
    expect(unfitReason(pod, node)).toBe(want);
  });
});

describe("tolerates", () => {
  const taint = { key: "node-role.kubernetes.io/control-plane", value: "", effect: "NoSchedule" };
  it.each([
    ["Exists with key and effect", [{ key: taint.key, effect: "NoSchedule" }], true],
    ["Exists on key", [{ key: taint.key, operator: "Exists" }], true],
    ["empty key Exists tolerates all", [{ operator: "Exists" }], true],
    ["other effect", [{ key: taint.key, operator: "Exists", effect: "NoExecute" }], false],
    ["Equal with other value", [{ key: taint.key, operator: "Equal", value: "x" }], false],
    ["none", [], false],
  ])("%s", (_name, tolerations, want) => {
    expect(tolerates(tolerations, taint)).toBe(want);
  });
});

describe("placePod", () => {
  it("prefers the least allocated node", () => {
    const busy = aNode("busy", { requested: { milliCpu: 1500, memoryBytes: 2 * GiB, pods: 5 } });
    const idle = aNode("idle");
    expect(placePod(aPod(), [busy, idle])).toEqual({ node: "idle" });
  });

  it("says why no node fits, per reason and count", () => {
    const nodes = [aNode("a", { unschedulable: true }), aNode("b"), aNode("c")];
    expect(placePod(aPod({ requests: { milliCpu: 4000, memoryBytes: 0 } }), nodes)).toEqual({
      message: "0/3 nodes are available: 2 Insufficient cpu, 1 node(s) were unschedulable.",
    });
    expect(failedSchedulingMessage(0, new Map())).toBe("0/0 nodes are available.");
  });
});
