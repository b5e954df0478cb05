import { describe, expect, it } from "vitest";
import { Pod } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway } from "@capstan/client/testing";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { targetNodeName } from "./daemon-pod.js";
import { DaemonSetReconciler } from "./daemon-set-controller.js";
import { ORPHAN_PODS_INDEX, orphanPodsByNamespace } from "./pod-claims.js";

const daemonSet: JsonObject = {
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "log-shipper", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "log-shipper" } },
    // A numeric IntOrString (the probe's port) must reach the gateway as a number.
    template: { metadata: { labels: { app: "log-shipper" } }, spec: { containers: [{ name: "shipper", image: "busybox", readinessProbe: { tcpSocket: { port: 8080 } } }] } },
  },
};
const aNode = (name: string): JsonObject => ({ apiVersion: "v1", kind: "Node", metadata: { name } });

async function given(nodes: string[], seeded: JsonObject[] = []) {
  const gateway = await createFakeGateway();
  await gateway.apply(daemonSet);
  for (const n of nodes) await gateway.apply(aNode(n));
  for (const p of seeded) await gateway.apply(p);
  const [daemonSets, nodeInformer, pods, revisions] = await Promise.all(["DaemonSet", "Node", "Pod", "ControllerRevision"].map((k) => syncedInformer(gateway, k)));
  const events: string[] = [];
  pods!.addIndexer(ORPHAN_PODS_INDEX, orphanPodsByNamespace);
  const reconciler = new DaemonSetReconciler({ daemonSets: daemonSets!, nodes: nodeInformer!, pods: pods!, revisions: revisions! }, gateway, { record: (_o, _type, reason, message) => events.push(`${reason} ${message}`) });
  const meta = (o: JsonObject) => o["metadata"] as { labels: Record<string, string> };
  return {
    events,
    reconcile: () => reconciler.reconcile("default/log-shipper"),
    owners: () => gateway.objects("Pod").map((p) => ((p["metadata"] as JsonObject)["ownerReferences"] as { kind: string }[] | undefined)?.map((r) => r.kind).join()),
    /** The node of each pod: its nodeName, or the one its required node affinity pins it to. */
    podNodes: () => gateway.objects("Pod").map((p) => targetNodeName(Pod.fromJSON(p))),
    hashes: () => gateway.objects("Pod").map((p) => meta(p).labels["controller-revision-hash"]),
    revisions: () => gateway.objects("ControllerRevision").map((r) => meta(r).labels["controller.kubernetes.io/hash"]),
    status: () => gateway.stored("DaemonSet", "log-shipper")!["status"] as Record<string, number>,
  };
}

describe("DaemonSetReconciler", () => {
  it("creates one pod a node at the template's revision, and none more when it runs again", async () => {
    const ds = await given(["node-1", "node-2"]);
    await ds.reconcile();
    await ds.reconcile();
    expect(ds.podNodes().sort()).toEqual(["node-1", "node-2"]);
    expect(ds.events).toEqual([expect.stringMatching(/^SuccessfulCreate Created pod: log-shipper-\w+$/), expect.stringMatching(/^SuccessfulCreate Created pod: log-shipper-\w+$/)]);
    expect(ds.revisions()).toHaveLength(1);
    expect(new Set(ds.hashes())).toEqual(new Set(ds.revisions()));
    expect(ds.status()).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 2, numberUnavailable: 2 });
  });

  it("adopts an orphan pod it selects on a node, and creates a pod only on the other node", async () => {
    const orphan = { apiVersion: "v1", kind: "Pod", metadata: { name: "stray", namespace: "default", labels: { app: "log-shipper" } }, spec: { nodeName: "node-1", containers: [{ name: "c", image: "busybox" }] } };
    const other = { apiVersion: "v1", kind: "Pod", metadata: { name: "other", namespace: "default", labels: { app: "web" } }, spec: { nodeName: "node-1", containers: [{ name: "c", image: "busybox" }] } };
    const ds = await given(["node-1", "node-2"], [orphan, other]);
    await ds.reconcile();
    await ds.reconcile();
    expect(ds.owners().sort()).toEqual(["DaemonSet", "DaemonSet", undefined]);
    expect(ds.podNodes().sort()).toEqual(["node-1", "node-1", "node-2"]);
  });
});
