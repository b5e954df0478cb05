import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import { aNode, aPod } from "../../testing/builders.js";
import { NodeResourcesFit, leastRequestedScore, mostRequestedScore } from "./node-resources-fit.js";

const filter = (pod: ReturnType<typeof aPod>, node: ReturnType<typeof aNode>) => {
  const plugin = new NodeResourcesFit();
  const state = new CycleState();
  const p = pod.build();
  plugin.preFilter(state, p);
  const s = plugin.filter(state, p, node.build());
  return [s.code, s.reasons];
};

describe("NodeResourcesFit.filter", () => {
  it.each([
    ["fits", aPod().requests({ cpu: "1", memory: "1Gi" }), aNode(), ["Success", []]],
    ["requests nothing", aPod(), aNode().withPods(aPod("big").requests({ cpu: "2", memory: "4Gi" }).build()), ["Success", []]],
    ["cpu", aPod().requests({ cpu: "3" }), aNode(), ["Unschedulable", ["Insufficient cpu"]]],
    ["memory", aPod().requests({ memory: "5Gi" }), aNode(), ["Unschedulable", ["Insufficient memory"]]],
    ["cpu and memory both listed", aPod().requests({ cpu: "3", memory: "5Gi" }), aNode(), ["Unschedulable", ["Insufficient cpu", "Insufficient memory"]]],
    ["ephemeral-storage", aPod().requests({ "ephemeral-storage": "20Gi" }), aNode(), ["Unschedulable", ["Insufficient ephemeral-storage"]]],
    ["extended resource absent on the node", aPod().requests({ "example.com/gpu": "1" }), aNode(), ["Unschedulable", ["Insufficient example.com/gpu"]]],
    ["extended resource present", aPod().requests({ "example.com/gpu": "1" }), aNode().allocatable({ cpu: "2", memory: "4Gi", pods: "110", "example.com/gpu": "2" }), ["Success", []]],
    ["counts what the node's pods request", aPod().requests({ cpu: "1" }), aNode().withPods(aPod("a").requests({ cpu: "1500m" }).build()), ["Unschedulable", ["Insufficient cpu"]]],
    ["exactly full", aPod().requests({ cpu: "500m" }), aNode().withPods(aPod("a").requests({ cpu: "1500m" }).build()), ["Success", []]],
    ["too many pods", aPod(), aNode().allocatable({ cpu: "2", memory: "4Gi", pods: "1" }).withPods(aPod("a").build()), ["Unschedulable", ["Too many pods"]]],
    ["limits stand in for requests", aPod().container({ image: "x", resources: { limits: { cpu: "3" } } }), aNode(), ["Unschedulable", ["Insufficient cpu"]]],
    // Init containers run one at a time before the others: the pod needs the larger of their max and the sum.
    ["init container larger than the sum", aPod().requests({ cpu: "500m" }).initContainer({ cpu: "3" }), aNode(), ["Unschedulable", ["Insufficient cpu"]]],
    ["init container smaller than the sum", aPod().requests({ cpu: "1" }).requests({ cpu: "1" }).initContainer({ cpu: "1500m" }), aNode(), ["Success", []]],
    ["init containers are not summed", aPod().requests({ cpu: "500m" }).initContainer({ cpu: "1500m" }).initContainer({ cpu: "1500m" }), aNode(), ["Success", []]],
    ["overhead on top of the larger of init and sum", aPod().requests({ cpu: "500m" }).initContainer({ cpu: "1500m" }).overhead({ cpu: "600m" }), aNode(), ["Unschedulable", ["Insufficient cpu"]]],
    // A sidecar keeps running: it adds to the containers' sum (2 × 1 cpu > 2) and to later init containers'.
    ["a sidecar adds to the containers", aPod().requests({ cpu: "1100m" }).sidecar({ cpu: "1" }), aNode(), ["Unschedulable", ["Insufficient cpu"]]],
    ["a sidecar adds to a later init container", aPod().requests({ cpu: "100m" }).sidecar({ cpu: "1" }).initContainer({ cpu: "1100m" }), aNode(), ["Unschedulable", ["Insufficient cpu"]]],
    ["an earlier init container does not run beside the sidecar", aPod().requests({ cpu: "100m" }).initContainer({ cpu: "1500m" }).sidecar({ cpu: "500m" }), aNode(), ["Success", []]],
    ["overhead that still fits", aPod().requests({ cpu: "500m" }).initContainer({ cpu: "1500m" }).overhead({ cpu: "500m" }), aNode(), ["Success", []]],
  ])("%s", (_name, pod, node, want) => {
    expect(filter(pod, node)).toEqual(want);
  });
});

describe("scorers", () => {
  it.each([
    ["least: empty", leastRequestedScore, 0, 4000, 100],
    ["least: half", leastRequestedScore, 2000, 4000, 50],
    ["least: over capacity", leastRequestedScore, 5000, 4000, 0],
    ["least: no capacity", leastRequestedScore, 0, 0, 0],
    ["most: half", mostRequestedScore, 2000, 4000, 50],
    ["most: over capacity counts as full", mostRequestedScore, 5000, 4000, 100],
    ["least rounds down", leastRequestedScore, 1, 3, 66],
  ])("%s", (_name, scorer, requested, capacity, want) => expect(scorer(requested, capacity)).toBe(want));
});

describe("NodeResourcesFit.score", () => {
  // Kubernetes' own test case: node 4000m / 10000 bytes, pod asks 3000m / 5000; LeastAllocated
  // gives cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50, mean 37.
  const node = aNode().allocatable({ cpu: "4", memory: "10000", pods: "110" });
  const pod = aPod().requests({ cpu: "3", memory: "5000" });

  it.each([
    ["LeastAllocated (default)", {}, 37],
    ["MostAllocated", { scoringStrategy: { type: "MostAllocated" as const } }, 62],
    ["LeastAllocated, cpu weighted 3", { scoringStrategy: { resources: [{ name: "cpu", weight: 3 }, { name: "memory", weight: 1 }] } }, 31],
  ])("%s", (_name, args, want) => {
    expect(new NodeResourcesFit(args).score(new CycleState(), pod.build(), node.build())).toBe(want);
  });

  it("counts 100m and 200Mi for a container that requests nothing", () => {
    const n = aNode().allocatable({ cpu: "1", memory: "2000Mi", pods: "110" }).build();
    // cpu (1000-100)*100/1000 = 90, memory (2000-200)*100/2000 = 90.
    expect(new NodeResourcesFit().score(new CycleState(), aPod().build(), n)).toBe(90);
  });

  it("rejects an unknown strategy", () => {
    expect(() => new NodeResourcesFit({ scoringStrategy: { type: "Random" as never } })).toThrow(/unknown scoring strategy/);
  });
});
