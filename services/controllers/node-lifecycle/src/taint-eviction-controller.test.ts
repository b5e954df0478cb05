import { beforeEach, describe, expect, it } from "vitest";
import { Pod } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { FakeClock } from "@capstan/controller-runtime/testing";
import { CONFLICT_RETRY_MS } from "./node-lifecycle-controller.js";
import { NODE_NAME_INDEX, TaintEvictionReconciler, podNodeName, podsOfChangedNode } from "./taint-eviction-controller.js";
import { FakeCluster } from "./testing/fake-cluster.js";

const t0 = Date.parse("2026-03-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
const UNREACHABLE = "node.kubernetes.io/unreachable";
const NOT_READY = "node.kubernetes.io/not-ready";

function aNode(name: string, ready: string, noExecute?: string, heartbeat = t0): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    spec: { taints: noExecute ? [{ key: noExecute, effect: "NoExecute", timeAdded: iso(t0) }] : [] },
    status: { conditions: [{ type: "Ready", status: ready, lastHeartbeatTime: iso(heartbeat) }] },
  };
}

/** A running, Ready pod on `node`, tolerating not-ready and unreachable nodes for `seconds` (as defaulted) unless told otherwise. */
function aPod(name: string, node: string, tolerations: JsonObject[] | number = 3): JsonObject {
  const defaults = (seconds: number) =>
    [NOT_READY, UNREACHABLE].map((key) => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds }));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { nodeName: node, containers: [{ name: "app", image: "nginx" }], tolerations: typeof tolerations === "number" ? defaults(tolerations) : tolerations },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: iso(t0 - 60_000) }] },
  };
}

describe("TaintEvictionReconciler", () => {
  let cluster: FakeCluster;
  let clock: FakeClock;
  let reconciler: TaintEvictionReconciler;
  const pod = (name: string) => {
    const json = cluster.stored("Pod", name);
    return json ? Pod.fromJSON(json) : undefined;
  };
  const podReady = (name: string) => pod(name)?.status?.conditions.find((c) => c.type === "Ready")?.status;

  beforeEach(async () => {
    cluster = await new FakeCluster().start();
    cluster.pods.addIndexer(NODE_NAME_INDEX, podNodeName);
    clock = new FakeClock(t0);
    reconciler = new TaintEvictionReconciler(cluster.pods, cluster.nodes, cluster, cluster.recorder, clock);
  });

  it("given a pod tolerating an unreachable node for 3s, then it stays (not Ready) until then and is deleted at once after", async () => {
    await cluster.add(aNode("node-1", "Unknown", UNREACHABLE));
    await cluster.add(aPod("web", "node-1", 3));

    clock.advance(1_000);
    expect(await reconciler.reconcile("default/web")).toEqual({ requeueAfterMs: 2_000 });
    expect(pod("web")?.metadata?.deletionTimestamp).toBeUndefined();
    expect(podReady("web")).toBe("False");
    expect(cluster.events).toEqual([]);

    clock.advance(2_000);
    await reconciler.reconcile("default/web");
    expect(pod("web")).toBeUndefined();
    expect(cluster.events).toEqual([{ object: "default/web", type: "Normal", reason: "TaintManagerEviction", message: "Marking for deletion Pod default/web" }]);
  });

  it("given a pod that does not tolerate a not-ready node, then it is deleted gracefully at once, its live agent stopping it", async () => {
    await cluster.add(aNode("node-1", "False", NOT_READY));
    await cluster.add(aPod("web", "node-1", []));
    expect(await reconciler.reconcile("default/web")).toBeUndefined();
    expect(pod("web")?.metadata?.deletionTimestamp).toBeDefined();
    expect(podReady("web")).toBe("True");
    expect(cluster.events.map((e) => e.reason)).toEqual(["TaintManagerEviction"]);
  });

  it.each([
    { name: "it tolerates the taint forever", node: aNode("node-1", "False", NOT_READY), tolerations: [{ key: NOT_READY, operator: "Exists" }] },
    { name: "its node is healthy", node: aNode("node-1", "True"), tolerations: [] },
    { name: "its node has only a NoSchedule taint", node: { ...aNode("node-1", "True"), spec: { taints: [{ key: "dedicated", effect: "NoSchedule" }] } }, tolerations: [] },
  ])("given a pod where $name, then it stays and nothing is scheduled", async ({ node, tolerations }) => {
    await cluster.add(node);
    const before = await cluster.add(aPod("web", "node-1", tolerations));
    expect(await reconciler.reconcile("default/web")).toBeUndefined();
    expect(cluster.stored("Pod", "web")).toBe(before);
  });

  it("given a pod already terminating on an unreachable node, then it is deleted at once when due", async () => {
    await cluster.add(aNode("node-1", "Unknown", UNREACHABLE));
    const terminating = aPod("web", "node-1", 0);
    await cluster.add({ ...terminating, metadata: { ...(terminating["metadata"] as JsonObject), deletionTimestamp: iso(t0) } });
    await reconciler.reconcile("default/web");
    expect(pod("web")).toBeUndefined();
  });

  it("given a pod replaced by another of the same name, then the uid precondition spares the new one", async () => {
    await cluster.add(aNode("node-1", "False", NOT_READY));
    await cluster.add(aPod("web", "node-1", []));
    // The gateway has a new pod under the old name; the cache still holds the old one.
    await cluster.change("Pod", "web", (p) => ({ ...p, metadata: { ...(p["metadata"] as JsonObject), uid: "new-uid" } }), { seen: false });
    expect(await reconciler.reconcile("default/web")).toEqual({ requeueAfterMs: CONFLICT_RETRY_MS });
    expect(pod("web")?.metadata).toMatchObject({ uid: "new-uid" });
    expect(pod("web")?.metadata?.deletionTimestamp).toBeUndefined();
  });
});

describe("podsOfChangedNode", () => {
  it("wakes a node's pods when its taints or readiness change, not on every heartbeat", async () => {
    const cluster = await new FakeCluster().start();
    cluster.pods.addIndexer(NODE_NAME_INDEX, podNodeName);
    await cluster.add(aPod("a", "node-1"));
    await cluster.add(aPod("b", "node-2"));
    const keysOf = podsOfChangedNode(cluster.pods);
    const healthy = aNode("node-1", "True");
    expect([...keysOf(healthy)]).toEqual(["default/a"]);
    // The builder asks for the old object, then the new one.
    const beat = aNode("node-1", "True", undefined, t0 + 1_000);
    expect([...keysOf(healthy), ...keysOf(beat)]).toEqual([]);
    const tainted = aNode("node-1", "Unknown", UNREACHABLE);
    expect([...keysOf(beat), ...keysOf(tainted)]).toEqual(["default/a"]);
  });
});
