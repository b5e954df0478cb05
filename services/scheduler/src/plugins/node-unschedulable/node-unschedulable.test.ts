import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import { aNode, aPod } from "../../testing/builders.js";
import { NodeUnschedulable } from "./node-unschedulable.js";

describe("NodeUnschedulable", () => {
  it.each([
    ["schedulable node", aPod(), aNode(), "Success"],
    ["cordoned node", aPod(), aNode().unschedulable(), "UnschedulableAndUnresolvable"],
    ["cordoned, pod tolerates the unschedulable taint", aPod().tolerating({ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }), aNode().unschedulable(), "Success"],
    ["cordoned, toleration for another effect", aPod().tolerating({ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoExecute" }), aNode().unschedulable(), "UnschedulableAndUnresolvable"],
  ])("%s", (_name, pod, node, code) => {
    const s = new NodeUnschedulable().filter(new CycleState(), pod.build(), node.build());
    expect(s.code).toBe(code);
    if (code !== "Success") expect(s.reasons).toEqual(["node(s) were unschedulable"]);
  });
});
