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

describe("staleConditions with the node lease", () => {
  it.each([
    { name: "a lease renewed within the grace period, status long ago", status: t0 - 10 * GRACE, lease: t0, now: t0 + GRACE / 2, stale: false },
    { name: "a lease renewed exactly the grace period ago", status: t0 - 10 * GRACE, lease: t0, now: t0 + GRACE, stale: false },
    { name: "a lease and a status both older than the grace period", status: t0 - 10 * GRACE, lease: t0, now: t0 + GRACE + 1, stale: true },
    { name: "an old lease but a fresh status (the newer counts)", status: t0, lease: t0 - 10 * GRACE, now: t0 + GRACE, stale: false },
    { name: "no lease: the status alone", status: t0, lease: undefined, now: t0 + GRACE + 1, stale: true },
  ])("given $name, then stale is $stale", ({ status, lease, now, stale }) => {
    const out = staleConditions(node([condition("Ready", "True", status)]), now, GRACE, lease);
    expect(out !== undefined).toBe(stale);
    if (stale) expect(out?.[0]).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", lastHeartbeatTime: iso(status) });
  });

  it("given a node that never posted status but renews its lease, then nothing changes", () => {
    expect(staleConditions(node([], t0 - 10 * GRACE), t0 + GRACE, GRACE, t0)).toBeUndefined();
  });
});

describe("lastHeartbeat", () => {
  it.each([
    { name: "the Ready heartbeat", n: node([condition("Ready", "True", t0 - 5)]), lease: undefined, want: t0 - 5 },
    { name: "the creation time when never posted", n: node([], t0 - 7), lease: undefined, want: t0 - 7 },
    { name: "nothing known", n: Node.fromPartial({}), lease: undefined, want: undefined },
    { name: "a newer lease over the heartbeat", n: node([condition("Ready", "True", t0 - 5)]), lease: t0, want: t0 },
    { name: "a newer heartbeat over the lease", n: node([condition("Ready", "True", t0)]), lease: t0 - 5, want: t0 },
    { name: "the lease over the creation time", n: node([], t0 - 7), lease: t0 - 9, want: t0 - 9 },
  ])("is $name", ({ n, lease, want }) => {
    expect(lastHeartbeat(n, lease)).toBe(want);
  });
});
