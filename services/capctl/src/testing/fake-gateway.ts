import { isDeepStrictEqual } from "node:util";
import { applyDefaults, fromApiObject, objectKey, toApiObject, type ApiObject, type GetRequest, type ListRequest, type ListResponse } from "@capstan/api";
import { AlreadyExistsError, ConflictError, NotFoundError, type ObjectKey } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import type { Json } from "../printers.js";

/**
 * The gateway's object rules in memory, for command tests: defaults on store, a resourceVersion per
 * write that an update must match, status kept on update, generation bumped when spec changes.
 * `beforeUpdate` runs once before the next update, to let a test play a concurrent writer.
 */
export class FakeGateway implements Pick<CapstanClient, "get" | "list" | "create" | "update"> {
  readonly objects = new Map<string, Json>();
  /** Every update accepted, as written. */
  readonly updates: Json[] = [];
  beforeUpdate: (() => void) | undefined;
  private revision = 0;

  private static id(key: ObjectKey): string {
    return `${key.kind}/${key.namespace}/${key.name}`;
  }

  /** Stores an object as a create or a controller would, returning it as stored. */
  store(object: Json): Json {
    const { kind } = fromApiObject(toApiObject(object));
    const defaulted = applyDefaults(kind, object) as Json;
    const meta = (defaulted["metadata"] ?? {}) as Json;
    const metadata: Json = { namespace: "default", generation: 1, ...meta, resourceVersion: String(++this.revision) };
    const stored = { ...defaulted, metadata };
    this.objects.set(FakeGateway.id({ kind, namespace: String(metadata["namespace"]), name: String(metadata["name"]) }), stored);
    return stored;
  }

  /** The stored object, as Kubernetes JSON. */
  object(kind: string, name: string, namespace = "default"): Json {
    const found = this.objects.get(FakeGateway.id({ kind, namespace, name }));
    if (!found) throw new NotFoundError({ kind, namespace, name });
    return found;
  }

  async get(req: GetRequest): Promise<ApiObject> {
    return toApiObject(this.object(req.kind, req.name, req.namespace));
  }

  async list(req: Partial<ListRequest> & { kind: string }): Promise<ListResponse> {
    const wanted = Object.fromEntries((req.labelSelector ?? "").split(",").filter(Boolean).map((term) => term.split("=")));
    const items = [...this.objects.values()].filter((o) => {
      const meta = o["metadata"] as Json;
      const labels = (meta["labels"] ?? {}) as Record<string, string>;
      return o["kind"] === req.kind && (!req.namespace || meta["namespace"] === req.namespace) && Object.entries(wanted).every(([k, v]) => labels[k] === v);
    });
    return { items: items.map((o) => toApiObject(o)), resourceVersion: String(this.revision) };
  }

  async create(obj: ApiObject): Promise<ApiObject> {
    const key = objectKey(obj);
    if (this.objects.has(FakeGateway.id(key))) throw new AlreadyExistsError(key);
    return toApiObject(this.store(fromApiObject(obj).json));
  }

  async update(obj: ApiObject): Promise<ApiObject> {
    const before = this.beforeUpdate;
    this.beforeUpdate = undefined;
    before?.();
    const key = objectKey(obj);
    const json = fromApiObject(obj).json;
    const current = this.object(key.kind, key.name, key.namespace);
    const meta = json["metadata"] as Json;
    const currentMeta = current["metadata"] as Json;
    if (meta["resourceVersion"] !== currentMeta["resourceVersion"]) throw new ConflictError(key, "the object has been modified; please apply your changes to the latest version and try again");
    this.updates.push(json);
    const generation = Number(currentMeta["generation"] ?? 1) + (isDeepStrictEqual(json["spec"], current["spec"]) ? 0 : 1);
    return toApiObject(this.store({ ...json, metadata: { ...meta, generation }, status: current["status"] }));
  }

  /** Another writer's change, as a controller's status write would be: bumps the resourceVersion. */
  touch(kind: string, name: string, change: (o: Json) => void = () => undefined): void {
    const o = structuredClone(this.object(kind, name));
    change(o);
    this.store(o);
  }
}
