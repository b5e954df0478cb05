import { describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway } from "@capstan/client/testing";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { DaemonSetReconciler } from "./daemon-set-controller.js";

const daemonSet: JsonObject = {
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "log-shipper", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "log-shipper" } },
    template: { metadata: { labels: { app: "log-shipper" } }, spec: { containers: [{ name: "shipper", image: "busybox" }] } },
  },
};
const aNode = (name: string): JsonObject => ({ apiVersion: "v1", kind: "Node", metadata: { name } });

async function given(...nodes: string[]) {
  const gateway = await createFakeGateway();
  await gateway.apply(daemonSet);
  for (const n of nodes) await gateway.apply(aNode(n));
  const [daemonSets, nodeInformer, pods, revisions] = await Promise.all(["DaemonSet", "Node", "Pod", "ControllerRevision"].map((k) => syncedInformer(gateway, k)));
  const reconciler = new DaemonSetReconciler({ daemonSets: daemonSets!, nodes: nodeInformer!, pods: pods!, revisions: revisions! }, gateway);
  const meta = (o: JsonObject) => o["metadata"] as { labels: Record<string, string> };
  return {
    reconcile: () => reconciler.reconcile("default/log-shipper"),
    podNodes: () => gateway.objects("Pod").map((p) => (p["spec"] as JsonObject)["affinity"] as JsonObject).map((a) => JSON.stringify(a)),
    hashes: () => gateway.objects("Pod").map((p) => meta(p).labels["controller-revision-hash"]),
    revisions: () => gateway.objects("ControllerRevision").map((r) => meta(r).labels["controller.kubernetes.io/hash"]),
    status: () => gateway.stored("DaemonSet", "log-shipper")!["status"] as Record<string, number>,
  };
}

describe("DaemonSetReconciler", () => {
  it("creates one pod a node at the template's revision, and none more when it runs again", async () => {
    const ds = await given("node-1", "node-2");
    await ds.reconcile();
    await ds.reconcile();
    expect(ds.podNodes()).toHaveLength(2);
    expect(ds.podNodes().filter((a) => a.includes('"values":["node-1"]'))).toHaveLength(1);
    expect(ds.podNodes().filter((a) => a.includes('"values":["node-2"]'))).toHaveLength(1);
    expect(ds.revisions()).toHaveLength(1);
    expect(new Set(ds.hashes())).toEqual(new Set(ds.revisions()));
    expect(ds.status()).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 2, numberUnavailable: 2 });
  });
});
