import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import { aNode, aPod } from "../../testing/builders.js";
import { NodeResourcesBalancedAllocation, balancedScore } from "./node-resources-balanced-allocation.js";

describe("balancedScore", () => {
  it.each([
    ["equal shares", [0.5, 0.5], 100],
    ["two resources: 1 - |a-b|/2", [0.25, 0.75], 75],
    ["one resource", [0.9], 100],
    ["three resources: population std", [0, 0.5, 1], 59],
  ])("%s", (_name, fractions, want) => expect(balancedScore(fractions)).toBe(want));
});

describe("NodeResourcesBalancedAllocation.score", () => {
  it.each([
    // Kubernetes' test: node 4000m / 10000, pod 3000m / 5000: fractions 0.75 and 0.5 → 87.
    ["unbalanced", aPod().requests({ cpu: "3", memory: "5000" }), aNode().allocatable({ cpu: "4", memory: "10000", pods: "110" }), 87],
    ["balanced", aPod().requests({ cpu: "2", memory: "5000" }), aNode().allocatable({ cpu: "4", memory: "10000", pods: "110" }), 100],
    ["fractions cap at 1", aPod().requests({ cpu: "8", memory: "5000" }), aNode().allocatable({ cpu: "4", memory: "10000", pods: "110" }), 75],
    ["uses real requests, not the non-zero defaults", aPod(), aNode().allocatable({ cpu: "1", memory: "10Gi", pods: "110" }), 100],
  ])("%s", (_name, pod, node, want) => {
    expect(new NodeResourcesBalancedAllocation().score(new CycleState(), pod.build(), node.build())).toBe(want);
  });
});
