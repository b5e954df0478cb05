import { fromApiObject, toApiObject, type ApiObject, type DeleteRequest, type GetRequest, type ListRequest, type ListResponse } from "@capstan/api";
import { ConflictError, FINALIZER_DELETE_DEPENDENTS, FINALIZER_ORPHAN_DEPENDENTS, NotFoundError } from "@capstan/apimachinery";
import type { JsonObject } from "@capstan/client";
import type { GarbageCollectorClient } from "../garbage-collector.js";

type Meta = JsonObject & { name: string; namespace: string; uid: string; resourceVersion: string; finalizers?: string[]; deletionTimestamp?: string };

const meta = (o: JsonObject) => o["metadata"] as Meta;
const id = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/**
 * The gateway's delete and update rules in memory, without grace periods: a delete with Foreground or
 * Orphan, or of an object with finalizers, only marks it; an update that removes its last finalizer
 * removes it. Every write bumps `revision`.
 */
export class FakeGateway implements GarbageCollectorClient {
  revision = 0;
  private readonly objects = new Map<string, JsonObject>();

  constructor(objects: JsonObject[] = []) {
    for (const o of objects) this.put(o);
  }

  /** The stored objects of a kind, as an informer would list them. */
  all(kind: string): JsonObject[] {
    return [...this.objects.values()].filter((o) => o["kind"] === kind);
  }

  find(kind: string, name: string, namespace = "default"): JsonObject | undefined {
    return this.objects.get(id(kind, namespace, name));
  }

  put(object: JsonObject): void {
    const m = meta(object);
    this.revision++;
    this.objects.set(id(String(object["kind"]), m.namespace ?? "", m.name), { ...object, metadata: { ...m, resourceVersion: String(this.revision) } });
  }

  async get(req: GetRequest): Promise<ApiObject> {
    const o = this.objects.get(id(req.kind, req.namespace, req.name));
    if (!o) throw new NotFoundError(req);
    return toApiObject(o);
  }

  async list(req: Partial<ListRequest> & { kind: string }): Promise<ListResponse> {
    const items = this.all(req.kind).filter((o) => !req.namespace || meta(o).namespace === req.namespace);
    return { items: items.map(toApiObject), resourceVersion: String(this.revision) };
  }

  async update(obj: ApiObject): Promise<ApiObject> {
    const { kind, json } = fromApiObject(obj);
    const asked = meta(json);
    const key = { kind, namespace: asked.namespace, name: asked.name };
    const current = this.objects.get(id(kind, asked.namespace, asked.name));
    if (!current) throw new NotFoundError(key);
    if (asked.resourceVersion && asked.resourceVersion !== meta(current).resourceVersion) throw new ConflictError(key, "the object has been modified");
    const { deletionTimestamp } = meta(current);
    const updated = { ...json, metadata: { ...asked, ...(deletionTimestamp ? { deletionTimestamp } : {}) } };
    if (deletionTimestamp && (asked.finalizers ?? []).length === 0) this.remove(updated);
    else this.put(updated);
    return toApiObject(updated);
  }

  async delete(req: Partial<DeleteRequest> & { kind: string; name: string }): Promise<{ object: ApiObject; deleted: boolean }> {
    const key = { kind: req.kind, namespace: req.namespace ?? "", name: req.name };
    const current = this.objects.get(id(key.kind, key.namespace, key.name));
    if (!current) throw new NotFoundError(key);
    if (req.preconditions?.uid && req.preconditions.uid !== meta(current).uid) throw new ConflictError(key, "Precondition failed: UID");
    const rv = req.preconditions?.resourceVersion;
    if (rv && rv !== meta(current).resourceVersion) throw new ConflictError(key, "Precondition failed: ResourceVersion");
    let finalizers = meta(current).finalizers ?? [];
    if (req.propagationPolicy) {
      finalizers = finalizers.filter((f) => f !== FINALIZER_ORPHAN_DEPENDENTS && f !== FINALIZER_DELETE_DEPENDENTS);
      if (req.propagationPolicy === "Orphan") finalizers.push(FINALIZER_ORPHAN_DEPENDENTS);
      if (req.propagationPolicy === "Foreground") finalizers.push(FINALIZER_DELETE_DEPENDENTS);
    }
    if (finalizers.length === 0) {
      this.remove(current);
      return { object: toApiObject(current), deleted: true };
    }
    const marked = { ...current, metadata: { ...meta(current), finalizers, deletionTimestamp: meta(current).deletionTimestamp ?? "2026-03-01T12:00:00.000Z" } };
    this.put(marked);
    return { object: toApiObject(marked), deleted: false };
  }

  private remove(object: JsonObject): void {
    const m = meta(object);
    this.revision++;
    this.objects.delete(id(String(object["kind"]), m.namespace ?? "", m.name));
  }
}
