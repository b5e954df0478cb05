import { describe, expect, it } from "vitest";
import { isCapstanError, TooManyRequestsError } from "@capstan/apimachinery";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway, type FakeGateway } from "@capstan/client/testing";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { DisruptionReconciler } from "./disruption-controller.js";

const NS = "default";
const ready = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };
const unready = { phase: "Running", conditions: [{ type: "Ready", status: "False" }] };

function budget(name: string, spec: JsonObject): JsonObject {
  return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name, namespace: NS }, spec: { selector: { matchLabels: { app: "web" } }, ...spec } };
}

async function owner(gateway: FakeGateway, kind: "ReplicaSet" | "Deployment" | "DaemonSet", name: string, replicas: number, ownedBy?: JsonObject): Promise<JsonObject> {
  const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } };
  const spec = kind === "DaemonSet" ? { selector: { matchLabels: { app: "web" } }, template } : { replicas, selector: { matchLabels: { app: "web" } }, template };
  const ownerReferences = ownedBy ? [controllerRef(ownedBy)] : undefined;
  return gateway.apply({ apiVersion: "apps/v1", kind, metadata: { name, namespace: NS, ...(ownerReferences ? { ownerReferences } : {}) }, spec });
}

function controllerRef(o: JsonObject): JsonObject {
  const meta = o["metadata"] as { name: string; uid: string };
  return { apiVersion: String(o["apiVersion"]), kind: String(o["kind"]), name: meta.name, uid: meta.uid, controller: true };
}

function pod(name: string, status: JsonObject, ownedBy?: JsonObject): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels: { app: "web" }, ...(ownedBy ? { ownerReferences: [controllerRef(ownedBy)] } : {}) },
    // Bound, so a delete leaves it terminating until its node lets it go, as a real one.
    spec: { nodeName: "node-1", containers: [{ name: "c", image: "nginx" }] },
    status,
  };
}

async function given(objects: (gateway: FakeGateway) => Promise<JsonObject[]>) {
  const gateway = await createFakeGateway();
  for (const o of await objects(gateway)) await gateway.apply(o);
  const kinds = ["PodDisruptionBudget", "Pod", "ReplicaSet", "Deployment", "StatefulSet", "ReplicationController"];
  const [budgets, pods, replicaSets, deployments, statefulSets, replicationControllers] = await Promise.all(kinds.map((k) => syncedInformer(gateway, k)));
  const events: string[] = [];
  const reconciler = new DisruptionReconciler(
    { budgets: budgets!, pods: pods!, replicaSets: replicaSets!, deployments: deployments!, statefulSets: statefulSets!, replicationControllers: replicationControllers! },
    gateway,
    { record: (_o, type, reason, message) => events.push(`${type} ${reason} ${message}`) },
  );
  return {
    gateway,
    events,
    reconcile: async (name = "web") => {
      const result = await reconciler.reconcile(`${NS}/${name}`);
      // The informers see the status just written before the next reconcile reads them.
      await budgets!.waitForRevision(gateway.store.revision);
      return result;
    },
    status: (name = "web") => gateway.stored("PodDisruptionBudget", name, NS)!["status"] as Record<string, unknown>,
    /** The pods the budget counts as evicted and going. */
    disrupted: (name = "web") => Object.keys((gateway.stored("PodDisruptionBudget", name, NS)!["status"] as { disruptedPods?: JsonObject }).disruptedPods ?? {}),
    evict: (name: string) => gateway.evict({ namespace: NS, name }),
  };
}

describe("the disruption controller", () => {
  it("counts a minAvailable budget's healthy pods against its pods, and allows the difference", async () => {
    const pdb = await given(async (g) => {
      const rs = await owner(g, "ReplicaSet", "web-1", 3);
      return [budget("web", { minAvailable: 2 }), pod("a", ready, rs), pod("b", ready, rs), pod("c", unready, rs)];
    });
    await pdb.reconcile();
    expect(pdb.status()).toMatchObject({ observedGeneration: 1, expectedPods: 3, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 });
    expect((pdb.status()["conditions"] as JsonObject[])[0]).toMatchObject({ type: "DisruptionAllowed", status: "False", reason: "InsufficientPods" });
    await pdb.gateway.apply(pod("c", ready));
    await pdb.reconcile();
    expect(pdb.status()).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 1 });
    expect((pdb.status()["conditions"] as JsonObject[])[0]).toMatchObject({ status: "True", reason: "SufficientPods" });
  });

  it("counts maxUnavailable and percentages against the scale of the Deployment above the pods' ReplicaSet", async () => {
    const pdb = await given(async (g) => {
      const deployment = await owner(g, "Deployment", "web", 4);
      const rs = await owner(g, "ReplicaSet", "web-1", 3, deployment);
      return [budget("web", { maxUnavailable: "50%" }), budget("half", { minAvailable: "50%" }), pod("a", ready, rs), pod("b", ready, rs), pod("c", ready, rs)];
    });
    await pdb.reconcile("web");
    // Four expected (the Deployment's replicas, not the three pods there are), two of them may go: two must stay.
    expect(pdb.status("web")).toMatchObject({ expectedPods: 4, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 });
    await pdb.reconcile("half");
    expect(pdb.status("half")).toMatchObject({ expectedPods: 4, desiredHealthy: 2, disruptionsAllowed: 1 });
  });

  it("allows nothing, saying why, when a pod's controller has no scale to count against", async () => {
    const pdb = await given(async (g) => {
      const ds = await owner(g, "DaemonSet", "agent", 0);
      return [budget("web", { maxUnavailable: 1 }), pod("a", ready, ds), pod("b", ready, ds)];
    });
    await pdb.reconcile();
    expect(pdb.status()).toMatchObject({ disruptionsAllowed: 0 });
    expect((pdb.status()["conditions"] as JsonObject[])[0]).toMatchObject({ status: "False", reason: "SyncFailed", message: 'found no controllers for pod "a"' });
    expect(pdb.events).toContain('Warning CalculateExpectedPodCountFailed Failed to calculate the number of expected pods: found no controllers for pod "a"');
  });
});

describe("eviction through a budget", () => {
  it("lets exactly as many concurrent evictions through as the budget allows, and refuses the rest with Kubernetes' words", async () => {
    const pdb = await given(async (g) => {
      const rs = await owner(g, "ReplicaSet", "web-1", 4);
      return [budget("web", { minAvailable: 2 }), pod("a", ready, rs), pod("b", ready, rs), pod("c", ready, rs), pod("d", ready, rs)];
    });
    await pdb.reconcile();
    expect(pdb.status()).toMatchObject({ disruptionsAllowed: 2 });
    const results = await Promise.allSettled(["a", "b", "c", "d"].map((name) => pdb.evict(name)));
    const evicted = results.filter((r) => r.status === "fulfilled");
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    expect(evicted).toHaveLength(2);
    expect(refused).toHaveLength(2);
    for (const e of refused) {
      expect(isCapstanError(e, "TooManyRequests")).toBe(true);
      expect((e as Error).message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
      expect((e as TooManyRequestsError).causes).toEqual([{ type: "DisruptionBudget", message: "The disruption budget web needs 2 healthy pods and has 4 currently" }]);
    }
    expect(pdb.status()).toMatchObject({ disruptionsAllowed: 0 });
    expect(pdb.disrupted().sort()).toEqual(["a", "b", "c", "d"].filter((_, i) => results[i]!.status === "fulfilled"));
    // The evicted pods are terminating; the controller counts two healthy, and allows none more.
    await pdb.reconcile();
    expect(pdb.status()).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 0 });
    expect(pdb.disrupted()).toEqual([]);
  });

  it("lets an unready pod go when the budget is met without it, and a pending or finished pod always", async () => {
    const pdb = await given(async (g) => {
      const rs = await owner(g, "ReplicaSet", "web-1", 4);
      return [budget("web", { minAvailable: 2 }), pod("a", ready, rs), pod("b", ready, rs), pod("sick", unready, rs), pod("done", { phase: "Succeeded" }, rs)];
    });
    await pdb.reconcile();
    expect(pdb.status()).toMatchObject({ currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0 });
    await expect(pdb.evict("a")).rejects.toThrow("Cannot evict pod as it would violate the pod's disruption budget.");
    await pdb.evict("sick");
    await pdb.evict("done");
    expect(pdb.status()).toMatchObject({ disruptionsAllowed: 0 });
    expect(pdb.disrupted()).toEqual([]);
    expect((pdb.gateway.stored("Pod", "sick", NS)!["metadata"] as JsonObject)["deletionTimestamp"]).toBeDefined();
  });

  it("refuses a pod two budgets select, and waits for a budget's status to catch up with its spec", async () => {
    const pdb = await given(async (g) => {
      const rs = await owner(g, "ReplicaSet", "web-1", 2);
      return [budget("web", { minAvailable: 0 }), budget("also", { maxUnavailable: 1 }), pod("a", ready, rs), pod("b", ready, rs)];
    });
    await expect(pdb.evict("a")).rejects.toThrow("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
    await pdb.gateway.delete({ kind: "PodDisruptionBudget", namespace: NS, name: "also" });
    await expect(pdb.evict("a")).rejects.toMatchObject({ causes: [{ type: "DisruptionBudget", message: "The disruption budget web is still being processed by the server." }] });
    await pdb.reconcile();
    await pdb.evict("a");
  });
});
