import { describe, expect, it } from "vitest";
import { toApiObject } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { Informer, objectKey } from "@capstan/controller-runtime";
import { FakeListWatch } from "@capstan/controller-runtime/testing";
import { AbsentOwners, GarbageCollector } from "./garbage-collector.js";
import { GARBAGE_COLLECTED_KINDS, OwnerGraph } from "./owner-graph.js";
import { FakeGateway } from "./testing/fake-gateway.js";
import { anObject } from "./testing/objects.js";

/**
 * The collectors of every kind over informers fed from a fake gateway. `converge` syncs the caches
 * and reconciles every cached key until a round changes nothing, as the work queues would; a kind
 * left out of `lagging` never reaches its cache, to play an informer that is behind.
 */
class Cluster {
  readonly feeds = new Map<string, FakeListWatch>();
  private readonly collectors: Map<string, GarbageCollector>;
  readonly graph: OwnerGraph;

  constructor(
    readonly gateway: FakeGateway,
    private readonly lagging: Set<string> = new Set(),
  ) {
    const informers = new Map<string, Informer>();
    for (const kind of GARBAGE_COLLECTED_KINDS) {
      const feed = new FakeListWatch();
      this.feeds.set(kind, feed);
      informers.set(kind, new Informer({ kind, listWatch: feed.listWatch, log: () => {} }).start());
    }
    this.graph = new OwnerGraph(informers);
    const absent = new AbsentOwners();
    this.collectors = new Map(GARBAGE_COLLECTED_KINDS.map((kind) => [kind, new GarbageCollector(kind, this.graph, gateway, absent, () => {})]));
  }

  async sync(): Promise<void> {
    for (const [kind, feed] of this.feeds) if (!this.lagging.has(kind)) await feed.list(this.gateway.all(kind));
  }

  async converge(rounds = 10): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      await this.sync();
      const before = this.gateway.revision;
      for (const [kind, collector] of this.collectors) {
        for (const obj of this.graph.informer(kind).list()) await collector.reconcile(objectKey(obj));
      }
      if (this.gateway.revision === before) return;
    }
    throw new Error(`no steady state after ${rounds} rounds`);
  }
}

const metadata = (o: JsonObject | undefined) => (o?.["metadata"] ?? {}) as JsonObject;
const names = (gateway: FakeGateway, kind: string) => gateway.all(kind).map((o) => metadata(o)["name"]);

describe("GarbageCollector", () => {
  it("given a replica set deleted in the background, deletes its pods but keeps one another owner still holds", async () => {
    const rs = anObject("ReplicaSet", "web").build();
    const keeper = anObject("ReplicaSet", "keeper").build();
    const gateway = new FakeGateway([
      anObject("Pod", "web-a").ownedBy(rs).build(),
      anObject("Pod", "web-b").ownedBy(rs).build(),
      anObject("Pod", "shared").ownedBy(rs).ownedBy(keeper, { controller: false }).build(),
      anObject("Pod", "unowned").build(),
      keeper,
    ]);

    await new Cluster(gateway).converge();

    expect(names(gateway, "Pod").sort()).toEqual(["shared", "unowned"]);
    expect(metadata(gateway.find("Pod", "shared"))["ownerReferences"]).toEqual([expect.objectContaining({ name: "keeper" })]);
  });

  it("given a pod whose owner the cache has not seen yet, keeps it: the gateway says the owner exists", async () => {
    const rs = anObject("ReplicaSet", "new").build();
    const gateway = new FakeGateway([rs, anObject("Pod", "new-a").ownedBy(rs).build()]);

    await new Cluster(gateway, new Set(["ReplicaSet"])).converge();

    expect(names(gateway, "Pod")).toEqual(["new-a"]);
  });

  it("given an owner replaced by a namesake, deletes the old owner's pods", async () => {
    const old = anObject("ReplicaSet", "web").withUid("uid-old").build();
    const gateway = new FakeGateway([anObject("ReplicaSet", "web").withUid("uid-new").build(), anObject("Pod", "old-a").ownedBy(old).build()]);

    await new Cluster(gateway).converge();

    expect(names(gateway, "Pod")).toEqual([]);
  });

  it("given a replica set deleted in the foreground, keeps it while a blocking pod remains, and lets it go after", async () => {
    const rs = anObject("ReplicaSet", "web").deleting("foregroundDeletion").build();
    const gateway = new FakeGateway([
      rs,
      anObject("Pod", "web-a").ownedBy(rs).build(),
      // Held by someone else's finalizer: terminating, but not gone.
      anObject("Pod", "web-held").ownedBy(rs).withFinalizers("example.com/hold").build(),
      anObject("Pod", "web-not-blocking").ownedBy(rs, { blockOwnerDeletion: false }).withFinalizers("example.com/hold").build(),
    ]);
    const cluster = new Cluster(gateway);

    await cluster.converge();

    expect(metadata(gateway.find("ReplicaSet", "web"))).toMatchObject({ finalizers: ["foregroundDeletion"], deletionTimestamp: expect.any(String) });
    expect(names(gateway, "Pod").sort()).toEqual(["web-held", "web-not-blocking"]);

    const held = gateway.find("Pod", "web-held")!;
    await gateway.update(toApiObject({ ...held, metadata: { ...metadata(held), finalizers: [] } }));
    await cluster.converge();

    expect(gateway.find("ReplicaSet", "web")).toBeUndefined();
  });

  it("given a deployment deleted in the foreground, deletes down the chain, then the replica set, then the deployment", async () => {
    const deployment = anObject("Deployment", "web").deleting("foregroundDeletion").build();
    const rs = anObject("ReplicaSet", "web-1").ownedBy(deployment).build();
    const gateway = new FakeGateway([deployment, rs, anObject("Pod", "web-1-a").ownedBy(rs).build()]);

    await new Cluster(gateway).converge();

    expect([...names(gateway, "Deployment"), ...names(gateway, "ReplicaSet"), ...names(gateway, "Pod")]).toEqual([]);
  });

  it("given a replica set deleted with Orphan, keeps its pods without the reference, even one its cache has not seen", async () => {
    const rs = anObject("ReplicaSet", "web").deleting("orphan").build();
    const other = anObject("ReplicaSet", "other").build();
    const gateway = new FakeGateway([
      rs,
      other,
      anObject("Pod", "web-a").ownedBy(rs).build(),
      anObject("Pod", "web-b").ownedBy(rs).ownedBy(other, { controller: false }).build(),
    ]);
    const cluster = new Cluster(gateway, new Set(["Pod"]));
    await cluster.sync();
    // The pod cache has only web-a: web-b is found in the gateway before the finalizer goes.
    await cluster.feeds.get("Pod")!.list([gateway.find("Pod", "web-a")!]);

    await cluster.converge();

    expect(gateway.find("ReplicaSet", "web")).toBeUndefined();
    expect(names(gateway, "Pod").sort()).toEqual(["web-a", "web-b"]);
    expect(metadata(gateway.find("Pod", "web-a"))["ownerReferences"] ?? []).toEqual([]);
    expect(metadata(gateway.find("Pod", "web-b"))["ownerReferences"]).toEqual([expect.objectContaining({ name: "other" })]);
  });

  it("given a Service deleted, deletes its Endpoints and EndpointSlices, and keeps another Service's", async () => {
    const web = anObject("Service", "web").build();
    const api = anObject("Service", "api").build();
    const gateway = new FakeGateway([
      api,
      anObject("Endpoints", "web").ownedBy(web).build(),
      anObject("EndpointSlice", "web-abcde").ownedBy(web).build(),
      anObject("EndpointSlice", "web-fghij").ownedBy(web).build(),
      anObject("Endpoints", "api").ownedBy(api).build(),
      anObject("EndpointSlice", "api-abcde").ownedBy(api).build(),
    ]);

    await new Cluster(gateway).converge();

    expect(names(gateway, "Endpoints")).toEqual(["api"]);
    expect(names(gateway, "EndpointSlice")).toEqual(["api-abcde"]);
  });

  it("given a Service deleted with Orphan, keeps its EndpointSlices without the reference, then lets the Service go", async () => {
    const web = anObject("Service", "web").deleting("orphan").build();
    const gateway = new FakeGateway([web, anObject("EndpointSlice", "web-abcde").ownedBy(web).build()]);

    await new Cluster(gateway).converge();

    expect(gateway.find("Service", "web")).toBeUndefined();
    expect(names(gateway, "EndpointSlice")).toEqual(["web-abcde"]);
    expect(metadata(gateway.find("EndpointSlice", "web-abcde"))["ownerReferences"] ?? []).toEqual([]);
  });

  it("given a node deleted, deletes the pods it owns in every namespace (as Kubernetes' mirror pods)", async () => {
    const node = anObject("Node", "node-1").build();
    const gateway = new FakeGateway([
      anObject("Pod", "static-a", "kube-system").ownedBy(node, { controller: true }).build(),
      anObject("Pod", "static-b", "default").ownedBy(node, { controller: true }).build(),
      anObject("Node", "node-2").build(),
      anObject("Pod", "static-c", "default").ownedBy(anObject("Node", "node-2").build()).build(),
    ]);

    await new Cluster(gateway).converge();

    expect(gateway.all("Pod").map((o) => metadata(o)["name"])).toEqual(["static-c"]);
  });

  it("given a cluster-scoped object naming a namespaced owner, keeps it and its references: the owner cannot be looked up", async () => {
    const gateway = new FakeGateway([anObject("PersistentVolume", "pv-1").ownedByMissing("PersistentVolumeClaim", "data").ownedByMissing("Node", "gone").build()]);

    await new Cluster(gateway).converge();

    expect(metadata(gateway.find("PersistentVolume", "pv-1", ""))["ownerReferences"]).toHaveLength(2);
  });

  it("given the state it converged to, a restarted collector writes nothing", async () => {
    const rs = anObject("ReplicaSet", "web").build();
    const gateway = new FakeGateway([rs, anObject("Pod", "web-a").ownedBy(rs).build(), anObject("Pod", "stray").ownedByMissing("ReplicaSet", "gone").build()]);
    await new Cluster(gateway).converge();
    const revision = gateway.revision;

    await new Cluster(gateway).converge();

    expect(gateway.revision).toBe(revision);
    expect(names(gateway, "Pod")).toEqual(["web-a"]);
  });
});
