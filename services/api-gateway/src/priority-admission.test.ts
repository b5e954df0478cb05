import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteRequest, ensureSystemObjects, fromApiObject, toApiObject } from "@capstan/api";
import type { JetStreamBus } from "@capstan/bus";
import { openEventStore, type EventStore } from "@capstan/eventstore";
import { ObjectService, type CallContext } from "./object-service.js";

type Json = Record<string, any>;

const ctx: CallContext = { actor: "test" };
const noBus = {} as JetStreamBus;

const priorityClass = (name: string, value: number, extra: Json = {}): Json => ({
  apiVersion: "scheduling.k8s.io/v1",
  kind: "PriorityClass",
  metadata: { name },
  value,
  ...extra,
});

const pod = (name: string, spec: Json = {}): Json => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default" },
  spec: { containers: [{ name: "app", image: "nginx" }], ...spec },
});

describe("Priority admission (on an in-memory event store)", () => {
  let store: EventStore;
  let service: ObjectService;
  const create = async (o: Json): Promise<Json> => fromApiObject(await service.create(toApiObject(o), ctx)).json;
  const createdSpec = async (o: Json): Promise<Json> => (await create(o))["spec"];

  beforeAll(async () => {
    store = await openEventStore({});
    service = new ObjectService(store, noBus, () => {}, {});
    // Twice: a restarted gateway finds them there.
    await ensureSystemObjects(service);
    await ensureSystemObjects(service);
    await create(priorityClass("high", 1000, { description: "for the important ones" }));
    await create(priorityClass("batch", 10, { preemptionPolicy: "Never" }));
  }, 30_000);

  afterAll(async () => {
    await store?.close();
  });

  it.each([
    { name: "no class and no default: priority 0", spec: {}, want: { priority: 0, preemptionPolicy: "PreemptLowerPriority" } },
    { name: "a user class", spec: { priorityClassName: "high" }, want: { priority: 1000, priorityClassName: "high", preemptionPolicy: "PreemptLowerPriority" } },
    { name: "a class that never preempts", spec: { priorityClassName: "batch" }, want: { priority: 10, preemptionPolicy: "Never" } },
    { name: "the same priority as the class", spec: { priorityClassName: "high", priority: 1000 }, want: { priority: 1000 } },
    { name: "system-node-critical", spec: { priorityClassName: "system-node-critical" }, want: { priority: 2000001000 } },
    { name: "system-cluster-critical", spec: { priorityClassName: "system-cluster-critical" }, want: { priority: 2000000000 } },
  ])("resolves $name", async ({ name, spec, want }) => {
    expect(await createdSpec(pod(name.replace(/[^a-z0-9]+/g, "-").replace(/-$/, ""), spec))).toMatchObject(want);
  });

  it("refuses a class that does not exist, naming the field", async () => {
    await expect(create(pod("nope", { priorityClassName: "x" }))).rejects.toThrow(
      'Pod "nope" is invalid: spec.priorityClassName: Not found: "x": no PriorityClass with name x was found',
    );
  });

  it("refuses a priority that disagrees with the class, as Kubernetes", async () => {
    await expect(create(pod("liar", { priorityClassName: "high", priority: 5 }))).rejects.toThrow(
      'pods "liar" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name',
    );
    await expect(create(pod("liar", { priorityClassName: "batch", preemptionPolicy: "PreemptLowerPriority" }))).rejects.toThrow(
      "the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never",
    );
  });

  it("gives pods that name no class the global default, and allows only one default", async () => {
    await create(priorityClass("normal", 100, { globalDefault: true }));
    expect(await createdSpec(pod("plain"))).toMatchObject({ priority: 100, priorityClassName: "normal" });
    await expect(create(priorityClass("other", 50, { globalDefault: true }))).rejects.toThrow(
      "PriorityClass normal is already marked as default. Only one default can exist",
    );
    await service.delete(DeleteRequest.fromPartial({ kind: "PriorityClass", name: "normal" }), ctx);
    expect(await createdSpec(pod("plain-again"))).toMatchObject({ priority: 0 });
    expect((await createdSpec(pod("plain-again-2")))["priorityClassName"]).toBeUndefined();
  });

  it("refuses to delete a built-in class", async () => {
    await expect(service.delete(DeleteRequest.fromPartial({ kind: "PriorityClass", name: "system-node-critical" }), ctx)).rejects.toThrow(
      'priorityclasses "system-node-critical" is forbidden: this is a system priority class and cannot be deleted',
    );
  });

  it("keeps a class's value and preemptionPolicy fixed", async () => {
    const current = await fromApiObject(await service.get({ kind: "PriorityClass", namespace: "", name: "high" })).json;
    await expect(service.update(toApiObject({ ...current, value: 2000 }), ctx)).rejects.toThrow("value: Forbidden: may not be changed in an update.");
    const updated = fromApiObject(await service.update(toApiObject({ ...current, description: "changed" }), ctx)).json;
    expect(updated).toMatchObject({ value: 1000, description: "changed" });
  });
});
