import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConflictError, InvalidError, isCapstanError, NotFoundError, type ObjectKey } from "@capstan/apimachinery";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventStore } from "./event-store.js";
import type { Mutation } from "./mutation.js";
import { retainedEvents } from "./compaction.js";
import { openEventStore } from "./open-event-store.js";
import { replay } from "./projection.js";
import type { JsonObject, StoredEvent } from "./stored-event.js";
import { createInMemoryEventStore, createTestDatabase, type TestDatabase } from "./testing/index.js";

// Small batches, so concurrent appends span several group-commit transactions.
const MAX_BATCH = 16;

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

const drivers = [
  { driver: "postgres", open: () => openEventStore({ databaseUrl: database.url, maxBatch: MAX_BATCH }) },
  { driver: "pglite", open: () => openEventStore({ maxBatch: MAX_BATCH }) },
];

function aNamespace(): string {
  return `t-${randomUUID().slice(0, 8)}`;
}

function podKey(namespace: string, name: string): ObjectKey {
  return { kind: "Pod", namespace, name };
}

function create(key: ObjectKey, fields: JsonObject = {}): Mutation {
  const object = { kind: key.kind, metadata: { name: key.name, namespace: key.namespace, uid: randomUUID() }, ...fields };
  return { key, actor: "test", decide: (current) => (current ? { error: new Error(`${key.name} exists`) } : { type: "ADDED", object }) };
}

function modify(key: ObjectKey, change: (object: JsonObject) => JsonObject): Mutation {
  return {
    key,
    actor: "test",
    decide: (current) => (current ? { type: "MODIFIED", object: change(current.object) } : { error: new NotFoundError(key) }),
  };
}

function remove(key: ObjectKey): Mutation {
  return { key, actor: "test", decide: (current) => (current ? { type: "DELETED", object: current.object } : { error: new NotFoundError(key) }) };
}

function resourceVersionOf(object: JsonObject): unknown {
  return (object.metadata as JsonObject).resourceVersion;
}

/** A client's read-modify-write: read, send the change with the resourceVersion it read, retry on Conflict. */
async function increment(store: EventStore, key: ObjectKey): Promise<number> {
  for (let conflicts = 0; ; conflicts++) {
    const seen = await store.get(key);
    if (!seen) throw new NotFoundError(key);
    const count = (seen.object.data as { count: number }).count;
    try {
      await store.append({
        key,
        actor: "test",
        decide: (current) =>
          current && resourceVersionOf(current.object) === resourceVersionOf(seen.object)
            ? { type: "MODIFIED", object: { ...seen.object, data: { count: count + 1 } } }
            : { error: new ConflictError(key, "the object has been modified; please apply your changes to the latest version and try again") },
      });
      return conflicts;
    } catch (e) {
      if (!isCapstanError(e, "Conflict")) throw e;
    }
  }
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

describe.each(drivers)("event store on $driver", ({ open }) => {
  let store: EventStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it("numbers 200 concurrent appends exactly head+1..head+200, in commit order", async () => {
    const ns = aNamespace();
    const head = await store.headRevision();
    const resolved: number[] = [];
    const appended = await Promise.all(
      range(0, 200).map((i) => store.append(create(podKey(ns, `p-${i}`))).then((e) => (resolved.push(e.revision), e))),
    );
    expect(appended.map((e) => e.revision).sort((a, b) => a - b)).toEqual(range(head + 1, 200));
    expect(resolved).toEqual(range(head + 1, 200));
    expect(await store.headRevision()).toBe(head + 200);
    expect(await store.readEvents(head, 1000)).toEqual([...appended].sort((a, b) => a.revision - b.revision));
  });

  it("loses no increment when 50 writers race with resourceVersion checks", async () => {
    const key = { kind: "ConfigMap", namespace: aNamespace(), name: "counter" };
    await store.append(create(key, { data: { count: 0 } }));
    const conflicts = await Promise.all(range(0, 50).map(() => increment(store, key)));
    const final = await store.get(key);
    expect(final?.object.data).toEqual({ count: 50 });
    expect(resourceVersionOf(final!.object)).toBe(String(final?.revision));
    expect(conflicts.reduce((a, b) => a + b)).toBeGreaterThan(0);
  });

  it("rejects a failing decide alone, leaving its batch-mates and the numbering intact", async () => {
    const ns = aNamespace();
    const refused = new InvalidError('Pod "bad"', [{ path: "spec.containers", message: "Required value" }]);
    const results = await Promise.allSettled([
      store.append(create(podKey(ns, "a"))),
      store.append({ key: podKey(ns, "refused"), actor: "test", decide: () => ({ error: refused }) }),
      store.append({
        key: podKey(ns, "throws"),
        actor: "test",
        decide: () => {
          throw new TypeError("decide bug");
        },
      }),
      store.append(create(podKey(ns, "a"))),
      store.append(create(podKey(ns, "b"))),
    ]);
    const [a, refusedResult, throws, duplicate, b] = results;
    expect(refusedResult).toEqual({ status: "rejected", reason: refused });
    expect(throws).toMatchObject({ status: "rejected", reason: { message: "decide bug" } });
    expect(duplicate).toMatchObject({ status: "rejected", reason: { message: "a exists" } });
    expect(a?.status === "fulfilled" && b?.status === "fulfilled" && b.value.revision - a.value.revision).toBe(1);
    expect(await store.get(podKey(ns, "refused"))).toBeUndefined();
  });

  it("rejects a whole batch as Unavailable when the database refuses its write, and carries on", async () => {
    const ns = aNamespace();
    const head = await store.headRevision();
    // jsonb cannot hold \u0000, so the batch's INSERT fails inside the database.
    const results = await Promise.allSettled([store.append(create(podKey(ns, "good"))), store.append(create(podKey(ns, "nul"), { data: { x: "\u0000" } }))]);
    for (const r of results) {
      expect(r.status).toBe("rejected");
      expect(isCapstanError((r as PromiseRejectedResult).reason, "Unavailable")).toBe(true);
    }
    expect(await store.headRevision()).toBe(head);
    expect((await store.append(create(podKey(ns, "good")))).revision).toBe(head + 1);
  });

  it("applies create, modify and delete to the projection", async () => {
    const key = podKey(aNamespace(), "web");
    const added = await store.append(create(key, { spec: { nodeName: "node-a" } }));
    expect(await store.get(key)).toEqual({ ...key, uid: added.uid, nodeName: "node-a", revision: added.revision, object: added.object });
    const modified = await store.append(modify(key, (o) => ({ ...o, status: { phase: "Running" } })));
    expect(await store.get(key)).toMatchObject({ revision: modified.revision, object: { status: { phase: "Running" } } });
    const deleted = await store.append(remove(key));
    expect(deleted).toMatchObject({ type: "DELETED", revision: modified.revision + 1, object: { status: { phase: "Running" } } });
    expect(resourceVersionOf(deleted.object)).toBe(String(deleted.revision));
    expect(await store.get(key)).toBeUndefined();
    await expect(store.append(remove(key))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("counts the objects it holds by kind, deleted ones left out", async () => {
    const ns = aNamespace();
    const before = await store.countObjects();
    for (const name of ["a", "b"]) await store.append(create(podKey(ns, name)));
    await store.append(create({ kind: "ConfigMap", namespace: ns, name: "c" }));
    await store.append(remove(podKey(ns, "a")));
    const after = await store.countObjects();
    expect((after.get("Pod") ?? 0) - (before.get("Pod") ?? 0)).toBe(1);
    expect((after.get("ConfigMap") ?? 0) - (before.get("ConfigMap") ?? 0)).toBe(1);
  });

  it("lists by kind, namespace and node at one consistent revision", async () => {
    const ns = aNamespace();
    const node = `node-${ns}`;
    for (const [name, nodeName] of [["b", node], ["a", node], ["c", "elsewhere"]] as const) {
      await store.append(create(podKey(ns, name), { spec: { nodeName } }));
    }
    const byNamespace = await store.list({ kind: "Pod", namespace: ns });
    expect(byNamespace.items.map((r) => r.name)).toEqual(["a", "b", "c"]);
    expect(byNamespace.revision).toBe(await store.headRevision());
    expect((await store.list({ kind: "Pod", nodeName: node })).items.map((r) => r.name)).toEqual(["a", "b"]);
    expect(await store.list({ kind: "NoSuchKind" })).toEqual({ items: [], revision: byNamespace.revision });
  });

  it("answers every list with exactly the objects committed at its revision, while writes run", async () => {
    const ns = aNamespace();
    const lists: Promise<{ items: { name: string }[]; revision: number }>[] = [];
    const appends = range(0, 120).map(async (i) => {
      if (i % 10 === 0) lists.push(store.list({ kind: "Pod", namespace: ns }));
      return store.append(create(podKey(ns, `p-${i}`)));
    });
    const created = await Promise.all(appends);
    for (const { items, revision } of await Promise.all(lists)) {
      const expected = created.filter((e) => e.revision <= revision).map((e) => e.name);
      expect(items.map((r) => r.name).sort()).toEqual(expected.sort());
    }
  });

  it("reads events after a revision in ascending pages, with their trace context", async () => {
    const ns = aNamespace();
    const head = await store.headRevision();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const appended: StoredEvent[] = [];
    for (const i of range(0, 10)) {
      appended.push(await store.append({ ...create(podKey(ns, `p-${i}`)), ...(i === 0 ? { traceparent, tracestate: "vendor=1" } : {}) }));
    }
    const first = await store.readEvents(head, 4);
    const rest = await store.readEvents(head + 4, 100);
    expect([...first, ...rest]).toEqual(appended);
    expect(first[0]).toMatchObject({ traceparent, tracestate: "vendor=1", actor: "test" });
    expect(first[1]).not.toHaveProperty("traceparent");
    expect(await store.readEvents(head + 10, 100)).toEqual([]);
  });

  it("lists each object with the trace context of its last event", async () => {
    const ns = aNamespace();
    const created = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const modified = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await store.append({ ...create(podKey(ns, "traced")), traceparent: created });
    await store.append({ ...modify(podKey(ns, "traced"), (o) => ({ ...o, spec: { x: 1 } })), traceparent: modified, tracestate: "vendor=1" });
    await store.append({ ...create(podKey(ns, "untraced")), traceparent: created });
    await store.append(modify(podKey(ns, "untraced"), (o) => ({ ...o, spec: { x: 1 } })));
    const { items } = await store.list({ kind: "Pod", namespace: ns });
    expect(items.map((r) => [r.name, r.traceparent, r.tracestate])).toEqual([
      ["traced", modified, "vendor=1"],
      ["untraced", undefined, undefined],
    ]);
  });

  it("rebuilds a projection equal to the live one", async () => {
    const ns = aNamespace();
    const keys = range(0, 30).map((i) => podKey(ns, `p-${i}`));
    await Promise.all(keys.map((k, i) => store.append(create(k, { spec: { nodeName: `node-${i % 3}` } }))));
    await Promise.all(keys.filter((_, i) => i % 2 === 0).map((k) => store.append(modify(k, (o) => ({ ...o, status: { phase: "Running" } })))));
    await Promise.all(keys.filter((_, i) => i % 3 === 0).map((k) => store.append(remove(k))));
    await store.append(create(keys[0]!));
    const head = await store.headRevision();
    const kinds = [...new Set((await store.readEvents(0, head)).map((e) => e.kind))];
    const snapshot = () => Promise.all(kinds.map((kind) => store.list({ kind })));

    const live = await snapshot();
    const rebuilt = await store.rebuildProjection();
    expect(await snapshot()).toEqual(live);
    expect(rebuilt).toEqual({ events: head, objects: live.reduce((n, l) => n + l.items.length, 0) });
  });
});

describe.each([...drivers, { driver: "memory", open: () => Promise.resolve(createInMemoryEventStore()) }])("the past of the log on $driver", ({ open }) => {
  let store: EventStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  it("answers history, get and list at each revision as a replay of the log up to it", async () => {
    const ns = aNamespace();
    const [a, b] = [podKey(ns, "a"), podKey(ns, "b")];
    const start = await store.headRevision();
    await store.append({ ...create(a, { spec: { nodeName: "node-1" } }), verb: "create" });
    await store.append(create(b, { spec: { nodeName: "node-1" } }));
    await store.append({ ...modify(a, (o) => ({ ...o, spec: { nodeName: "node-2" } })), verb: "bind" });
    await store.append({ ...remove(a), verb: "delete" });
    await store.append({ ...create(a), verb: "create" });
    await store.append(modify(b, (o) => ({ ...o, status: { phase: "Running" } })));
    const head = await store.headRevision();
    const log = await store.readEvents(start, 100);

    const history = await store.history(a);
    expect(history).toEqual(log.filter((e) => e.name === "a"));
    expect(history.map((e) => [e.type, e.verb])).toEqual([
      ["ADDED", "create"],
      ["MODIFIED", "bind"],
      ["DELETED", "delete"],
      ["ADDED", "create"],
    ]);
    expect(new Set(history.map((e) => e.uid)).size).toBe(2);
    expect(log[1]).not.toHaveProperty("verb");

    for (let revision = start; revision <= head; revision++) {
      const expected = replay(log.filter((e) => e.revision <= revision));
      expect(await store.listAt({ kind: "Pod", namespace: ns }, revision), `list at ${revision}`).toEqual(expected.sort((x, y) => x.name.localeCompare(y.name)));
      expect(await store.getAt(a, revision), `get at ${revision}`).toEqual(expected.find((r) => r.name === "a"));
    }
    // The node filter reads where each key's last event up to the revision left it.
    expect((await store.listAt({ kind: "Pod", namespace: ns, nodeName: "node-1" }, start + 2)).map((r) => r.name)).toEqual(["a", "b"]);
    expect((await store.listAt({ kind: "Pod", namespace: ns, nodeName: "node-1" }, start + 3)).map((r) => r.name)).toEqual(["b"]);
    expect(await store.history(podKey(ns, "never"))).toEqual([]);
  });

  it("compacts to a revision: what is left replays to the same projection and answers the same from there on", async () => {
    const ns = aNamespace();
    const [a, b, c] = [podKey(ns, "a"), podKey(ns, "b"), podKey(ns, "c")];
    await store.append(create(a));
    await store.append(create(b));
    await store.append(modify(a, (o) => ({ ...o, status: { phase: "Running" } })));
    await store.append(create(c));
    await store.append(remove(c));
    const compactAt = await store.headRevision();
    await store.append(modify(b, (o) => ({ ...o, status: { phase: "Running" } })));
    await store.append(remove(a));
    const head = await store.headRevision();
    const before = await store.readEvents(0, 1_000_000);
    const answersFrom = (revision: number) =>
      Promise.all(range(revision, head - revision + 1).map(async (r) => [await store.listAt({ kind: "Pod", namespace: ns }, r), await store.getAt(a, r)]));
    const answers = await answersFrom(compactAt);
    const live = await store.list({ kind: "Pod" });

    expect(await store.compact(compactAt)).toEqual({ dropped: before.length - retainedEvents(before, compactAt).length });
    expect(await store.readEvents(0, 1_000_000)).toEqual(retainedEvents(before, compactAt));
    expect(await store.compactedRevision()).toBe(compactAt);
    expect((await store.history(a)).map((e) => e.type)).toEqual(["MODIFIED", "DELETED"]);
    expect(await store.history(c)).toEqual([]);
    expect(await answersFrom(compactAt)).toEqual(answers);
    await store.rebuildProjection();
    expect(await store.list({ kind: "Pod" })).toEqual(live);
    await expect(store.compact(head + 1)).rejects.toThrow(`compaction is invalid: revision: Invalid value ${head + 1}: must be a revision from 0 to the head, ${head}`);
  });
});

describe("event store on postgres, two stores on one database", () => {
  let stores: EventStore[];
  beforeAll(async () => {
    stores = [await drivers[0]!.open(), await drivers[0]!.open()];
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  it("keeps revisions gap-free and loses no update when both write at once", async () => {
    const ns = aNamespace();
    const head = await stores[0]!.headRevision();
    const appended = await Promise.all(range(0, 100).map((i) => stores[i % 2]!.append(create(podKey(ns, `p-${i}`)))));
    expect(appended.map((e) => e.revision).sort((a, b) => a - b)).toEqual(range(head + 1, 100));

    const key = { kind: "ConfigMap", namespace: ns, name: "counter" };
    await stores[0]!.append(create(key, { data: { count: 0 } }));
    await Promise.all(range(0, 40).map((i) => increment(stores[i % 2]!, key)));
    expect((await stores[1]!.get(key))?.object.data).toEqual({ count: 40 });
  });
});

describe("event store on a PGlite dataDir", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "capstan-eventstore-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps what was committed across close and reopen", async () => {
    const key = podKey("default", "kept");
    const first = await openEventStore({ dataDir });
    const pending = first.append(create(key));
    await first.close();
    const created = await pending;
    await expect(first.append(create(podKey("default", "late")))).rejects.toSatisfy((e) => isCapstanError(e, "Unavailable"));

    const second = await openEventStore({ dataDir });
    try {
      expect(await second.get(key)).toMatchObject({ revision: created.revision, object: created.object });
      expect(await second.readEvents(0, 10)).toEqual([created]);
      expect((await second.append(create(podKey("default", "next")))).revision).toBe(created.revision + 1);
    } finally {
      await second.close();
    }
  });
});
