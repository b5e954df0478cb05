import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import { aNode, aPod } from "../../testing/builders.js";
import { NodePorts } from "./node-ports.js";

describe("NodePorts", () => {
  it.each([
    ["no host ports", aPod(), [aPod("old").hostPort(80)], "Success"],
    ["free port", aPod().hostPort(8080), [aPod("old").hostPort(80)], "Success"],
    ["same port and protocol", aPod().hostPort(80), [aPod("old").hostPort(80)], "Unschedulable"],
    ["same port, other protocol", aPod().hostPort(53, "UDP"), [aPod("old").hostPort(53, "TCP")], "Success"],
    ["different host IPs", aPod().hostPort(80, "TCP", "10.0.0.1"), [aPod("old").hostPort(80, "TCP", "10.0.0.2")], "Success"],
    ["same host IP", aPod().hostPort(80, "TCP", "10.0.0.1"), [aPod("old").hostPort(80, "TCP", "10.0.0.1")], "Unschedulable"],
    ["0.0.0.0 conflicts with any IP", aPod().hostPort(80), [aPod("old").hostPort(80, "TCP", "10.0.0.2")], "Unschedulable"],
    ["a specific IP conflicts with 0.0.0.0", aPod().hostPort(80, "TCP", "10.0.0.1"), [aPod("old").hostPort(80)], "Unschedulable"],
  ])("%s", (_name, pod, existing, code) => {
    const node = aNode().withPods(...existing.map((p) => p.build())).build();
    const s = new NodePorts().filter(new CycleState(), pod.build(), node);
    expect(s.code).toBe(code);
    if (code !== "Success") expect(s.reasons).toEqual(["node(s) didn't have free ports for the requested pod ports"]);
  });

  it("frees a port when its pod leaves", () => {
    const old = aPod("old").hostPort(80).build();
    const node = aNode().withPods(old).build();
    node.removePod(old.key);
    expect(new NodePorts().filter(new CycleState(), aPod().hostPort(80).build(), node).code).toBe("Success");
  });
});
