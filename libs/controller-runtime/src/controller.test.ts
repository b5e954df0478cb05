import { afterEach, describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/client";
import { controller, controllerOwnerKey, type Controller } from "./controller.js";
import { Informer } from "./informer.js";
import { OWNER_UID_INDEX } from "./object-cache.js";
import { metadataOf, splitObjectKey } from "./object-key.js";
import { ItemExponentialFailureRateLimiter } from "./rate-limiter.js";
import { TerminalError, type ReconcileResult, type Reconciler } from "./reconciler.js";
import { eventually, FakeClock, FakeListWatch } from "./testing/index.js";
import { InMemoryMetrics } from "@capstan/telemetry/testing";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

function aReplicaSet(name: string, rv = "1"): JsonObject {
  return { kind: "ReplicaSet", metadata: { namespace: "default", name, uid: `uid-${name}`, resourceVersion: rv } };
}

function aPod(name: string, owner: string | undefined, rv = "1", ownerKind = "ReplicaSet"): JsonObject {
  return {
    kind: "Pod",
    metadata: {
      namespace: "default",
      name,
      uid: `uid-${name}`,
      resourceVersion: rv,
      ...(owner ? { ownerReferences: [{ kind: ownerKind, name: owner, uid: `uid-${owner}`, controller: true }] } : {}),
    },
  };
}

/** Lets pending promise chains and immediate callbacks run, so "nothing happened" can be asserted. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

interface Harness {
  readonly replicaSets: FakeListWatch;
  readonly pods: FakeListWatch;
  readonly clock: FakeClock;
  readonly metrics: InMemoryMetrics;
  readonly log: string[];
  readonly ctrl: Controller;
  readonly podInformer: Informer;
  readonly rsInformer: Informer;
}

const started: Controller[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.stop();
});

async function startController(reconciler: (h: { rsInformer: Informer; podInformer: Informer }) => Reconciler, workers = 1): Promise<Harness> {
  const replicaSets = new FakeListWatch();
  const pods = new FakeListWatch();
  const rsInformer = new Informer({ kind: "ReplicaSet", listWatch: replicaSets.listWatch, log: () => {} });
  const podInformer = new Informer({ kind: "Pod", listWatch: pods.listWatch, log: () => {} });
  const clock = new FakeClock();
  const metrics = new InMemoryMetrics();
  const log: string[] = [];
  const ctrl = controller("replicaset", {
    workers,
    clock,
    meter: metrics.meter,
    rateLimiter: new ItemExponentialFailureRateLimiter({ baseDelayMs: 5, maxDelayMs: 1000 }),
    log: (m) => log.push(m),
  })
    .for(rsInformer)
    .owns(podInformer)
    .complete(reconciler({ rsInformer, podInformer }));
  started.push(ctrl);
  const running = ctrl.start();
  await replicaSets.list([]);
  await pods.list([]);
  await running;
  return { replicaSets, pods, clock, metrics, log, ctrl, podInformer, rsInformer };
}

/** A level-based reconciler: writes each ReplicaSet's count of owned pods, read from the cache, to `statuses`. */
function podCounter(statuses: Map<string, number>) {
  return ({ rsInformer, podInformer }: { rsInformer: Informer; podInformer: Informer }): Reconciler => ({
    async reconcile(key) {
      const { namespace, name } = splitObjectKey(key);
      const rs = rsInformer.get(namespace, name);
      if (!rs) {
        statuses.delete(key);
        return;
      }
      statuses.set(key, podInformer.byIndex(OWNER_UID_INDEX, metadataOf(rs).uid!).length);
    },
  });
}

describe("controller", () => {
  it("reconciles the kind it is for, and the owner of a child that changed", async () => {
    const statuses = new Map<string, number>();
    const h = await startController(podCounter(statuses));
    await h.replicaSets.emit("ADDED", aReplicaSet("web"));
    await h.replicaSets.emit("ADDED", aReplicaSet("db"));
    await eventually(() => (statuses.size === 2 ? true : undefined));
    expect(Object.fromEntries(statuses)).toEqual({ "default/web": 0, "default/db": 0 });

    await h.pods.emit("ADDED", aPod("web-1", "web"));
    await h.pods.emit("ADDED", aPod("web-2", "web"));
    await eventually(() => (statuses.get("default/web") === 2 ? true : undefined));

    // A pod adopted by another owner: both the old and the new owner are reconciled.
    await h.pods.emit("MODIFIED", aPod("web-2", "db", "2"));
    await eventually(() => (statuses.get("default/db") === 1 ? true : undefined));
    await eventually(() => (statuses.get("default/web") === 1 ? true : undefined));

    await h.replicaSets.emit("DELETED", aReplicaSet("db"));
    await eventually(() => (statuses.has("default/db") ? undefined : true));
  });

  it("retries a failing key with per-key back-off, one log line per failure, and forgets it on success", async () => {
    let attempts = 0;
    const h = await startController(() => ({
      async reconcile() {
        attempts++;
        if (attempts <= 2) throw new Error(`gateway unavailable (${attempts})`);
      },
    }));
    await h.replicaSets.emit("ADDED", aReplicaSet("web"));
    await eventually(() => (attempts === 1 ? true : undefined));

    h.clock.advance(4);
    await settle();
    expect(attempts).toBe(1);
    h.clock.advance(1); // 5 ms after the first failure
    await eventually(() => (attempts === 2 ? true : undefined));

    h.clock.advance(9);
    await settle();
    expect(attempts).toBe(2);
    h.clock.advance(1); // 10 ms after the second failure
    await eventually(() => (attempts === 3 ? true : undefined));
    await settle();

    expect(h.ctrl.queue.numRequeues("default/web")).toBe(0);
    expect(h.log).toEqual([
      "replicaset: reconcile default/web failed (retry 1): gateway unavailable (1)",
      "replicaset: reconcile default/web failed (retry 2): gateway unavailable (2)",
    ]);
    h.clock.advance(10_000);
    await settle();
    expect(attempts).toBe(3);
  });

  it("reconciles again after requeueAfterMs, without counting a failure", async () => {
    let attempts = 0;
    const h = await startController(() => ({
      async reconcile(): Promise<ReconcileResult> {
        attempts++;
        return attempts === 1 ? { requeueAfterMs: 30_000 } : {};
      },
    }));
    await h.replicaSets.emit("ADDED", aReplicaSet("web"));
    await eventually(() => (attempts === 1 ? true : undefined));
    h.clock.advance(29_999);
    await settle();
    expect(attempts).toBe(1);
    expect(h.ctrl.queue.numRequeues("default/web")).toBe(0);
    h.clock.advance(1);
    await eventually(() => (attempts === 2 ? true : undefined));
  });

  it("does not retry a terminal error", async () => {
    let attempts = 0;
    const h = await startController(() => ({
      async reconcile() {
        attempts++;
        throw new TerminalError("spec.selector does not match the template's labels");
      },
    }));
    await h.replicaSets.emit("ADDED", aReplicaSet("web"));
    await eventually(() => (attempts === 1 ? true : undefined));
    h.clock.advance(60_000);
    await settle();
    expect(attempts).toBe(1);
    expect(h.log).toEqual(["replicaset: reconcile default/web failed, not retrying: spec.selector does not match the template's labels"]);
  });

  it("continues the trace of the write that woke it, and logs its trace id", async () => {
    const h = await startController(() => ({
      async reconcile() {
        throw new Error("conflict");
      },
    }));
    await h.replicaSets.emit("ADDED", aReplicaSet("web"), { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    await eventually(() => h.log[0]);
    expect(h.log[0]).toBe(`replicaset: reconcile default/web failed (retry 1): conflict trace_id=${TRACE_ID}`);
  });

  it("records reconcile duration by result, so reconciles and errors can be counted", async () => {
    const h = await startController(() => ({
      async reconcile(key) {
        if (key === "default/bad") throw new Error("boom");
        if (key === "default/later") return { requeueAfterMs: 1000 };
        if (key === "default/invalid") throw new TerminalError("invalid");
      },
    }));
    for (const name of ["ok-1", "ok-2", "bad", "later", "invalid"]) await h.replicaSets.emit("ADDED", aReplicaSet(name));
    const counts = async () => {
      const points = await h.metrics.points("capstan.controller.reconcile.duration");
      return Object.fromEntries(points.map((p) => [`${p.attributes["capstan.controller"]}/${p.attributes["capstan.reconcile.result"]}`, p.value]));
    };
    const expected = { "replicaset/success": 2, "replicaset/error": 1, "replicaset/requeue": 1, "replicaset/terminal_error": 1 };
    for (let i = 0; i < 200 && JSON.stringify(await counts()) !== JSON.stringify(expected); i++) await settle();
    expect(await counts()).toEqual(expected);
  });

  it("runs keys on N workers in parallel, never one key on two, and re-runs a key changed meanwhile", async () => {
    const release: (() => void)[] = [];
    const active = new Set<string>();
    const runs: string[] = [];
    let maxParallel = 0;
    let overlaps = 0;
    const h = await startController(
      () => ({
        async reconcile(key) {
          if (active.has(key)) overlaps++;
          active.add(key);
          maxParallel = Math.max(maxParallel, active.size);
          await new Promise<void>((r) => release.push(r));
          active.delete(key);
          runs.push(key);
        },
      }),
      3,
    );
    for (const name of ["a", "b", "c", "d"]) await h.replicaSets.emit("ADDED", aReplicaSet(name));
    await eventually(() => (active.size === 3 ? true : undefined));
    // "a" changes while it is reconciled: it must run again, after the run in flight.
    await h.replicaSets.emit("MODIFIED", aReplicaSet("a", "2"));
    await settle();
    expect(active.size).toBe(3);

    for (let i = 0; i < 200 && runs.length < 5; i++) {
      release.splice(0).forEach((r) => r());
      await settle();
    }
    expect(runs.sort()).toEqual(["default/a", "default/a", "default/b", "default/c", "default/d"]);
    expect(maxParallel).toBe(3);
    expect(overlaps).toBe(0);
  });

  it("stops: waits for the reconcile in flight and takes no more keys", async () => {
    let release: () => void = () => {};
    const done: string[] = [];
    const h = await startController(() => ({
      async reconcile(key) {
        await new Promise<void>((r) => (release = r));
        done.push(key);
      },
    }));
    await h.replicaSets.emit("ADDED", aReplicaSet("a"));
    await h.replicaSets.emit("ADDED", aReplicaSet("b"));
    await settle();
    const stopping = h.ctrl.stop();
    await settle();
    expect(done).toEqual([]);
    release();
    await stopping;
    expect(done).toEqual(["default/a"]);
    await h.replicaSets.emit("ADDED", aReplicaSet("c"));
    await settle();
    expect(done).toEqual(["default/a"]);
  });

  it("returns from a start still waiting for its informers when stopped", async () => {
    const never = new Informer({ kind: "ReplicaSet", listWatch: new FakeListWatch().listWatch, log: () => {} });
    const ctrl = controller("replicaset", { log: () => {} }).for(never).complete({ reconcile: async () => {} });
    const starting = ctrl.start();
    await ctrl.stop();
    await starting;
    expect(ctrl.queue.shuttingDown).toBe(true);
  });
});

describe("controllerOwnerKey", () => {
  const pod = (refs: object[], namespace = "default"): JsonObject => ({ metadata: { namespace, name: "p", ownerReferences: refs } });
  it.each([
    { name: "the controlling owner of the kind", obj: pod([{ kind: "ReplicaSet", name: "web", uid: "1", controller: true }]), keys: ["default/web"] },
    { name: "not an owner that is not the controller", obj: pod([{ kind: "ReplicaSet", name: "web", uid: "1" }]), keys: [] },
    { name: "not a controller of another kind", obj: pod([{ kind: "Job", name: "web", uid: "1", controller: true }]), keys: [] },
    { name: "no owners", obj: { metadata: { namespace: "default", name: "p" } }, keys: [] },
    { name: "a cluster-scoped child", obj: pod([{ kind: "ReplicaSet", name: "web", uid: "1", controller: true }], ""), keys: ["web"] },
  ])("$name", ({ obj, keys }) => {
    expect([...controllerOwnerKey("ReplicaSet")(obj)]).toEqual(keys);
  });
});
