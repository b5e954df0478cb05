import { describe, expect, it } from "vitest";
import { Node, type NodeCondition } from "@capstan/api";
import { lastHeartbeat, staleConditions } from "./node-health.js";

const t0 = Date.parse("2026-03-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
const GRACE = 40_000;

function condition(type: string, status: string, heartbeat = t0): NodeCondition {
  return { type, status, reason: "KubeletReady", message: "posting", lastHeartbeatTime: iso(heartbeat), lastTransitionTime: iso(t0 - 60_000) };
}

function node(conditions: NodeCondition[], created = t0 - 120_000): Node {
  return Node.fromPartial({ metadata: { name: "node-1", creationTimestamp: iso(created) }, status: { conditions } });
}

describe("staleConditions", () => {
  it.each([
    { name: "a heartbeat within the grace period", conditions: [condition("Ready", "True")], now: t0 + GRACE },
    { name: "a node already Unknown", conditions: [{ ...condition("Ready", "Unknown"), reason: "NodeStatusUnknown" }], now: t0 + 10 * GRACE },
    { name: "a node created just now that never posted", conditions: [], now: t0 - 120_000 + GRACE },
  ])("given $name, then nothing changes", ({ conditions, now }) => {
    expect(staleConditions(node(conditions), now, GRACE)).toBeUndefined();
  });

  it("given a Ready heartbeat older than the grace period, then the agent's conditions turn Unknown and the heartbeat stays", () => {
    const now = t0 + GRACE + 1;
    const out = staleConditions(node([condition("Ready", "True"), condition("MemoryPressure", "False"), condition("NetworkUnavailable", "False")]), now, GRACE);
    expect(out).toEqual([
      { ...condition("Ready", "True"), status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: iso(now) },
      { ...condition("MemoryPressure", "False"), status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: iso(now) },
      condition("NetworkUnavailable", "False"),
    ]);
  });

  it("given a NotReady node gone silent, then Ready turns Unknown too", () => {
    const out = staleConditions(node([condition("Ready", "False")]), t0 + GRACE + 1, GRACE);
    expect(out?.[0]).toMatchObject({ type: "Ready", status: "Unknown", reason: "NodeStatusUnknown" });
  });

  it("given a node that never posted status for the grace period since its creation, then Ready is added as Unknown", () => {
    const created = t0 - GRACE - 1;
    expect(staleConditions(node([], created), t0, GRACE)).toEqual([
      {
        type: "Ready",
        status: "Unknown",
        reason: "NodeStatusNeverUpdated",
        message: "Kubelet never posted node status.",
        lastHeartbeatTime: iso(created),
        lastTransitionTime: iso(t0),
      },
    ]);
  });
});

describe("lastHeartbeat", () => {
  it("is the Ready heartbeat, else the creation time", () => {
    expect(lastHeartbeat(node([condition("Ready", "True", t0 - 5)]))).toBe(t0 - 5);
    expect(lastHeartbeat(node([], t0 - 7))).toBe(t0 - 7);
    expect(lastHeartbeat(Node.fromPartial({}))).toBeUndefined();
  });
});
