import { isCapstanError, type ObjectKey } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import type { Decision, Mutation } from "../mutation.js";
import type { ObjectRecord } from "../object-record.js";
import type { JsonObject, StoredEvent } from "../stored-event.js";
import { createInMemoryEventStore } from "./in-memory-event-store.js";

const AT = new Date("2026-03-01T12:00:00.000Z");
const key = (name: string): ObjectKey => ({ kind: "Pod", namespace: "default", name });
const pod = (name: string, extra: JsonObject = {}): JsonObject => ({ kind: "Pod", metadata: { name, namespace: "default", uid: `uid-${name}` }, spec: { nodeName: "node-1" }, ...extra });

function mutation(name: string, decide: (current: ObjectRecord | undefined) => Decision): Mutation {
  return { key: key(name), actor: "alice", decide };
}
const create = (name: string) => mutation(name, () => ({ type: "ADDED", object: pod(name) }));
const remove = (name: string) => mutation(name, (current) => ({ type: "DELETED", object: current?.object ?? {} }));

describe("InMemoryEventStore", () => {
  it("numbers a burst's events from 1 in order, stamps their resourceVersion, and projects them", async () => {
    const store = createInMemoryEventStore({ now: () => AT });
    const events = await Promise.all(["a", "b", "c"].map((n) => store.append(create(n))));

    expect(events.map((e) => [e.name, e.revision, (e.object["metadata"] as JsonObject)["resourceVersion"], e.nodeName, e.committedAt])).toEqual([
      ["a", 1, "1", "node-1", AT.toISOString()],
      ["b", 2, "2", "node-1", AT.toISOString()],
      ["c", 3, "3", "node-1", AT.toISOString()],
    ]);
    expect(await store.list({ kind: "Pod", nodeName: "node-1" })).toMatchObject({ revision: 3, items: [{ name: "a" }, { name: "b" }, { name: "c" }] });
    expect(await store.list({ kind: "Pod", nodeName: "node-2" })).toEqual({ revision: 3, items: [] });
  });

  it("lists each object with the trace context of its last event, as the database does", async () => {
    const store = createInMemoryEventStore({ now: () => AT });
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await store.append({ ...create("a"), traceparent, tracestate: "vendor=1" });
    await store.append(create("b"));
    await store.append({ ...create("c"), traceparent });
    await store.append(remove("c"));
    const { items } = await store.list({ kind: "Pod" });
    expect(items.map((r) => [r.name, r.traceparent, r.tracestate])).toEqual([
      ["a", traceparent, "vendor=1"],
      ["b", undefined, undefined],
    ]);
  });

  it("rejects a mutation its decision or the transition rules refuse, alone, and writes nothing for it", async () => {
    const store = createInMemoryEventStore();
    const results = await Promise.allSettled([store.append(create("a")), store.append(create("a")), store.append(remove("gone")), store.append(create("b"))]);

    expect(results.map((r) => (r.status === "fulfilled" ? `${r.value.type}@${r.value.revision}` : (r.reason as { code: string }).code))).toEqual([
      "ADDED@1",
      "AlreadyExists",
      "NotFound",
      "ADDED@2",
    ]);
    expect((await store.readEvents(0, 10)).map((e) => e.name)).toEqual(["a", "b"]);
  });

  it("refuses an object larger than its limit as Invalid", async () => {
    const store = createInMemoryEventStore({ maxObjectBytes: 200 });
    const big = mutation("big", () => ({ type: "ADDED", object: pod("big", { status: { message: "x".repeat(200) } }) }));
    const refused = await store.append(big).catch((e: unknown) => e);
    expect(isCapstanError(refused, "Invalid")).toBe(true);
    expect(store.revision).toBe(0);
  });

  it("hands a follower the log after its revision, then each commit as it happens, until it stops", async () => {
    const store = createInMemoryEventStore();
    await store.append(create("a"));
    await store.append(create("b"));
    const seen: string[] = [];
    const stop = store.follow(1, (e: StoredEvent) => seen.push(`${e.type} ${e.name}@${e.revision}`));
    expect(seen).toEqual(["ADDED b@2"]);

    await store.append(remove("a"));
    stop();
    await store.append(create("c"));
    expect(seen).toEqual(["ADDED b@2", "DELETED a@3"]);
  });

  it("rebuilds the projection it has from its log", async () => {
    const store = createInMemoryEventStore();
    for (const m of [create("a"), create("b"), remove("a"), create("c")]) await store.append(m);
    const live = await store.list({ kind: "Pod" });

    expect(await store.rebuildProjection()).toEqual({ events: 4, objects: 2 });
    expect(await store.list({ kind: "Pod" })).toEqual(live);
  });
});
