import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { JetStreamBus, type BusEvent } from "@capstan/bus";
import type { CapstanClient, JsonObject } from "@capstan/client";
import { createInformer, Informer, type ResourceEventHandler } from "./informer.js";
import { OWNER_UID_INDEX } from "./object-cache.js";
import { objectKey } from "./object-key.js";
import { eventually, FakeListWatch } from "./testing/index.js";

function aPod(name: string, rv: string, opts: { owner?: string; labels?: Record<string, string> } = {}): JsonObject {
  return {
    kind: "Pod",
    metadata: {
      namespace: "default",
      name,
      uid: `uid-${name}`,
      resourceVersion: rv,
      labels: opts.labels ?? {},
      ...(opts.owner ? { ownerReferences: [{ kind: "ReplicaSet", name: opts.owner, uid: `uid-${opts.owner}`, controller: true }] } : {}),
    },
  };
}

/** What a handler was told, as short strings: "add default/a@1", "update default/a@1→2". */
function recording(): { seen: string[]; handler: ResourceEventHandler } {
  const seen: string[] = [];
  const rv = (o: JsonObject) => (o["metadata"] as { resourceVersion: string }).resourceVersion;
  return {
    seen,
    handler: {
      onAdd: (o) => seen.push(`add ${objectKey(o)}@${rv(o)}`),
      onUpdate: (old, o) => seen.push(`update ${objectKey(o)}@${rv(old)}→${rv(o)}`),
      onDelete: (o) => seen.push(`delete ${objectKey(o)}@${rv(o)}`),
    },
  };
}

function anInformer(log: string[] = []): { informer: Informer; source: FakeListWatch } {
  const source = new FakeListWatch();
  const informer = new Informer({ kind: "Pod", listWatch: source.listWatch, log: (m) => log.push(m) });
  return { informer: informer.start(), source };
}

describe("Informer", () => {
  it("is synced once the first list is in the cache", async () => {
    const { informer, source } = anInformer();
    expect(informer.hasSynced).toBe(false);
    await source.list([aPod("a", "1")]);
    await informer.synced;
    expect(informer.hasSynced).toBe(true);
    expect(informer.get("default", "a")).toMatchObject({ metadata: { name: "a" } });
  });

  it("tells handlers of adds, updates with old and new, and deletes, after the cache has changed", async () => {
    const { informer, source } = anInformer();
    const { seen, handler } = recording();
    let cachedWhenTold: unknown;
    informer.addEventHandler(handler);
    informer.addEventHandler({ onUpdate: () => (cachedWhenTold = informer.get("default", "a")) });
    await source.list([]);
    await source.emit("ADDED", aPod("a", "2"));
    await source.emit("MODIFIED", aPod("a", "3"));
    await source.emit("DELETED", aPod("a", "4"));
    expect(seen).toEqual(["add default/a@2", "update default/a@2→3", "delete default/a@4"]);
    expect(cachedWhenTold).toMatchObject({ metadata: { resourceVersion: "3" } });
    expect(informer.list()).toEqual([]);
  });

  it("turns a re-list into the differences: gone objects deleted, changed ones updated, same ones untouched", async () => {
    const { informer, source } = anInformer();
    const { seen, handler } = recording();
    informer.addEventHandler(handler);
    await source.list([aPod("kept", "1"), aPod("changed", "1"), aPod("gone", "1")]);
    seen.length = 0;
    await source.list([aPod("kept", "1"), aPod("changed", "5"), aPod("new", "6")]);
    expect(seen.sort()).toEqual(["add default/new@6", "delete default/gone@1", "update default/changed@1→5"]);
    expect(informer.list().map(objectKey).sort()).toEqual(["default/changed", "default/kept", "default/new"]);
  });

  it("replays the cache to a handler registered late, so it misses nothing", async () => {
    const { informer, source } = anInformer();
    await source.list([aPod("a", "1"), aPod("b", "1")]);
    const { seen, handler } = recording();
    informer.addEventHandler(handler);
    expect(seen.sort()).toEqual(["add default/a@1", "add default/b@1"]);
  });

  it("stops telling a removed handler", async () => {
    const { informer, source } = anInformer();
    const { seen, handler } = recording();
    const remove = informer.addEventHandler(handler);
    await source.list([]);
    remove();
    await source.emit("ADDED", aPod("a", "1"));
    expect(seen).toEqual([]);
  });

  it("hands handlers the trace of the write that caused the change", async () => {
    const { informer, source } = anInformer();
    const traces: (string | undefined)[] = [];
    informer.addEventHandler({ onAdd: (_, trace) => traces.push(trace.traceparent) });
    await source.list([aPod("listed", "1")]);
    await source.emit("ADDED", aPod("a", "2"), { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
    expect(traces).toEqual([undefined, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]);
  });

  it("hands handlers the trace of each listed object's last write, so a change first seen in a list keeps its trace", async () => {
    const { informer, source } = anInformer();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const seen: [string, string, string | undefined][] = [];
    const record = (type: string) => (obj: JsonObject, trace: { traceparent?: string }) => seen.push([type, objectKey(obj), trace.traceparent]);
    informer.addEventHandler({ onAdd: record("add"), onUpdate: (_, obj, trace) => record("update")(obj, trace), onDelete: record("delete") });
    await source.list([aPod("traced", "1"), aPod("untraced", "2"), aPod("gone", "3")], { "uid-traced": { traceparent } });
    await source.list([aPod("traced", "4"), aPod("untraced", "2")], { "uid-traced": { traceparent }, "uid-gone": { traceparent } });
    expect(seen).toEqual([
      ["add", "default/traced", traceparent],
      ["add", "default/untraced", undefined],
      ["add", "default/gone", undefined],
      ["delete", "default/gone", undefined],
      ["update", "default/traced", traceparent],
    ]);
  });

  it("tells a handler registered later of each cached object with the trace of its last write", async () => {
    const { informer, source } = anInformer();
    const listed = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const watched = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await source.list([aPod("listed", "1"), aPod("rewritten", "2")], { "uid-listed": { traceparent: listed }, "uid-rewritten": { traceparent: listed } });
    await source.emit("ADDED", aPod("watched", "3"), { traceparent: watched });
    await source.emit("MODIFIED", aPod("rewritten", "4"));
    const seen: [string, string | undefined][] = [];
    informer.addEventHandler({ onAdd: (obj, trace) => seen.push([objectKey(obj), trace.traceparent]) });
    expect(seen.sort()).toEqual([
      ["default/listed", listed],
      ["default/rewritten", undefined],
      ["default/watched", watched],
    ]);
  });

  it("keeps the cache and the other handlers going when one handler throws, and logs it", async () => {
    const log: string[] = [];
    const { informer, source } = anInformer(log);
    const { seen, handler } = recording();
    informer.addEventHandler({ onAdd: () => { throw new Error("boom"); } });
    informer.addEventHandler(handler);
    await source.list([]);
    await source.emit("ADDED", aPod("a", "1"));
    expect(seen).toEqual(["add default/a@1"]);
    expect(informer.get("default", "a")).toBeDefined();
    expect(log).toEqual(["Pod add handler for default/a: boom"]);
  });

  it("tells a writer when the cache holds its write's revision, and gives up after the timeout", async () => {
    const { informer, source } = anInformer();
    await source.list([]);
    const reached = informer.waitForRevision(3, 5_000);
    const late = informer.waitForRevision(9, 50);
    await source.emit("ADDED", aPod("a", "2"));
    let settled = false;
    void reached.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await source.emit("ADDED", aPod("b", "3"));
    expect(await reached).toBe(true);
    expect(informer.get("default", "b")).toBeDefined();
    expect(await late).toBe(false);
    expect(await informer.waitForRevision(1)).toBe(true);
  });

  it("indexes by owner uid, by label and by custom indexers", async () => {
    const { informer, source } = anInformer();
    informer.addIndexer("app", (o) => [((o["metadata"] as { labels: Record<string, string> }).labels["app"]) ?? ""]);
    await source.list([aPod("web-1", "1", { owner: "web", labels: { app: "web" } }), aPod("db-1", "1", { owner: "db", labels: { app: "db" } })]);
    await source.emit("MODIFIED", aPod("web-1", "2", { owner: "db", labels: { app: "web" } }));
    expect(informer.byIndex(OWNER_UID_INDEX, "uid-web")).toEqual([]);
    expect(informer.byIndex(OWNER_UID_INDEX, "uid-db").map(objectKey).sort()).toEqual(["default/db-1", "default/web-1"]);
    expect(informer.byIndex("app", "web").map(objectKey)).toEqual(["default/web-1"]);
    expect(informer.list("default", "app=db").map(objectKey)).toEqual(["default/db-1"]);
  });
});

describe("createInformer on the bus", () => {
  const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
  let bus: JetStreamBus | undefined;
  let informer: Informer | undefined;

  afterEach(async () => {
    await informer?.stop();
    await bus?.deleteStream();
    await bus?.close();
  });

  function event(revision: number, type: BusEvent["type"], name: string): BusEvent {
    return { revision, type, kind: "Pod", namespace: "default", name, nodeName: "", actor: "test", object: aPod(name, String(revision)) };
  }

  it("watches from the revision it listed at: nothing before it, everything after, in order", async () => {
    bus = await JetStreamBus.connect({ url, prefix: `t${randomBytes(4).toString("hex")}`, owner: true });
    await bus.publishInOrder([event(1, "ADDED", "before"), event(2, "MODIFIED", "before")]);
    // The gateway's list at revision 2 already holds what those events did; here it is empty.
    const client = { list: async () => ({ items: [], resourceVersion: "2" }) } as unknown as CapstanClient;
    informer = createInformer({ client, bus, kind: "Pod", log: () => {} });
    const { seen, handler } = recording();
    informer.addEventHandler(handler);
    informer.start();
    await informer.synced;

    await bus.publishInOrder([event(3, "ADDED", "a"), event(4, "MODIFIED", "a"), event(5, "ADDED", "b"), event(6, "DELETED", "b")]);
    await eventually(() => (informer!.revision === 6 ? true : undefined));
    expect(seen).toEqual(["add default/a@3", "update default/a@3→4", "add default/b@5", "delete default/b@6"]);
    expect(informer.list().map(objectKey)).toEqual(["default/a"]);
  });
});
