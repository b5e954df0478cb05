import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteRequest, ListRequest, ensureSystemObjects, fromApiObject, toApiObject } from "@capstan/api";
import type { JetStreamBus } from "@capstan/bus";
import { openEventStore, type EventStore } from "@capstan/eventstore";
import { ObjectService, type CallContext } from "./object-service.js";

type Json = Record<string, any>;

const ctx: CallContext = { actor: "test" };
const noBus = {} as JetStreamBus;
const DEFAULT = "storageclass.kubernetes.io/is-default-class";

const storageClass = (name: string, annotations: Json = {}): Json => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name, annotations },
  provisioner: "example.com/disk",
});

const claim = (name: string, spec: Json = {}): Json => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace: "default" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
});

describe("DefaultStorageClass admission (on an in-memory event store)", () => {
  let store: EventStore;
  let service: ObjectService;
  const json = (o: Awaited<ReturnType<ObjectService["create"]>>): Json => fromApiObject(o).json;
  const create = async (o: Json): Promise<Json> => json(await service.create(toApiObject(o), ctx));
  const classOf = async (spec: Json = {}, name = `c-${Math.random().toString(36).slice(2, 8)}`): Promise<unknown> => (await create(claim(name, spec)))["spec"]["storageClassName"];

  beforeAll(async () => {
    store = await openEventStore({});
    service = new ObjectService(store, noBus, () => {}, {});
    // Twice: a restarted gateway finds them there.
    await ensureSystemObjects(service);
    await ensureSystemObjects(service);
  });
  afterAll(async () => {
    await store.close();
  });

  it("installs local-path, the default class of a new cluster, once", async () => {
    const sc = json(await service.get({ kind: "StorageClass", namespace: "", name: "local-path" }));
    expect(sc).toMatchObject({
      metadata: { annotations: { [DEFAULT]: "true" } },
      provisioner: "capstan.io/local-path",
      reclaimPolicy: "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
    });
    expect((await service.list(ListRequest.fromPartial({ kind: "StorageClass" }))).items).toHaveLength(1);
  });

  it("gives a claim naming no class the default one; a class named, or \"\" for none, stays", async () => {
    expect(await classOf()).toBe("local-path");
    expect(await classOf({ storageClassName: "" })).toBe("");
    expect(await classOf({ storageClassName: "ssd" })).toBe("ssd");
  });

  it("follows the default as it changes: the newest of several, then none", async () => {
    await create(storageClass("fast", { [DEFAULT]: "true" }));
    expect(await classOf()).toBe("fast");

    const fast = json(await service.get({ kind: "StorageClass", namespace: "", name: "fast" }));
    await service.update(toApiObject({ ...fast, metadata: { ...fast["metadata"], annotations: {} } }), ctx);
    expect(await classOf()).toBe("local-path");

    await service.delete(DeleteRequest.fromPartial({ kind: "StorageClass", name: "local-path" }), ctx);
    expect(await classOf()).toBeUndefined();
  });
});
