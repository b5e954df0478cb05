import { beforeEach, describe, expect, it } from "vitest";
import { Node } from "@capstan/api";
import { aNode as aNodeBuilder } from "@capstan/api/testing";
import type { JsonObject } from "@capstan/client";
import { FakeClock } from "@capstan/controller-runtime/testing";
import { CONFLICT_RETRY_MS, NodeLifecycleReconciler } from "./node-lifecycle-controller.js";
import { aCluster, type Cluster } from "./testing/cluster.js";
import { FakeNodeLeaseTimes } from "./testing/fake-node-lease-times.js";

const t0 = Date.parse("2026-03-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
const config = { gracePeriodMs: 40_000, monitorPeriodMs: 5_000 };
const UNREACHABLE = "node.kubernetes.io/unreachable";
const NOT_READY = "node.kubernetes.io/not-ready";

/** Node "node-1", its agent's last heartbeat at `heartbeat` saying Ready `ready`. */
function aNode(ready: string, heartbeat: number, taints: (JsonObject & { key: string })[] = []): JsonObject {
  const node = aNodeBuilder("node-1").ready(ready, iso(heartbeat), { reason: "KubeletReady", lastTransitionTime: iso(t0 - 600_000) });
  for (const taint of taints) node.tainted(taint);
  return node.json();
}

const heartbeat = (at: number) => (node: JsonObject) => ({ ...node, status: aNode("True", at)["status"] });

describe("NodeLifecycleReconciler", () => {
  let cluster: Cluster;
  let clock: FakeClock;
  let leases: FakeNodeLeaseTimes;
  let reconciler: NodeLifecycleReconciler;
  const stored = () => cluster.gateway.stored("Node", "node-1");
  const node = () => Node.fromJSON(stored());
  const ready = () => node().status!.conditions.find((c) => c.type === "Ready")!;
  const taints = () => node().spec!.taints.map((t) => `${t.key}:${t.effect}`);

  beforeEach(async () => {
    clock = new FakeClock(t0);
    cluster = await aCluster(clock);
    leases = new FakeNodeLeaseTimes();
    reconciler = new NodeLifecycleReconciler(cluster.nodes, leases, cluster.gateway, cluster.recorder, clock, config);
  });

  it("given a node heard from within the grace period, then it changes nothing and looks again after the monitor period", async () => {
    await cluster.gateway.apply(aNode("True", t0 - 39_000));
    const before = stored();
    expect(await reconciler.reconcile("node-1")).toEqual({ requeueAfterMs: 5_000 });
    expect(stored()).toEqual(before);
  });

  it("given a node silent for longer than the grace period, then it is Unknown, unreachable, and an event says so", async () => {
    await cluster.gateway.apply(aNode("True", t0 - 41_000, [{ key: "dedicated", effect: "NoSchedule" }]));
    expect(await reconciler.reconcile("node-1")).toEqual({ requeueAfterMs: 5_000 });
    expect(ready()).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", lastHeartbeatTime: iso(t0 - 41_000), lastTransitionTime: iso(t0) });
    expect(node().spec!.taints).toEqual([
      { key: "dedicated", value: "", effect: "NoSchedule", timeAdded: "" },
      { key: UNREACHABLE, value: "", effect: "NoSchedule", timeAdded: "" },
      { key: UNREACHABLE, value: "", effect: "NoExecute", timeAdded: iso(t0) },
    ]);
    expect(await cluster.events()).toEqual([{ object: "node-1", type: "Normal", reason: "NodeNotReady", message: "Node node-1 status is now: NodeNotReady" }]);

    // Level-based: a second look writes nothing more.
    const written = stored();
    clock.advance(5_000);
    await reconciler.reconcile("node-1");
    expect(stored()).toEqual(written);
    expect(await cluster.events()).toHaveLength(1);
  });

  it("given a status posted long ago but a lease renewed within the grace period, then the node stays Ready", async () => {
    await cluster.gateway.apply(aNode("True", t0 - 300_000));
    leases.renew("node-1", t0 - 39_000);
    const before = stored();
    expect(await reconciler.reconcile("node-1")).toEqual({ requeueAfterMs: 5_000 });
    expect(stored()).toEqual(before);
  });

  it("given both the lease and the status older than the grace period, then the node is Unknown and unreachable", async () => {
    await cluster.gateway.apply(aNode("True", t0 - 300_000));
    leases.renew("node-1", t0 - 41_000);
    await reconciler.reconcile("node-1");
    expect(ready()).toMatchObject({ status: "Unknown", reason: "NodeStatusUnknown", lastHeartbeatTime: iso(t0 - 300_000) });
    expect(taints()).toEqual([`${UNREACHABLE}:NoSchedule`, `${UNREACHABLE}:NoExecute`]);
  });

  it("given the leases not yet read, then no node is judged silent", async () => {
    leases.synced = false;
    await cluster.gateway.apply(aNode("True", t0 - 300_000));
    const before = stored();
    expect(await reconciler.reconcile("node-1")).toEqual({ requeueAfterMs: 5_000 });
    expect(stored()).toEqual(before);
  });

  it("given a heartbeat the cache has not seen yet, then the write conflicts and the fresh status stands", async () => {
    await cluster.gateway.apply(aNode("True", t0 - 41_000));
    // The informer lags behind the heartbeat.
    cluster.gateway.hold("Node");
    await cluster.gateway.change("Node", "node-1", heartbeat(t0));
    expect(await reconciler.reconcile("node-1")).toEqual({ requeueAfterMs: CONFLICT_RETRY_MS });
    expect(ready()).toMatchObject({ status: "True", lastHeartbeatTime: iso(t0) });
    expect(taints()).toEqual([]);
  });

  it("given an agent reporting NotReady, then the node is tainted not-ready", async () => {
    await cluster.gateway.apply(aNode("False", t0));
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
    await cluster.gateway.apply(aNode("True", t0, tainted));
    await reconciler.reconcile("node-1");
    expect(taints()).toEqual(["dedicated:NoExecute"]);
  });

  it("given a node gone from the cache, then there is nothing to do", async () => {
    expect(await reconciler.reconcile("node-9")).toBeUndefined();
  });
});
