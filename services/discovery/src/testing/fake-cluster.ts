import { fromApiObject, toApiObject, type ApiObject, type DeleteRequest, type DeleteResponse } from "@capstan/api";
import { AlreadyExistsError, ConflictError, NotFoundError } from "@capstan/apimachinery";
import { Informer } from "@capstan/controller-runtime";
import { FakeListWatch } from "@capstan/controller-runtime/testing";
import type { EndpointsClient } from "../endpoints/reconcile.js";

type Json = Record<string, any>;

/** One kind's informer on a fake feed. */
class FakeKind {
  readonly feed = new FakeListWatch();
  readonly informer: Informer;
  constructor(kind: string) {
    this.informer = new Informer({ kind, listWatch: this.feed.listWatch, log: () => {} }).start();
  }
}

/**
 * The gateway in memory: every write goes to the informer of its kind as the event it causes, with a
 * resourceVersion the informer then reflects, and stale updates are conflicts.
 */
export class FakeCluster implements EndpointsClient {
  readonly kinds = new Map<string, FakeKind>(["Service", "Pod", "Endpoints", "EndpointSlice"].map((k) => [k, new FakeKind(k)]));
  writes = 0;
  private uids = 0;
  private names = 0;

  informer(kind: string): Informer {
    return this.kinds.get(kind)!.informer;
  }

  async start(): Promise<void> {
    for (const kind of this.kinds.values()) await kind.feed.list([]);
  }

  /** Puts an object as it would be after a write through the API (a test's own set-up). */
  async put(obj: Json): Promise<Json> {
    const kind = this.kinds.get(obj["kind"])!;
    const existing = kind.informer.get(obj["metadata"].namespace ?? "", obj["metadata"].name);
    const stored = {
      ...obj,
      metadata: { uid: (existing?.["metadata"] as Json | undefined)?.["uid"] ?? `uid-${++this.uids}`, ...obj["metadata"], resourceVersion: String(kind.informer.revision + 1) },
    };
    await kind.feed.emit(existing ? "MODIFIED" : "ADDED", stored);
    return stored;
  }

  async remove(kind: string, namespace: string, name: string): Promise<void> {
    const k = this.kinds.get(kind)!;
    const obj = k.informer.get(namespace, name);
    if (obj) await k.feed.emit("DELETED", obj);
  }

  async create(object: ApiObject): Promise<ApiObject> {
    this.writes++;
    const { json } = fromApiObject(object);
    const meta = json["metadata"] as Json;
    const name = meta["name"] || `${meta["generateName"]}${++this.names}`;
    if (this.informer(json["kind"] as string).get(meta["namespace"], name)) throw new AlreadyExistsError({ kind: json["kind"] as string, namespace: meta["namespace"], name });
    return toObject(await this.put({ ...json, metadata: { ...meta, name } }));
  }

  async update(object: ApiObject): Promise<ApiObject> {
    this.writes++;
    const { json } = fromApiObject(object);
    const meta = json["metadata"] as Json;
    const key = { kind: json["kind"] as string, namespace: meta["namespace"], name: meta["name"] };
    const current = this.informer(key.kind).get(key.namespace, key.name);
    if (!current) throw new NotFoundError(key);
    if ((current["metadata"] as Json)["resourceVersion"] !== meta["resourceVersion"]) throw new ConflictError(key, "the object has been modified");
    return toObject(await this.put(json));
  }

  async delete(req: Partial<DeleteRequest> & { kind: string; name: string }): Promise<DeleteResponse> {
    this.writes++;
    const current = this.informer(req.kind).get(req.namespace ?? "", req.name);
    if (!current) throw new NotFoundError({ kind: req.kind, namespace: req.namespace ?? "", name: req.name });
    await this.remove(req.kind, req.namespace ?? "", req.name);
    return { object: toObject({ ...current, metadata: { ...(current["metadata"] as Json), resourceVersion: String(this.informer(req.kind).revision) } }), deleted: true };
  }

  list(kind: string): Json[] {
    return this.informer(kind).list() as Json[];
  }
}

function toObject(json: Json): ApiObject {
  const { generateName: _, ...metadata } = json["metadata"];
  return toApiObject({ ...json, metadata });
}
