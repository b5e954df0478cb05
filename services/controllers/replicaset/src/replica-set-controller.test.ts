import { describe, expect, it } from "vitest";
import { aPod, aReplicaSet, aReplicationController } from "@capstan/api/testing";
import { FakeClock } from "@capstan/apimachinery/testing";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway } from "@capstan/client/testing";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { replicaSetKind, replicationControllerKind } from "./replica-owner.js";
import { ORPHAN_PODS_INDEX, orphanPodsByNamespace, ReplicaSetReconciler } from "./replica-set-controller.js";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");
const minutesAgo = (m: number) => new Date(T0 - m * 60_000).toISOString();
/** When a pod was created unless it says: an hour before the test. */
const CREATED = minutesAgo(60);

type Meta = { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string; creationTimestamp?: string; ownerReferences?: { uid: string; controller?: boolean }[] };
const metaOf = (o: JsonObject) => o["metadata"] as Meta;
const controllerOf = (pod: JsonObject) => metaOf(pod).ownerReferences?.find((r) => r.controller)?.uid;

/**
 * A ReplicaSet (or ReplicationController) and its pods in a FakeGateway, with the real reconciler over
 * informers of it. Each pod is created at its creationTimestamp by the gateway's clock, which then stands at T0.
 */
async function given(owner: JsonObject, pods: JsonObject[] = []) {
  const createdAt = (o: JsonObject) => Date.parse(metaOf(o).creationTimestamp ?? CREATED);
  const byCreation = [...pods].sort((a, b) => createdAt(a) - createdAt(b));
  const clock = new FakeClock(Math.min(T0, ...pods.map(createdAt)));
  const gateway = await createFakeGateway({ clock });
  await gateway.apply(owner);
  for (const pod of byCreation) {
    clock.advance(createdAt(pod) - clock.now());
    await gateway.apply(pod);
  }
  clock.advance(T0 - clock.now());
  const podInformer = await syncedInformer(gateway, "Pod");
  podInformer.addIndexer(ORPHAN_PODS_INDEX, orphanPodsByNamespace);
  const kind = owner["kind"] === "ReplicationController" ? replicationControllerKind : replicaSetKind;
  const reconciler = new ReplicaSetReconciler(kind, await syncedInformer(gateway, kind.kind), podInformer, gateway, () => new Date(clock.now()));
  const { name, uid } = metaOf(owner);
  return {
    gateway,
    clock,
    reconcile: () => reconciler.reconcile(`default/${name}`),
    /** Its pods in the store that count as replicas: not terminating, not finished, controlled by it. */
    replicas: () =>
      gateway
        .objects("Pod")
        .filter((p) => controllerOf(p) === uid && !metaOf(p).deletionTimestamp && !["Failed", "Succeeded"].includes(String((p["status"] as JsonObject | undefined)?.["phase"])))
        .map((p) => metaOf(p).name)
        .sort(),
    status: () => gateway.stored(kind.kind, name)!["status"] as Record<string, number>,
  };
}

/** A pod of app=web, created an hour ago, on node-1 and Running unless said. */
const aWebPod = (name: string) => aPod(name).labelled({ app: "web" }).onNode("node-1").inPhase("Running");

// A fresh builder each time: builders change in place.
const web = () => aReplicaSet("web");

describe("ReplicaSetReconciler keeps replicas", () => {
  it.each([
    { name: "a new ReplicaSet gets its pods from its template", owner: web().withReplicas(3).json(), pods: [], replicas: 3 },
    { name: "a missing pod is replaced", owner: web().withReplicas(2).json(), pods: [aWebPod("a").ownedBy(web().json()).json()], replicas: 2 },
    { name: "a surplus pod is deleted", owner: web().withReplicas(1).json(), pods: [aWebPod("a").ownedBy(web().json()).json(), aWebPod("b").ownedBy(web().json()).json()], replicas: 1 },
    {
      name: "terminating and failed pods do not count",
      owner: web().withReplicas(2).json(),
      pods: [aWebPod("a").ownedBy(web().json()).json(), aWebPod("b").ownedBy(web().json()).terminating().json(), aWebPod("c").ownedBy(web().json()).inPhase("Failed").json()],
      replicas: 2,
    },
    { name: "scaled to zero, every pod goes", owner: web().withReplicas(0).json(), pods: [aWebPod("a").ownedBy(web().json()).json()], replicas: 0 },
    {
      name: "a ReplicationController does the same with its map selector",
      owner: aReplicationController("rc").withReplicas(2).json(),
      pods: [aWebPod("a").ownedBy(aReplicationController("rc").json()).json()],
      replicas: 2,
    },
  ])("given $name, when reconciled, then it has its replicas, and reports them once it sees them", async ({ owner, pods, replicas }) => {
    const c = await given(owner, pods);
    await c.reconcile();
    expect(c.replicas()).toHaveLength(replicas);
    // The status counts the pods the reconcile started from; the next one (which their events cause) counts the new ones.
    await c.reconcile();
    expect(c.replicas()).toHaveLength(replicas);
    expect({ replicas: 0, ...c.status() }).toMatchObject({ replicas, observedGeneration: 1 });
    for (const pod of c.gateway.objects("Pod").filter((p) => !pods.some((q) => metaOf(q).name === metaOf(p).name))) {
      expect(metaOf(pod).name).toMatch(new RegExp(`^${metaOf(owner).name}-`));
      expect(metaOf(pod).labels).toEqual({ app: "web" });
    }
  });

  it("given ready pods younger than minReadySeconds, when reconciled, then they count as available once the time has passed", async () => {
    const owner = web().withReplicas(2).withMinReadySeconds(30).json();
    const c = await given(owner, [
      aWebPod("old").ownedBy(owner).readySince(minutesAgo(5)).json(),
      aWebPod("new").ownedBy(owner).readySince(new Date(T0 - 10_000).toISOString()).json(),
    ]);
    expect(await c.reconcile()).toEqual({ requeueAfterMs: 20_000 });
    expect(c.status()).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 1 });
    c.clock.advance(20_000);
    await c.reconcile();
    expect(c.status()).toMatchObject({ availableReplicas: 2 });
  });
});

describe("ReplicaSetReconciler deletes the cheapest losses first", () => {
  const pod = (name: string) => aWebPod(name).ownedBy(web().json());
  it.each([
    { name: "unscheduled before scheduled", pods: [pod("scheduled").inPhase("Pending"), aPod("unscheduled").labelled({ app: "web" }).ownedBy(web().json()).inPhase("Pending")], survivor: "scheduled" },
    { name: "Pending before Running", pods: [pod("running"), pod("pending").inPhase("Pending")], survivor: "running" },
    { name: "not ready before ready", pods: [pod("ready").readySince(minutesAgo(1)), pod("unready")], survivor: "ready" },
    { name: "ready for less time before longer", pods: [pod("long").readySince(minutesAgo(60)), pod("short").readySince(minutesAgo(1))], survivor: "long" },
    { name: "more restarts before fewer", pods: [pod("steady").readySince(minutesAgo(60)), pod("crashy").readySince(minutesAgo(60)).restarted(5)], survivor: "steady" },
    { name: "newer before older", pods: [pod("elder").createdAt(minutesAgo(60)), pod("younger").createdAt(minutesAgo(1))], survivor: "elder" },
  ])("given two pods and one replica, when reconciled, then it deletes $name", async ({ pods, survivor }) => {
    const c = await given(web().withReplicas(1).json(), pods.map((p) => p.json()));
    await c.reconcile();
    expect(c.replicas()).toEqual([survivor]);
  });
});

describe("ReplicaSetReconciler adopts and releases", () => {
  const other = aReplicaSet("other").json();
  it.each([
    { name: "an orphan it selects is adopted instead of a new pod", owner: web().withReplicas(1).json(), pod: aWebPod("orphan").json(), controller: "uid-web", replicas: ["orphan"] },
    {
      name: "a pod relabelled away is released and replaced",
      owner: web().withReplicas(1).json(),
      pod: aWebPod("relabelled").ownedBy(web().json()).labelled({ app: "debug" }).json(),
      controller: undefined,
      replicas: 1,
    },
    { name: "another controller's pod is left alone", owner: web().withReplicas(1).json(), pod: aWebPod("theirs").ownedBy(other).json(), controller: "uid-other", replicas: 1 },
    { name: "an orphan it does not select stays an orphan", owner: web().withReplicas(1).json(), pod: aWebPod("api").labelled({ app: "api" }).json(), controller: undefined, replicas: 1 },
    { name: "a terminating orphan is not adopted", owner: web().withReplicas(1).json(), pod: aWebPod("leaving").terminating().json(), controller: undefined, replicas: 1 },
    { name: "a ReplicaSet being deleted adopts nothing and creates nothing", owner: web().withReplicas(1).terminating("foregroundDeletion").json(), pod: aWebPod("orphan").json(), controller: undefined, replicas: 0 },
  ])("given $name", async ({ owner, pod, controller, replicas }) => {
    const c = await given(owner, [pod]);
    await c.reconcile();
    expect(controllerOf(c.gateway.stored("Pod", metaOf(pod).name)!)).toBe(controller);
    if (typeof replicas === "number") expect(c.replicas()).toHaveLength(replicas);
    else expect(c.replicas()).toEqual(replicas);
  });
});

describe("ReplicaSetReconciler waits for its own writes", () => {
  it.each([
    { name: "a new ReplicaSet", replicas: 3, pods: [] },
    { name: "a scale-up", replicas: 3, pods: [aWebPod("a").ownedBy(web().json()).json()] },
    { name: "a burst and the rest", replicas: 600, pods: [] },
  ])("given a pod watch that lags, when $name is reconciled twice in a row, then the pods of the first are not created again", async ({ replicas, pods }) => {
    const c = await given(web().withReplicas(replicas).json(), pods);
    c.gateway.hold("Pod");
    // The work queue runs the key again as soon as the first reconcile returns (its status write woke it).
    const twice = c.reconcile().then(() => c.reconcile());
    await Promise.all([twice, c.gateway.settled().then(() => c.gateway.release("Pod"))]);
    expect(c.replicas()).toHaveLength(replicas);
  });
});

describe("ReplicaSetReconciler creates in bursts", () => {
  it.each([
    { name: "3 replicas at once", replicas: 3, after: [3] },
    { name: "500 replicas at once", replicas: 500, after: [500] },
    { name: "1200 replicas 500 at a time, looking again at once while some are missing", replicas: 1200, after: [500, 1000, 1200] },
  ])("given $name, then each reconcile creates at most 500 pods", async ({ replicas, after }) => {
    const c = await given(web().withReplicas(replicas).json());
    for (const [i, expected] of after.entries()) {
      const result = await c.reconcile();
      expect(c.replicas()).toHaveLength(expected);
      expect(result).toEqual(i < after.length - 1 ? { requeueAfterMs: 0 } : undefined);
    }
  });

  it("given a create refused in the third batch (1, 2, 4, …), then that batch finishes, no later batch is sent and the error surfaces", async () => {
    const c = await given(web().withReplicas(20).json());
    c.gateway.refuseCreate("Pod", 4);
    await expect(c.reconcile()).rejects.toThrow(/refused/);
    await c.gateway.settled();
    expect(c.replicas()).toHaveLength(1 + 2 + 4 - 1);
    await c.reconcile();
    expect(c.replicas()).toHaveLength(20);
  });
});
