import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import { aNode, aPod } from "../../testing/builders.js";
import { NodeName } from "./node-name.js";

describe("NodeName", () => {
  it.each([
    ["no node name", aPod(), "n1", "Success"],
    ["matching node name", aPod().nodeName("n1"), "n1", "Success"],
    ["other node name", aPod().nodeName("n2"), "n1", "UnschedulableAndUnresolvable"],
  ])("%s", (_name, pod, node, code) => {
    const s = new NodeName().filter(new CycleState(), pod.build(), aNode(node).build());
    expect(s.code).toBe(code);
    if (code !== "Success") expect(s.reasons).toEqual(["node(s) didn't match the requested node name"]);
  });
});
