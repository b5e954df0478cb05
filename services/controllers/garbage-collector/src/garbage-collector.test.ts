import { describe, expect, it } from "vitest";
import { toApiObject } from "@capstan/api";
import { anObject } from "@capstan/api/testing";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway, type FakeGateway } from "@capstan/client/testing";
import { Informer, objectKey } from "@capstan/controller-runtime";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { AbsentOwners, GarbageCollector } from "./garbage-collector.js";
import { GARBAGE_COLLECTED_KINDS, OwnerGraph } from "./owner-graph.js";

/**
 * The collectors of every kind over informers of a FakeGateway. `converge` reconciles every cached key
 * until a round changes nothing, as the work queues would. A kind in `lagging` is held back from the
 * start, to play an informer that is behind: its cache holds what was there when it listed.
 */
class Cluster {
  private constructor(
    readonly gateway: FakeGateway,
    readonly graph: OwnerGraph,
    private readonly collectors: Map<string, GarbageCollector>,
  ) {}

  static async start(gateway: FakeGateway, lagging: readonly string[] = []): Promise<Cluster> {
    const informers = new Map<string, Informer>();
    for (const kind of GARBAGE_COLLECTED_KINDS) informers.set(kind, await syncedInformer(gateway, kind));
    for (const kind of lagging) gateway.hold(kind);
    const graph = new OwnerGraph(informers);
    const absent = new AbsentOwners();
    return new Cluster(gateway, graph, new Map(GARBAGE_COLLECTED_KINDS.map((kind) => [kind, new GarbageCollector(kind, graph, gateway, absent, () => {})])));
  }

  async converge(rounds = 10): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      const before = this.gateway.revision;
      for (const [kind, collector] of this.collectors) {
        for (const obj of this.graph.informer(kind).list()) await collector.reconcile(objectKey(obj));
      }
      if (this.gateway.revision === before) return;
    }
    throw new Error(`no steady state after ${rounds} rounds`);
  }
}

/** A gateway holding these objects, put in place through its API (terminating ones deleted after). */
async function gatewayWith(objects: JsonObject[]): Promise<FakeGateway> {
  const gateway = await createFakeGateway();
  for (const o of objects) await gateway.apply(o);
  return gateway;
}

const metadata = (o: JsonObject | undefined) => (o?.["metadata"] ?? {}) as JsonObject;
const names = (gateway: FakeGateway, kind: string) => gateway.objects(kind).map((o) => metadata(o)["name"]);

describe("GarbageCollector", () => {
  it("given a replica set deleted in the background, deletes its pods but keeps one another owner still holds", async () => {
    const rs = anObject("ReplicaSet", "web").json();
    const keeper = anObject("ReplicaSet", "keeper").json();
    const gateway = await gatewayWith([
      anObject("Pod", "web-a").ownedBy(rs).json(),
      anObject("Pod", "web-b").ownedBy(rs).json(),
      anObject("Pod", "shared").ownedBy(rs).ownedBy(keeper, { controller: false }).json(),
      anObject("Pod", "unowned").json(),
      keeper,
    ]);

    await (await Cluster.start(gateway)).converge();

    expect(names(gateway, "Pod").sort()).toEqual(["shared", "unowned"]);
    expect(metadata(gateway.stored("Pod", "shared"))["ownerReferences"]).toEqual([expect.objectContaining({ name: "keeper" })]);
  });

  it("given a pod whose owner the cache has not seen yet, keeps it: the gateway says the owner exists", async () => {
    const gateway = await createFakeGateway();
    const cluster = await Cluster.start(gateway, ["ReplicaSet"]);
    const rs = await gateway.apply(anObject("ReplicaSet", "new").json());
    await gateway.apply(anObject("Pod", "new-a").ownedBy(rs).json());

    await cluster.converge();

    expect(names(gateway, "Pod")).toEqual(["new-a"]);
  });

  it("given an owner replaced by a namesake, deletes the old owner's pods", async () => {
    const old = anObject("ReplicaSet", "web").withUid("uid-old").json();
    // The gateway gives the namesake a uid of its own.
    const gateway = await gatewayWith([anObject("ReplicaSet", "web").json(), anObject("Pod", "old-a").ownedBy(old).json()]);

    await (await Cluster.start(gateway)).converge();

    expect(names(gateway, "Pod")).toEqual([]);
  });

  it("given a replica set deleted in the foreground, keeps it while a blocking pod remains, and lets it go after", async () => {
    const rs = anObject("ReplicaSet", "web").terminating("foregroundDeletion").json();
    const gateway = await gatewayWith([
      rs,
      anObject("Pod", "web-a").ownedBy(rs).json(),
      // Held by someone else's finalizer: terminating, but not gone.
      anObject("Pod", "web-held").ownedBy(rs).withFinalizers("example.com/hold").json(),
      anObject("Pod", "web-not-blocking").ownedBy(rs, { blockOwnerDeletion: false }).withFinalizers("example.com/hold").json(),
    ]);
    const cluster = await Cluster.start(gateway);

    await cluster.converge();

    expect(metadata(gateway.stored("ReplicaSet", "web"))).toMatchObject({ finalizers: ["foregroundDeletion"], deletionTimestamp: expect.any(String) });
    expect(names(gateway, "Pod").sort()).toEqual(["web-held", "web-not-blocking"]);

    const held = gateway.stored("Pod", "web-held")!;
    await gateway.update(toApiObject({ ...held, metadata: { ...metadata(held), finalizers: [] } }));
    await cluster.converge();

    expect(gateway.stored("ReplicaSet", "web")).toBeUndefined();
  });

  it("given a deployment deleted in the foreground, deletes down the chain, then the replica set, then the deployment", async () => {
    const deployment = anObject("Deployment", "web").terminating("foregroundDeletion").json();
    const rs = anObject("ReplicaSet", "web-1").ownedBy(deployment).json();
    const gateway = await gatewayWith([deployment, rs, anObject("Pod", "web-1-a").ownedBy(rs).json()]);

    await (await Cluster.start(gateway)).converge();

    expect([...names(gateway, "Deployment"), ...names(gateway, "ReplicaSet"), ...names(gateway, "Pod")]).toEqual([]);
  });

  it("given a replica set deleted with Orphan, keeps its pods without the reference, even one its cache has not seen", async () => {
    const rs = anObject("ReplicaSet", "web").terminating("orphan").json();
    const other = anObject("ReplicaSet", "other").json();
    const gateway = await gatewayWith([rs, other, anObject("Pod", "web-a").ownedBy(rs).json()]);
    const cluster = await Cluster.start(gateway, ["Pod"]);
    // The pod cache has only web-a: web-b is found in the gateway before the finalizer goes.
    await gateway.apply(anObject("Pod", "web-b").ownedBy(rs).ownedBy(other, { controller: false }).json());

    await cluster.converge();

    expect(gateway.stored("ReplicaSet", "web")).toBeUndefined();
    expect(names(gateway, "Pod").sort()).toEqual(["web-a", "web-b"]);
    expect(metadata(gateway.stored("Pod", "web-a"))["ownerReferences"] ?? []).toEqual([]);
    expect(metadata(gateway.stored("Pod", "web-b"))["ownerReferences"]).toEqual([expect.objectContaining({ name: "other" })]);
  });

  it("given a Service deleted, deletes its Endpoints and EndpointSlices, and keeps another Service's", async () => {
    const web = anObject("Service", "web").json();
    const api = anObject("Service", "api").json();
    const gateway = await gatewayWith([
      api,
      anObject("Endpoints", "web").ownedBy(web).json(),
      anObject("EndpointSlice", "web-abcde").ownedBy(web).json(),
      anObject("EndpointSlice", "web-fghij").ownedBy(web).json(),
      anObject("Endpoints", "api").ownedBy(api).json(),
      anObject("EndpointSlice", "api-abcde").ownedBy(api).json(),
    ]);

    await (await Cluster.start(gateway)).converge();

    expect(names(gateway, "Endpoints")).toEqual(["api"]);
    expect(names(gateway, "EndpointSlice")).toEqual(["api-abcde"]);
  });

  it("given a Service deleted with Orphan, keeps its EndpointSlices without the reference, then lets the Service go", async () => {
    const web = anObject("Service", "web").terminating("orphan").json();
    const gateway = await gatewayWith([web, anObject("EndpointSlice", "web-abcde").ownedBy(web).json()]);

    await (await Cluster.start(gateway)).converge();

    expect(gateway.stored("Service", "web")).toBeUndefined();
    expect(names(gateway, "EndpointSlice")).toEqual(["web-abcde"]);
    expect(metadata(gateway.stored("EndpointSlice", "web-abcde"))["ownerReferences"] ?? []).toEqual([]);
  });

  it("given a node deleted, deletes the pods it owns in every namespace (as Kubernetes' mirror pods)", async () => {
    const node = anObject("Node", "node-1").json();
    const gateway = await gatewayWith([
      anObject("Pod", "static-a").inNamespace("kube-system").ownedBy(node, { controller: true }).json(),
      anObject("Pod", "static-b").ownedBy(node, { controller: true }).json(),
      anObject("Node", "node-2").json(),
      anObject("Pod", "static-c").ownedBy(anObject("Node", "node-2").json()).json(),
    ]);

    await (await Cluster.start(gateway)).converge();

    expect(gateway.objects("Pod").map((o) => metadata(o)["name"])).toEqual(["static-c"]);
  });

  it("given a cluster-scoped object naming a namespaced owner, keeps it and its references: the owner cannot be looked up", async () => {
    const gateway = await gatewayWith([anObject("PersistentVolume", "pv-1").ownedByMissing("PersistentVolumeClaim", "data").ownedByMissing("Node", "gone", { controller: false }).json()]);

    await (await Cluster.start(gateway)).converge();

    expect(metadata(gateway.stored("PersistentVolume", "pv-1"))["ownerReferences"]).toHaveLength(2);
  });

  it("given the state it converged to, a restarted collector writes nothing", async () => {
    const rs = anObject("ReplicaSet", "web").json();
    const gateway = await gatewayWith([rs, anObject("Pod", "web-a").ownedBy(rs).json(), anObject("Pod", "stray").ownedByMissing("ReplicaSet", "gone").json()]);
    await (await Cluster.start(gateway)).converge();
    const revision = gateway.revision;

    await (await Cluster.start(gateway)).converge();

    expect(gateway.revision).toBe(revision);
    expect(names(gateway, "Pod")).toEqual(["web-a"]);
  });
});
