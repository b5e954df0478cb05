import { ConflictError, type ObjectKey } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { planBatch } from "./batch-plan.js";
import type { Decision, Mutation } from "./mutation.js";
import { keyString, type ObjectRecord } from "./object-record.js";
import type { JsonObject, StoredEvent } from "./stored-event.js";

const web: ObjectKey = { kind: "Pod", namespace: "default", name: "web" };
const AT = "2025-01-01T00:00:00.000Z";

function podObject(uid = "uid-web", nodeName?: string): JsonObject {
  return { kind: "Pod", metadata: { name: "web", namespace: "default", uid }, spec: nodeName === undefined ? {} : { nodeName } };
}

function mutation(decide: (current: ObjectRecord | undefined) => Decision, key: ObjectKey = web): Mutation {
  return { key, actor: "alice", decide };
}

const create = mutation(() => ({ type: "ADDED", object: podObject() }));
const modify = mutation((current) => ({ type: "MODIFIED", object: { ...current?.object, status: { phase: "Running" } } }));
const remove = mutation((current) => ({ type: "DELETED", object: current?.object ?? {} }));

function storedWeb(revision: number): ReadonlyMap<string, ObjectRecord> {
  const object = podObject();
  (object.metadata as JsonObject).resourceVersion = String(revision);
  return new Map([[keyString(web), { ...web, uid: "uid-web", nodeName: "", revision, object }]]);
}

function outcomeSummary(outcome: StoredEvent | Error): string {
  return outcome instanceof Error ? `${outcome.name}` : `${outcome.type}@${outcome.revision}`;
}

describe("planBatch", () => {
  describe("refuses a write that leaves an object larger than maxObjectBytes", () => {
    const grow = (bytes: number) => mutation((current) => ({ type: "MODIFIED", object: { ...current?.object, status: { message: "é".repeat(bytes / 2) } } }));
    const sizeOf = (plan: ReturnType<typeof planBatch>) => Buffer.byteLength(JSON.stringify((plan.outcomes[0] as StoredEvent).object));

    it("counts UTF-8 bytes: the same write passes at its own size and fails one byte below", () => {
      const exact = sizeOf(planBatch([grow(2000)], storedWeb(7), 7, AT));
      expect(planBatch([grow(2000)], storedWeb(7), 7, AT, exact).outcomes.map(outcomeSummary)).toEqual(["MODIFIED@8"]);
      // The resourceVersion the store stamps ("8") is part of what is measured.
      const refused = planBatch([grow(2000), modify], storedWeb(7), 7, AT, exact - 1);
      expect(refused.outcomes.map(outcomeSummary)).toEqual(["Invalid", "MODIFIED@8"]);
      expect((refused.outcomes[0] as Error).message).toBe(`Pod "web" is invalid: metadata: Too long: object size ${exact} exceeds the limit of ${exact - 1} bytes`);
    });

    it("still deletes an object stored before the limit held", () => {
      const big = storedWeb(7);
      const record = big.get(keyString(web))!;
      (record.object as JsonObject).spec = { blob: "x".repeat(10_000) };
      expect(planBatch([modify, remove], big, 7, AT, 1000).outcomes.map(outcomeSummary)).toEqual(["Invalid", "DELETED@8"]);
    });
  });

  it("lets a mutation read another key as stored, overlaid with the batch's earlier writes", () => {
    const other: ObjectKey = { kind: "Pod", namespace: "default", name: "other" };
    const seesWeb = (): Mutation => ({
      key: other,
      actor: "alice",
      reads: [web],
      decide: (_current, read) =>
        read(web) ? { type: "ADDED", object: { ...podObject("uid-other"), metadata: { name: "other", namespace: "default", uid: "uid-other" } } } : { error: new ConflictError(other, "web is missing") },
    });
    expect(planBatch([seesWeb()], new Map(), 7, AT).outcomes.map(outcomeSummary)).toEqual(["Conflict"]);
    expect(planBatch([create, seesWeb()], new Map(), 7, AT).outcomes.map(outcomeSummary)).toEqual(["ADDED@8", "ADDED@9"]);
    expect(planBatch([remove, seesWeb()], storedWeb(7), 7, AT).outcomes.map(outcomeSummary)).toEqual(["DELETED@8", "Conflict"]);
  });

  it.each([
    { name: "numbers accepted events from head", stored: new Map(), mutations: [create], outcomes: ["ADDED@8"] },
    { name: "a later mutation sees an earlier one of the batch", stored: new Map(), mutations: [create, modify, remove], outcomes: ["ADDED@8", "MODIFIED@9", "DELETED@10"] },
    { name: "a second create of the same key already exists", stored: new Map(), mutations: [create, create], outcomes: ["ADDED@8", "AlreadyExists"] },
    { name: "a create over a stored object already exists", stored: storedWeb(7), mutations: [create], outcomes: ["AlreadyExists"] },
    { name: "a modify of a missing object is not found", stored: new Map(), mutations: [modify], outcomes: ["NotFound"] },
    { name: "a delete of a missing object is not found", stored: new Map(), mutations: [remove], outcomes: ["NotFound"] },
    { name: "a create after a delete in the batch is allowed", stored: storedWeb(7), mutations: [remove, create], outcomes: ["DELETED@8", "ADDED@9"] },
    {
      name: "a refused decision leaves no gap",
      stored: storedWeb(7),
      mutations: [mutation(() => ({ error: new ConflictError(web, "stale") })), modify],
      outcomes: ["Conflict", "MODIFIED@8"],
    },
    {
      name: "a decide that throws fails alone",
      stored: storedWeb(7),
      mutations: [
        mutation(() => {
          throw new TypeError("bug");
        }),
        modify,
      ],
      outcomes: ["TypeError", "MODIFIED@8"],
    },
    { name: "an object without a uid is invalid", stored: new Map(), mutations: [mutation(() => ({ type: "ADDED", object: { metadata: { name: "web" } } }))], outcomes: ["Invalid"] },
  ])("$name", ({ stored, mutations, outcomes }) => {
    const plan = planBatch(mutations, stored, 7, AT);
    expect(plan.outcomes.map(outcomeSummary)).toEqual(outcomes);
    expect(plan.events.map((e) => e.revision)).toEqual(outcomes.filter((o) => o.includes("@")).map((o) => Number(o.split("@")[1])));
  });

  it("stamps resourceVersion on a copy and takes uid and nodeName from the object", () => {
    const object = podObject("uid-1", "node-a");
    const plan = planBatch([mutation(() => ({ type: "ADDED", object }))], new Map(), 41, AT);
    expect(plan.events[0]).toMatchObject({ revision: 42, uid: "uid-1", nodeName: "node-a", committedAt: AT, actor: "alice" });
    expect(plan.events[0]?.object.metadata).toEqual({ name: "web", namespace: "default", uid: "uid-1", resourceVersion: "42" });
    expect(object.metadata).not.toHaveProperty("resourceVersion");
  });

  it("passes each decide the record left by the batch so far", () => {
    const seen: (string | undefined)[] = [];
    const record = (current: ObjectRecord | undefined): Decision => {
      seen.push((current?.object.metadata as JsonObject | undefined)?.resourceVersion as string | undefined);
      return current ? { type: "MODIFIED", object: current.object } : { type: "ADDED", object: podObject() };
    };
    planBatch([mutation(record), mutation(record), mutation(record)], new Map(), 0, AT);
    expect(seen).toEqual([undefined, "1", "2"]);
  });

  it("carries trace context only when given", () => {
    const traced = { ...create, traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", tracestate: "vendor=1" };
    const plan = planBatch([traced, { ...create, key: { ...web, name: "other" } }], new Map(), 0, AT);
    expect(plan.events[0]).toMatchObject({ traceparent: traced.traceparent, tracestate: "vendor=1" });
    expect(plan.events[1]).not.toHaveProperty("traceparent");
  });

  describe("related writes", () => {
    const record: ObjectKey = { kind: "RangeAllocation", namespace: "", name: "serviceips" };
    const recordObject = (taken: string[]): JsonObject => ({ kind: "RangeAllocation", metadata: { name: "serviceips", uid: "uid-range" }, taken });
    /** Creates a pod that takes `ip` in the record, refusing an ip already taken. */
    const takes = (name: string, ip: string, reads: ObjectKey[] = [record]): Mutation => ({
      key: { ...web, name },
      actor: "alice",
      reads,
      decide: (_current, read) => {
        const was = read(record);
        const taken = (was?.object["taken"] as string[] | undefined) ?? [];
        if (taken.includes(ip)) return { error: new ConflictError(record, `${ip} is taken`) };
        return {
          type: "ADDED",
          object: { ...podObject(`uid-${name}`), metadata: { name, namespace: "default", uid: `uid-${name}` } },
          related: [{ key: record, type: was ? "MODIFIED" : "ADDED", object: recordObject([...taken, ip]) }],
        };
      },
    });

    it("commit with the mutation's own event, numbered after it, and later mutations of the batch see them", () => {
      const plan = planBatch([takes("a", "10.0.0.2"), takes("b", "10.0.0.2"), takes("c", "10.0.0.3")], new Map(), 7, AT);
      expect(plan.outcomes.map(outcomeSummary)).toEqual(["ADDED@8", "Conflict", "ADDED@10"]);
      expect(plan.events.map((e) => `${e.kind}/${e.name}@${e.revision}`)).toEqual(["Pod/a@8", "RangeAllocation/serviceips@9", "Pod/c@10", "RangeAllocation/serviceips@11"]);
      expect(plan.changes.get(keyString(record))?.row?.object["taken"]).toEqual(["10.0.0.2", "10.0.0.3"]);
    });

    it("are refused with the whole mutation when their key was not read or their transition is invalid", () => {
      expect(planBatch([takes("a", "10.0.0.2", [])], new Map(), 7, AT).outcomes.map(outcomeSummary)).toEqual(["Error"]);
      const addsOverLive: Mutation = {
        ...takes("a", "10.0.0.2"),
        decide: () => ({ type: "ADDED", object: podObject("uid-a"), related: [{ key: record, type: "ADDED", object: recordObject([]) }] }),
      };
      const stored = new Map([[keyString(record), { ...record, uid: "uid-range", nodeName: "", revision: 3, object: recordObject([]) }]]);
      const plan = planBatch([addsOverLive], stored, 7, AT);
      expect(plan.outcomes.map(outcomeSummary)).toEqual(["AlreadyExists"]);
      expect(plan.events).toEqual([]);
    });
  });
});
