import { describe, expect, it } from "vitest";
import { anObject, aPod } from "@capstan/api/testing";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway, type FakeGateway } from "@capstan/client/testing";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { NamespaceReconciler, RECHECK_MS } from "./namespace-controller.js";

type Meta = { name: string; namespace?: string; deletionTimestamp?: string };
const meta = (o: JsonObject) => o["metadata"] as Meta;
const aNamespace = (name: string): JsonObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });

/** Namespaces team-a (a ReplicaSet and two pods on a node) and team-b (one pod), and the reconciler over a namespace informer. */
async function given(): Promise<{ gateway: FakeGateway; reconciler: NamespaceReconciler }> {
  const gateway = await createFakeGateway();
  for (const o of [
    aNamespace("team-a"),
    aNamespace("team-b"),
    anObject("ReplicaSet", "web").inNamespace("team-a").json(),
    aPod("web-a").inNamespace("team-a").onNode("node-1").json(),
    aPod("web-b").inNamespace("team-a").onNode("node-1").json(),
    aPod("elsewhere").inNamespace("team-b").onNode("node-1").json(),
  ]) {
    await gateway.apply(o);
  }
  return { gateway, reconciler: new NamespaceReconciler(await syncedInformer(gateway, "Namespace"), gateway, () => {}) };
}

/** Pods and ReplicaSets as stored, a terminating one marked. */
const contents = (gateway: FakeGateway) =>
  [...gateway.objects("ReplicaSet"), ...gateway.objects("Pod")].map((o) => `${meta(o).name}${meta(o).deletionTimestamp ? " (terminating)" : ""}`);

describe("NamespaceReconciler", () => {
  it("given a terminating namespace, deletes what is in it, waits for its pods to stop, then finalizes it", async () => {
    const { gateway, reconciler } = await given();
    await gateway.delete({ kind: "Namespace", name: "team-a" });

    expect(await reconciler.reconcile("team-a")).toEqual({ requeueAfterMs: RECHECK_MS });
    expect(contents(gateway)).toEqual(["web-a (terminating)", "web-b (terminating)", "elsewhere"]);
    expect(await reconciler.reconcile("team-a")).toEqual({ requeueAfterMs: RECHECK_MS });
    expect(gateway.stored("Namespace", "team-a"), "not finalized while its pods stop").toMatchObject({ status: { phase: "Terminating" } });

    // The node agent has stopped the pods.
    for (const name of ["web-a", "web-b"]) await gateway.delete({ kind: "Pod", namespace: "team-a", name, gracePeriodSeconds: 0 });
    expect(await reconciler.reconcile("team-a")).toBeUndefined();

    expect(gateway.stored("Namespace", "team-a"), "finalized, so gone").toBeUndefined();
    expect(contents(gateway)).toEqual(["elsewhere"]);
  });

  it("given an active namespace, touches nothing", async () => {
    const { gateway, reconciler } = await given();
    const revision = gateway.revision;

    expect(await reconciler.reconcile("team-a")).toBeUndefined();

    expect(gateway.revision, "nothing written").toBe(revision);
  });
});
