import { beforeEach, describe, expect, it } from "vitest";
import { Pod } from "@capstan/api";
import { aNode as aNodeBuilder, aPod as aPodBuilder } from "@capstan/api/testing";
import type { JsonObject } from "@capstan/client";
import { FakeClock } from "@capstan/controller-runtime/testing";
import { CONFLICT_RETRY_MS } from "./node-lifecycle-controller.js";
import { NODE_NAME_INDEX, TaintEvictionReconciler, podNodeName, podsOfChangedNode } from "./taint-eviction-controller.js";
import { aCluster, type Cluster } from "./testing/cluster.js";

const t0 = Date.parse("2026-03-01T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
const UNREACHABLE = "node.kubernetes.io/unreachable";
const NOT_READY = "node.kubernetes.io/not-ready";

function aNode(name: string, ready: string, noExecute?: string, heartbeat = t0): JsonObject {
  const node = aNodeBuilder(name).ready(ready, iso(heartbeat));
  if (noExecute) node.tainted({ key: noExecute, effect: "NoExecute", timeAdded: iso(t0) });
  return node.json();
}

/**
 * A running, Ready pod on `node`, tolerating not-ready and unreachable nodes for `seconds` unless told
 * otherwise. The gateway gives a pod that names neither the default 300 s, as Kubernetes' admission does.
 */
function aPod(name: string, node: string, tolerations: JsonObject[] | number = 3): JsonObject {
  const defaults = (seconds: number) =>
    [NOT_READY, UNREACHABLE].map((key) => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds }));
  return aPodBuilder(name)
    .onNode(node)
    .withContainer("app", "nginx")
    .tolerating(...(typeof tolerations === "number" ? defaults(tolerations) : tolerations))
    .readySince(iso(t0 - 60_000))
    .json();
}

describe("TaintEvictionReconciler", () => {
  let cluster: Cluster;
  let clock: FakeClock;
  let reconciler: TaintEvictionReconciler;
  const pod = (name: string) => {
    const json = cluster.gateway.stored("Pod", name);
    return json ? Pod.fromJSON(json) : undefined;
  };
  const podReady = (name: string) => pod(name)?.status?.conditions.find((c) => c.type === "Ready")?.status;

  beforeEach(async () => {
    clock = new FakeClock(t0);
    cluster = await aCluster(clock);
    cluster.pods.addIndexer(NODE_NAME_INDEX, podNodeName);
    reconciler = new TaintEvictionReconciler(cluster.pods, cluster.nodes, cluster.gateway, cluster.recorder, clock);
  });

  it("given a pod tolerating an unreachable node for 3s, then it stays (not Ready) until then and is deleted at once after", async () => {
    await cluster.gateway.apply(aNode("node-1", "Unknown", UNREACHABLE));
    await cluster.gateway.apply(aPod("web", "node-1", 3));

    clock.advance(1_000);
    expect(await reconciler.reconcile("default/web")).toEqual({ requeueAfterMs: 2_000 });
    expect(pod("web")?.metadata?.deletionTimestamp).toBeUndefined();
    expect(podReady("web")).toBe("False");
    expect(await cluster.events()).toEqual([]);

    clock.advance(2_000);
    await reconciler.reconcile("default/web");
    expect(pod("web")).toBeUndefined();
    expect(await cluster.events()).toEqual([{ object: "default/web", type: "Normal", reason: "TaintManagerEviction", message: "Marking for deletion Pod default/web" }]);
  });

  it("given a pod that tolerates a not-ready node for no time, then it is deleted gracefully at once, its live agent stopping it", async () => {
    await cluster.gateway.apply(aNode("node-1", "False", NOT_READY));
    await cluster.gateway.apply(aPod("web", "node-1", 0));
    expect(await reconciler.reconcile("default/web")).toBeUndefined();
    expect(pod("web")?.metadata?.deletionTimestamp).toBeDefined();
    expect(podReady("web")).toBe("True");
    expect((await cluster.events()).map((e) => e.reason)).toEqual(["TaintManagerEviction"]);
  });

  it.each([
    { name: "it tolerates the taint forever", node: aNode("node-1", "False", NOT_READY), tolerations: [{ key: NOT_READY, operator: "Exists" }] },
    { name: "its node is healthy", node: aNode("node-1", "True"), tolerations: [] },
    { name: "its node has only a NoSchedule taint", node: { ...aNode("node-1", "True"), spec: { taints: [{ key: "dedicated", effect: "NoSchedule" }] } }, tolerations: [] },
  ])("given a pod where $name, then it stays and nothing is scheduled", async ({ node, tolerations }) => {
    await cluster.gateway.apply(node);
    const before = await cluster.gateway.apply(aPod("web", "node-1", tolerations));
    expect(await reconciler.reconcile("default/web")).toBeUndefined();
    expect(cluster.gateway.stored("Pod", "web")).toEqual(before);
  });

  it("given a pod already terminating on an unreachable node, then it is deleted at once when due", async () => {
    await cluster.gateway.apply(aNode("node-1", "Unknown", UNREACHABLE));
    const terminating = aPod("web", "node-1", 0);
    await cluster.gateway.apply({ ...terminating, metadata: { ...(terminating["metadata"] as JsonObject), deletionTimestamp: iso(t0) } });
    await reconciler.reconcile("default/web");
    expect(pod("web")).toBeUndefined();
  });

  it("given a pod replaced by another of the same name, then the uid precondition spares the new one", async () => {
    await cluster.gateway.apply(aNode("node-1", "False", NOT_READY));
    await cluster.gateway.apply(aPod("web", "node-1", 0));
    // The gateway has a new pod under the old name; the cache still holds the old one.
    cluster.gateway.hold("Pod");
    await cluster.gateway.delete({ kind: "Pod", namespace: "default", name: "web", gracePeriodSeconds: 0 });
    await cluster.gateway.apply(aPod("web", "node-1", 0));
    expect(await reconciler.reconcile("default/web")).toEqual({ requeueAfterMs: CONFLICT_RETRY_MS });
    expect(pod("web")?.metadata).toMatchObject({ uid: "uid-web-2" });
    expect(pod("web")?.metadata?.deletionTimestamp).toBeUndefined();
  });
});

describe("podsOfChangedNode", () => {
  it("wakes a node's pods when its taints or readiness change, not on every heartbeat", async () => {
    const cluster = await aCluster(new FakeClock(t0));
    cluster.pods.addIndexer(NODE_NAME_INDEX, podNodeName);
    await cluster.gateway.apply(aPod("a", "node-1"));
    await cluster.gateway.apply(aPod("b", "node-2"));
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
