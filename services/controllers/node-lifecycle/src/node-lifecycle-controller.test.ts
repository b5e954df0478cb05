import { beforeEach, describe, expect, it } from "vitest";
import { Node, type Taint } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { FakeClock } from "@capstan/controller-runtime/testing";
import { CONFLICT_RETRY_MS, NodeLifecycleReconciler } from "./node-lifecycle-controller.js";
import { FakeCluster } from "./testing/fake-cluster.js";
import { FakeNodeLeaseTimes } from "./testing/fake-node-lease-times.js";

const t0 = Date.parse("2026-03-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
const config = { gracePeriodMs: 40_000, monitorPeriodMs: 5_000 };
const UNREACHABLE = "node.kubernetes.io/unreachable";
const NOT_READY = "node.kubernetes.io/not-ready";

function aNode(ready: string, heartbeat: number, taints: Partial<Taint>[] = []): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1", creationTimestamp: iso(t0 - 3_600_000) },
    spec: { taints },
    status: {
      conditions: [{ type: "Ready", status: ready, reason: "KubeletReady", lastHeartbeatTime: iso(heartbeat), lastTransitionTime: iso(t0 - 600_000) }],
    },
  };
}

const heartbeat = (at: number) => (node: JsonObject) => ({ ...node, status: aNode("True", at)["status"] });

describe("NodeLifecycleReconciler", () => {
  let cluster: FakeCluster;
  let clock: FakeClock;
  let leases: FakeNodeLeaseTimes;
  let reconciler: NodeLifecycleReconciler;
  const node = () => Node.fromJSON(cluster.stored("Node", "node-1"));
  const ready = () => node().status!.conditions.find((c) => c.type === "Ready")!;
  const taints = () => node().spec!.taints.map((t) => `${t.key}:${t.effect}`);

  beforeEach(async () => {
    cluster = await new FakeCluster().start();
    clock = new FakeClock(t0);
    leases = new FakeNodeLeaseTimes();
    reconciler = new NodeLifecycleReconciler(cluster.nodes, leases, cluster, cluster.recorder, clock, config);
  });

  it("given a node heard from within the grace period, then it changes nothing and looks again after the monitor period", async () => {
    await cluster.add(aNode("True", t0 - 39_000));
    const before = cluster.stored("Node", "node-1");
    expect(await reconciler.reconcile("node-1")).toEqual({ requeueAfterMs: 5_000 });
    expect(cluster.stored("Node", "node-1")).toBe(before);
  });

  it("given a node silent for longer than the grace period, then it is Unknown, unreachable, and an event says so", async () => {
    await cluster.add(aNode("True", t0 - 41_000, [{ key: "dedicated", effect: "NoSchedule" }]));
    expect(await reconciler.reconcile("node-1")).toEqual({ requeueAfterMs: 5_000 });
    expect(ready()).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", lastHeartbeatTime: iso(t0 - 41_000), lastTransitionTime: iso(t0) });
    expect(node().spec!.taints).toEqual([
      { key: "dedicated", value: "", effect: "NoSchedule", timeAdded: "" },
      { key: UNREACHABLE, value: "", effect: "NoSchedule", timeAdded: "" },
      { key: UNREACHABLE, value: "", effect: "NoExecute", timeAdded: iso(t0) },
    ]);
    expect(cluster.events).toEqual([{ object: "node-1", type: "Normal", reason: "NodeNotReady", message: "Node node-1 status is now: NodeNotReady" }]);

    // Level-based: a second look writes nothing more.
    const written = cluster.stored("Node", "node-1");
    clock.advance(5_000);
    await reconciler.reconcile("node-1");
    expect(cluster.stored("Node", "node-1")).toBe(written);
    expect(cluster.events).toHaveLength(1);
  });

  it("given a status posted long ago but a lease renewed within the grace period, then the node stays Ready", async () => {
    await cluster.add(aNode("True", t0 - 300_000));
    leases.renew("node-1", t0 - 39_000);
    const before = cluster.stored("Node", "node-1");
    expect(await reconciler.reconcile("node-1")).toEqual({ requeueAfterMs: 5_000 });
    expect(cluster.stored("Node", "node-1")).toBe(before);
  });

  it("given both the lease and the status older than the grace period, then the node is Unknown and unreachable", async () => {
    await cluster.add(aNode("True", t0 - 300_000));
    leases.renew("node-1", t0 - 41_000);
    await reconciler.reconcile("node-1");
    expect(ready()).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", lastHeartbeatTime: iso(t0 - 300_000) });
    expect(taints()).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
  });

  it("given the leases not yet read, then no node is judged silent", async () => {
    leases.synced = false;
    await cluster.add(aNode("True", t0 - 300_000));
    const before = cluster.stored("Node", "node-1");
    expect(await reconciler.reconcile("node-1")).toEqual({ requeueAfterMs: 5_000 });
    expect(cluster.stored("Node", "node-1")).toBe(before);
  });

  it("given a heartbeat the cache has not seen yet, then the write conflicts and the fresh status stands", async () => {
    await cluster.add(aNode("True", t0 - 41_000));
    await cluster.change("Node", "node-1", heartbeat(t0), { seen: false });
    expect(await reconciler.reconcile("node-1")).toEqual({ requeueAfterMs: CONFLICT_RETRY_MS });
    expect(ready()).toMatchObject({ status: "True", lastHeartbeatTime: iso(t0) });
    expect(taints()).toEqual([]);
  });

  it("given an agent reporting NotReady, then the node is tainted not-ready", async () => {
    await cluster.add(aNode("False", t0));
    await reconciler.reconcile("node-1");
    expect(ready().status).toBe("False");
    expect(taints()).toEqual([`${NOT_READY}:NoSchedule`, `${NOT_READY}:NoExecute`]);
  });

  it("given the agent back on an unreachable node, then the unreachable taints go and the user's stay", async () => {
    const tainted = [
      { key: UNREACHABLE, effect: "NoSchedule" },
      { key: "dedicated", effect: "NoExecute", timeAdded: iso(t0 - 60_000) },
      { key: UNREACHABLE, effect: "NoExecute", timeAdded: iso(t0 - 60_000) },
    ];
    await cluster.add(aNode("True", t0, tainted));
    await reconciler.reconcile("node-1");
    expect(taints()).toEqual(["dedicated:NoExecute"]);
  });

  it("given a node gone from the cache, then there is nothing to do", async () => {
    expect(await reconciler.reconcile("node-9")).toBeUndefined();
  });
});
