import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import { aNode, aPod } from "../../testing/builders.js";
import { NodeReady } from "./node-ready.js";

describe("NodeReady", () => {
  it.each([
    ["ready", aPod(), aNode(), "Success"],
    ["not ready", aPod(), aNode().notReady(), "UnschedulableAndUnresolvable"],
    ["not ready, tolerated", aPod().tolerating({ key: "node.kubernetes.io/not-ready", operator: "Exists" }), aNode().notReady(), "Success"],
  ])("%s", (_name, pod, node, code) => {
    expect(new NodeReady().filter(new CycleState(), pod.build(), node.build()).code).toBe(code);
  });
});
