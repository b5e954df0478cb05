import { fromApiObject, toApiObject, type ApiObject, type DeleteRequest, type DeleteResponse } from "@capstan/api";
import { ConflictError, NotFoundError } from "@capstan/apimachinery";
import type { JsonObject } from "@capstan/client";
import { Informer } from "@capstan/controller-runtime";
import { FakeListWatch } from "@capstan/controller-runtime/testing";
import type { NodeWriter, Recorder } from "../node-lifecycle-controller.js";
import type { PodWriter } from "../taint-eviction-controller.js";

export interface RecordedEvent {
  readonly object: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

type Meta = { name?: string; namespace?: string; uid?: string; resourceVersion?: string; deletionTimestamp?: string };
const metaOf = (o: JsonObject) => (o["metadata"] ?? {}) as Meta;

/**
 * The gateway and the informers of Nodes and Pods in one: writes check resourceVersion and uid as the
 * gateway does, and reach the informers' caches unless a test holds them back to make the cache stale.
 */
export class FakeCluster implements NodeWriter, PodWriter {
  readonly events: RecordedEvent[] = [];
  readonly recorder: Recorder = {
    record: (involved, type, reason, message) => this.events.push({ object: keyOf(involved as JsonObject), type, reason, message }),
  };
  private readonly sources = { Node: new FakeListWatch(), Pod: new FakeListWatch() };
  readonly nodes = new Informer({ kind: "Node", listWatch: this.sources.Node.listWatch, log: () => {} });
  readonly pods = new Informer({ kind: "Pod", listWatch: this.sources.Pod.listWatch, log: () => {} });
  private readonly objects = new Map<string, JsonObject>();
  private revision = 0;
  private uids = 0;

  async start(): Promise<this> {
    this.nodes.start();
    this.pods.start();
    await this.sources.Node.list([]);
    await this.sources.Pod.list([]);
    return this;
  }

  /** The stored object, which the informer may not have seen yet. */
  stored(kind: "Node" | "Pod", name: string, namespace = kind === "Pod" ? "default" : ""): JsonObject | undefined {
    return this.objects.get(`${kind}/${namespace}/${name}`);
  }

  async add(json: JsonObject): Promise<JsonObject> {
    const meta = metaOf(json);
    return this.store({ ...json, metadata: { ...meta, uid: meta.uid ?? `uid-${++this.uids}` } }, "ADDED");
  }

  /** A write by someone else (a heartbeat): `seen: false` keeps it from the informer, so its cache is stale. */
  async change(kind: "Node" | "Pod", name: string, change: (o: JsonObject) => JsonObject, opts: { seen?: boolean } = {}): Promise<void> {
    const current = this.stored(kind, name);
    if (!current) throw new Error(`no ${kind} ${name}`);
    await this.store(change(structuredClone(current)), "MODIFIED", opts.seen ?? true);
  }

  async update(obj: ApiObject): Promise<ApiObject> {
    const json = this.current(obj);
    return toApiObject(await this.store({ ...json, status: this.stored(kindOf(json), metaOf(json).name ?? "")!["status"] }, "MODIFIED"));
  }

  async updateStatus(obj: ApiObject): Promise<ApiObject> {
    const json = this.current(obj);
    return toApiObject(await this.store({ ...this.stored(kindOf(json), metaOf(json).name ?? "")!, status: json["status"] }, "MODIFIED"));
  }

  async delete(req: Partial<DeleteRequest> & { kind: string; name: string }): Promise<DeleteResponse> {
    const key = { kind: req.kind, namespace: req.namespace ?? "", name: req.name };
    const current = this.objects.get(`${key.kind}/${key.namespace}/${key.name}`);
    if (!current) throw new NotFoundError(key);
    if (req.preconditions?.uid && req.preconditions.uid !== metaOf(current).uid) throw new ConflictError(key, "Precondition failed: UID");
    if (req.gracePeriodSeconds === 0) {
      this.objects.delete(`${key.kind}/${key.namespace}/${key.name}`);
      await this.sources[kindOf(current)].emit("DELETED", current);
      return { object: toApiObject(current), deleted: true };
    }
    const terminating = { ...current, metadata: { ...metaOf(current), deletionTimestamp: "1970-01-01T00:00:00.000Z" } };
    return { object: toApiObject(await this.store(terminating, "MODIFIED")), deleted: false };
  }

  /** The written object, after the gateway's checks against the stored one. */
  private current(obj: ApiObject): JsonObject {
    const { json } = fromApiObject(obj);
    const stored = this.stored(kindOf(json), metaOf(json).name ?? "", metaOf(json).namespace ?? "");
    const key = { kind: kindOf(json), namespace: metaOf(json).namespace ?? "", name: metaOf(json).name ?? "" };
    if (!stored) throw new NotFoundError(key);
    const asked = metaOf(json).resourceVersion;
    if (asked && asked !== metaOf(stored).resourceVersion) throw new ConflictError(key, "the object has been modified");
    return json;
  }

  private async store(json: JsonObject, type: "ADDED" | "MODIFIED", seen = true): Promise<JsonObject> {
    const kind = kindOf(json);
    const meta = metaOf(json);
    const namespace = meta.namespace ?? (kind === "Pod" ? "default" : "");
    const object = { ...json, metadata: { ...meta, namespace, resourceVersion: String(++this.revision) } };
    this.objects.set(`${kind}/${namespace}/${meta.name ?? ""}`, object);
    if (seen) await this.sources[kind].emit(type, object);
    return object;
  }
}

function kindOf(json: JsonObject): "Node" | "Pod" {
  const kind = json["kind"];
  if (kind !== "Node" && kind !== "Pod") throw new Error(`FakeCluster holds Nodes and Pods, not ${String(kind)}`);
  return kind;
}

function keyOf(json: JsonObject): string {
  const { namespace, name } = metaOf(json);
  return namespace ? `${namespace}/${name}` : (name ?? "");
}
