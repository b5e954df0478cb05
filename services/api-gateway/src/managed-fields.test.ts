import { describe, expect, it } from "vitest";
import { ApplyConflictError, ObjectRegistry, fromApiObject, toApiObject, type ManagedFieldsEntry } from "@capstan/api";
import { createInMemoryEventStore } from "@capstan/eventstore/testing";

type Json = Record<string, any>;

const T0 = new Date("2026-12-04T10:00:00.000Z");

/** A registry over the in-memory log, with a clock the test moves. */
function setup() {
  let now = T0;
  const store = createInMemoryEventStore({ now: () => now });
  const registry = new ObjectRegistry(store, { now: () => now });
  return { store, registry, later: (seconds: number) => void (now = new Date(now.getTime() + seconds * 1000)) };
}

const as = (fieldManager: string) => ({ actor: "someone", fieldManager });

function deployment(replicas: number, extra: Json = {}): Json {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", ...extra },
    spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } } },
  };
}

const json = (o: Parameters<typeof fromApiObject>[0]): Json => fromApiObject(o).json;
const entries = (o: Json): ManagedFieldsEntry[] => o["metadata"].managedFields ?? [];
const summary = (o: Json) => entries(o).map((e) => `${e.manager} ${e.operation}${e.subresource ? ` ${e.subresource}` : ""}`);

async function withNamespace() {
  const s = setup();
  await s.registry.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }), { actor: "system" });
  return s;
}

describe("managedFields on the registry's writes", () => {
  it("records the creator's Update of every field it set (defaults included), and a later writer's of what it changed", async () => {
    const { registry, later } = await withNamespace();
    const created = json(await registry.create(toApiObject(deployment(2)), as("kubectl-create")));
    const [entry] = entries(created);
    expect(entry).toMatchObject({ manager: "kubectl-create", operation: "Update", apiVersion: "apps/v1", time: "2026-12-04T10:00:00Z", fieldsType: "FieldsV1" });
    // Kubernetes' defaults are the creator's too, as the apiserver records them.
    expect(Object.keys(entry!.fieldsV1["f:spec"] as Json).sort()).toEqual(["f:progressDeadlineSeconds", "f:replicas", "f:revisionHistoryLimit", "f:selector", "f:strategy", "f:template"]);

    later(60);
    const scaled = json(await registry.update(toApiObject({ ...created, spec: { ...created["spec"], replicas: 3 } }), as("hpa")));
    expect(summary(scaled)).toEqual(["kubectl-create Update", "hpa Update"]);
    expect(entries(scaled)[1]).toMatchObject({ time: "2026-12-04T10:01:00Z", fieldsV1: { "f:spec": { "f:replicas": {} } } });
    expect((entries(scaled)[0]!.fieldsV1["f:spec"] as Json)["f:replicas"]).toBeUndefined();
  });

  it("names status writes' entries with the status subresource, owning status only, and leaves an unchanged manager's time alone", async () => {
    const { registry, later } = await withNamespace();
    const created = json(await registry.create(toApiObject(deployment(1)), { actor: "capctl" }));
    later(5);
    const reported = json(await registry.updateStatus(toApiObject({ ...created, status: { replicas: 1 } }), { actor: "deployment-controller" }));
    expect(summary(reported)).toEqual(["capctl Update", "deployment-controller Update status"]);
    expect(entries(reported)[1]!.fieldsV1).toEqual({ "f:status": { "f:replicas": {} } });
    later(5);
    const relabelled = json(await registry.update(toApiObject({ ...reported, metadata: { ...reported["metadata"], labels: { a: "b" } } }), { actor: "deployment-controller" }));
    // The same manager through the object itself is another entry; the status one keeps its time.
    expect(summary(relabelled)).toEqual(["capctl Update", "deployment-controller Update status", "deployment-controller Update"]);
    expect(entries(relabelled)[1]!.time).toBe("2026-12-04T10:00:05Z");
  });

  it("keeps the stored managedFields when a write sends none, and takes a write's own as the owners to start from", async () => {
    const { registry } = await withNamespace();
    const created = json(await registry.create(toApiObject(deployment(1)), as("a")));
    const { managedFields: _kept, ...bare } = created["metadata"];
    const updated = json(await registry.update(toApiObject({ ...created, metadata: { ...bare, labels: { x: "1" } } }), as("b")));
    expect(summary(updated)).toEqual(["a Update", "b Update"]);
    const reset = [{ manager: "c", operation: "Update", apiVersion: "apps/v1", time: "2026-12-04T09:00:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:replicas": {} } } }];
    const replaced = json(await registry.update(toApiObject({ ...updated, metadata: { ...updated["metadata"], managedFields: reset } }), as("b")));
    expect(summary(replaced)).toEqual(["c Update"]);
  });
});

const apply = (registry: ObjectRegistry, replicas: number, fieldManager: string, force = false, dryRun = false) =>
  registry.apply({ kind: "Deployment", namespace: "default", name: "web", configuration: deployment(replicas), fieldManager, force }, { actor: "someone" }, { dryRun });

describe("managedFields a client sends", () => {
  it("refuses an operation or fieldsType the field manager cannot read, naming the field, as ValidateManagedFields does", async () => {
    const { registry } = await withNamespace();
    const bad = [{ manager: "m", operation: "Replace", apiVersion: "apps/v1", time: "", fieldsType: "FieldsV2", fieldsV1: {} }];
    await expect(registry.create(toApiObject(deployment(1, { managedFields: bad })), as("x"))).rejects.toThrow(
      'Deployment "web" is invalid: metadata.managedFields[0].operation: Invalid value "Replace": must be `Apply` or `Update`; metadata.managedFields[0].fieldsType: Invalid value "FieldsV2": must be `FieldsV1`',
    );
  });

  it("reads a list element that is not JSON as naming no item, rather than failing the write", async () => {
    const { registry } = await withNamespace();
    const odd = [{ manager: "m", operation: "Update", apiVersion: "apps/v1", time: "", fieldsType: "FieldsV1", fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:containers": { "k:{not json": {} } } } } } }];
    const created = json(await registry.create(toApiObject(deployment(1, { managedFields: odd })), as("x")));
    expect(summary(created)).toEqual(["x Update"]);
  });
});

describe("server-side apply through the registry", () => {

  it("creates, writes nothing for an unchanged re-apply, refuses another manager's change, and takes it over when forced", async () => {
    const { registry, store } = await withNamespace();
    const created = await apply(registry, 2, "kubectl");
    expect(created.created).toBe(true);
    expect(summary(json(created.object))).toEqual(["kubectl Apply"]);
    const head = await store.headRevision();
    const again = await apply(registry, 2, "kubectl");
    expect(again.created).toBe(false);
    expect(await store.headRevision()).toBe(head);
    expect(json(again.object)["metadata"].resourceVersion).toBe(json(created.object)["metadata"].resourceVersion);

    const refused = await apply(registry, 3, "ci").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApplyConflictError);
    expect((refused as ApplyConflictError).message).toBe('Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');

    const forced = json((await apply(registry, 3, "ci", true)).object);
    expect(forced["spec"].replicas).toBe(3);
    expect(summary(forced)).toEqual(["kubectl Apply", "ci Apply"]);
    expect((entries(forced)[0]!.fieldsV1["f:spec"] as Json)["f:replicas"]).toBeUndefined();
  });
});

describe("dry runs", () => {
  it("decide create, update, apply and delete as they would commit, and write nothing", async () => {
    const { registry, store } = await withNamespace();
    const head = await store.headRevision();
    const wouldCreate = json(await registry.create(toApiObject(deployment(1)), as("kubectl-create"), { dryRun: true }));
    expect(wouldCreate["metadata"]).toMatchObject({ name: "web", generation: 1, uid: expect.any(String) });
    expect(wouldCreate["metadata"].resourceVersion).toBeUndefined();
    expect(wouldCreate["spec"].strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
    expect((await apply(registry, 1, "kubectl", false, true)).created).toBe(true);
    expect(await store.headRevision()).toBe(head);
    await expect(registry.get({ kind: "Deployment", namespace: "default", name: "web" })).rejects.toThrow(/not found/);

    const created = json(await registry.create(toApiObject(deployment(1)), as("kubectl-create")));
    const written = await store.headRevision();
    const wouldUpdate = json(await registry.update(toApiObject({ ...created, spec: { ...created["spec"], replicas: 4 } }), as("edit"), { dryRun: true }));
    expect(wouldUpdate["spec"].replicas).toBe(4);
    expect(wouldUpdate["metadata"].generation).toBe(2);
    expect(wouldUpdate["metadata"].resourceVersion).toBe(created["metadata"].resourceVersion);
    const wouldDelete = await registry.delete({ kind: "Deployment", namespace: "default", name: "web", propagationPolicy: "Foreground", dryRun: true }, as("kubectl"));
    expect(json(wouldDelete.object)["metadata"].finalizers).toEqual(["foregroundDeletion"]);
    // A dry run is refused as the write would be.
    await expect(registry.create(toApiObject(deployment(1)), as("kubectl-create"), { dryRun: true })).rejects.toThrow(/already exists/);
    expect(await store.headRevision()).toBe(written);
    expect(json(await registry.get({ kind: "Deployment", namespace: "default", name: "web" }))).toEqual(created);
  });
});
