import { randomBytes, randomUUID } from "node:crypto";
import {
  InvalidError,
  isDeletionPropagation,
  NotFoundError,
  type Decide,
  type DeletionPropagation,
  parseFieldSelector,
  parseSelector,
  type FieldError,
  type ObjectKey,
} from "@capstan/apimachinery";
import {
  applyDefaults,
  changesNothing,
  createServiceAllocator,
  decideBind,
  decideCreate,
  decideDelete,
  decideFinalize,
  decideUpdate,
  decideUpdateStatus,
  findKind,
  fromApiObject,
  inActiveNamespace,
  kindInfo,
  namespaceKey,
  selectableFieldValue,
  storedToApiObject,
  validateObject,
  validateStatus,
  type AdmissionContext,
  type Admitted,
  type ApiObject,
  type DefaultingOptions,
  type DeleteRequest,
  type KindName,
  type ListRequest,
  type ListResponse,
  type ServiceAllocationConfig,
  type WatchEvent,
  type WatchRequest,
} from "@capstan/api";
import type { JetStreamBus } from "@capstan/bus";
import type { EventStore, JsonObject, ObjectRecord, StoredEvent } from "@capstan/eventstore";
import { createAdmissionContext } from "./admission-context.js";

/** Who asks, and the trace the resulting event joins. */
export interface CallContext {
  readonly actor: string;
  readonly traceparent?: string | undefined;
  readonly tracestate?: string | undefined;
}

/** One binding of a BindBatch: pod, node, and the pod's uid if the caller requires it unchanged. */
export interface BindingRequest {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName: string;
  readonly uid: string | undefined;
  /** The binding's own caller and trace: one batch carries bindings of many pods' traces. */
  readonly ctx: CallContext;
}

export interface ObjectServiceOptions {
  readonly defaulting?: DefaultingOptions;
  /** Unset: Kubernetes' defaults (10.96.0.0/16, 30000-32767) and 127.0.0.1 as the load balancer. */
  readonly serviceAllocation?: Partial<ServiceAllocationConfig>;
  readonly now?: () => Date;
}

function path(o: JsonObject, ...keys: string[]): unknown {
  let v: unknown = o;
  for (const k of keys) v = v && typeof v === "object" ? (v as JsonObject)[k] : undefined;
  return v;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

interface Selection {
  /** Labels are checked on the stored JSON, so objects they exclude are never decoded. */
  readonly matchesLabels: (o: JsonObject) => boolean;
  /** Fields are those the kind's registry entry lists, read from the typed object. */
  readonly matchesFields: (o: ApiObject) => boolean;
  /** Equalities the store or the stream can filter on. */
  readonly nodeName?: string;
  readonly name?: string;
}

function selection(kind: KindName, labelSelector: string, fieldSelector: string): Selection {
  const labels = parseSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector, kindInfo(kind).selectableFields);
  const equal = (field: string) => fields.requirements.find((f) => f.field === field && f.op === "=")?.value;
  const nodeName = equal("spec.nodeName");
  const name = equal("metadata.name");
  return {
    matchesLabels: (o) => labels.isEmpty() || labels.matches(path(o, "metadata", "labels") as Record<string, string> | undefined),
    matchesFields: (o) => fields.isEmpty() || fields.matchesFields((field) => selectableFieldValue(o, field)),
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(name !== undefined ? { name } : {}),
  };
}

/**
 * The API verbs over the event store: validation, defaulting, the decisions, and reads. Kind-agnostic:
 * what differs by kind (defaults, rules, preparation, admission, deletion) its strategy says.
 */
export class ObjectService {
  private readonly now: () => Date;
  private readonly admission: AdmissionContext;

  constructor(
    private readonly store: EventStore,
    private readonly bus: JetStreamBus,
    private readonly onCommit: () => void,
    private readonly opts: ObjectServiceOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    this.admission = createAdmissionContext(store, createServiceAllocator(opts.serviceAllocation));
  }

  async create(obj: ApiObject, ctx: CallContext): Promise<ApiObject> {
    const { kind, json } = fromApiObject(obj);
    const strategy = kindInfo(kind);
    const m = { ...((json["metadata"] ?? {}) as JsonObject) };
    m["namespace"] = strategy.namespaced ? str(m["namespace"]) || "default" : "";
    if (!m["name"] && typeof m["generateName"] === "string" && m["generateName"]) {
      m["name"] = `${m["generateName"]}${randomBytes(4).toString("hex").slice(0, 5)}`;
    }
    const object: JsonObject = { ...json, metadata: m };
    if (strategy.createClearsStatus) delete object["status"];
    this.validate(kind, object);
    const key = keyOf(kind, object);
    const defaulted = applyDefaults(kind, object, this.opts.defaulting);
    const metadata = { ...(defaulted["metadata"] as JsonObject) };
    delete metadata["resourceVersion"];
    delete metadata["deletionTimestamp"];
    delete metadata["deletionGracePeriodSeconds"];
    Object.assign(metadata, { uid: randomUUID(), creationTimestamp: this.now().toISOString(), generation: 1 });
    const prepared = { ...(strategy.prepareForCreate?.(defaulted) ?? defaulted), metadata };
    const create = (o: JsonObject) => decideCreate(key, o);
    const admitted = strategy.admission?.create ? await strategy.admission.create(key, prepared, create, this.admission) : { decide: create(prepared), reads: [] };
    if (!strategy.namespaced) return this.write(key, admitted, ctx);
    // New content needs an active namespace, read in the create's own commit.
    return this.write(key, { decide: inActiveNamespace(key.namespace, admitted.decide), reads: [namespaceKey(key.namespace), ...admitted.reads] }, ctx);
  }

  async get(key: ObjectKey): Promise<ApiObject> {
    const k = this.normalize(key);
    const record = await this.store.get(k);
    if (!record) throw new NotFoundError(k);
    return storedToApiObject(record.object);
  }

  async list(req: ListRequest): Promise<ListResponse> {
    const info = kindInfo(req.kind);
    const sel = selection(info.kind, req.labelSelector, req.fieldSelector);
    const { items, revision } = await this.store.list({
      kind: info.kind,
      ...(info.namespaced && req.namespace ? { namespace: req.namespace } : {}),
      ...(sel.nodeName !== undefined ? { nodeName: sel.nodeName } : {}),
    });
    return {
      items: items
        .filter((r) => sel.matchesLabels(r.object))
        .map((r) => storedToApiObject(r.object))
        .filter(sel.matchesFields),
      resourceVersion: String(revision),
    };
  }

  async update(obj: ApiObject, ctx: CallContext): Promise<ApiObject> {
    const { kind, object, key } = this.decodeForWrite(obj);
    this.validate(kind, object);
    const requested = applyDefaults(kind, object, this.opts.defaulting);
    const update = (r: JsonObject) => decideUpdate(key, r);
    const admission = kindInfo(kind).admission;
    const admitted = admission?.update ? await admission.update(key, requested, update, this.admission) : { decide: update(requested), reads: [] };
    return this.write(key, admitted, ctx);
  }

  async updateStatus(obj: ApiObject, ctx: CallContext): Promise<ApiObject> {
    const { kind, key, object } = this.decodeForWrite(obj);
    this.throwIfInvalid(kind, object, validateStatus(kind, object));
    return this.write(key, { decide: decideUpdateStatus(key, object), reads: [] }, ctx);
  }

  async delete(req: DeleteRequest, ctx: CallContext): Promise<{ object: ApiObject; deleted: boolean }> {
    const key = this.normalize(req);
    const decide = decideDelete(key, {
      gracePeriodSeconds: req.gracePeriodSeconds,
      preconditions: req.preconditions,
      propagationPolicy: propagationPolicy(req.propagationPolicy),
      now: this.now(),
    });
    // A repeated delete of an object already terminating as asked writes nothing, as in Kubernetes.
    const current = await this.store.get(key);
    const decided = decide(current);
    if (current && changesNothing(decided, current)) return { object: storedToApiObject(current.object), deleted: false };
    const admission = kindInfo(key.kind).admission;
    const event = await this.append(key, admission?.delete ? admission.delete(key, decide, this.admission) : { decide, reads: [] }, ctx);
    return { object: storedToApiObject(event.object), deleted: event.type === "DELETED" };
  }

  /** The finalize subresource, for kinds that have one (namespaces). */
  async finalize(obj: ApiObject, ctx: CallContext): Promise<ApiObject> {
    const { kind, key, object } = this.decodeForWrite(obj);
    const decide = decideFinalize(key, object);
    // A kind without the subresource is refused before its object is judged.
    if (!kindInfo(kind).finalize) throw (decide(undefined) as { error: Error }).error;
    this.validate(kind, object);
    return this.write(key, { decide, reads: [] }, ctx);
  }

  async bind(namespace: string, name: string, nodeName: string, uid: string | undefined, ctx: CallContext): Promise<ApiObject> {
    return this.bindTo(this.nodeExists(nodeName), namespace, name, nodeName, uid, ctx);
  }

  /**
   * Each binding decided on its own, as bind; issued together so they share group commits, and each node
   * is looked up once for the whole batch.
   */
  bindBatch(bindings: readonly BindingRequest[]): Promise<PromiseSettledResult<ApiObject>[]> {
    const nodes = new Map<string, Promise<boolean>>();
    return Promise.allSettled(
      bindings.map((b) => {
        let exists = nodes.get(b.nodeName);
        if (!exists) nodes.set(b.nodeName, (exists = this.nodeExists(b.nodeName)));
        return this.bindTo(exists, b.namespace, b.name, b.nodeName, b.uid, b.ctx);
      }),
    );
  }

  private async nodeExists(nodeName: string): Promise<boolean> {
    return Boolean(await this.store.get({ kind: "Node", namespace: "", name: nodeName }));
  }

  private async bindTo(nodeExists: Promise<boolean>, namespace: string, name: string, nodeName: string, uid: string | undefined, ctx: CallContext): Promise<ApiObject> {
    const key = this.normalize({ kind: "Pod", namespace, name });
    if (!(await nodeExists)) throw new NotFoundError({ kind: "Node", namespace: "", name: nodeName });
    return this.write(key, { decide: decideBind(key, nodeName, this.now(), { uid }), reads: [] }, ctx);
  }

  /** Every later event of the selected objects, once and in order; ExpiredError if `from` is gone. */
  async *watch(req: WatchRequest, signal: AbortSignal): AsyncGenerator<WatchEvent> {
    const info = kindInfo(req.kind);
    const sel = selection(info.kind, req.labelSelector, req.fieldSelector);
    const from = req.resourceVersion && req.resourceVersion !== "0" ? Number(req.resourceVersion) : await this.store.headRevision();
    if (!Number.isSafeInteger(from) || from < 0) {
      throw new InvalidError("watch", [{ path: "resourceVersion", message: `Invalid value "${req.resourceVersion}": must be a revision` }]);
    }
    const sub = await this.bus.subscribe(
      {
        kind: info.kind,
        ...(info.namespaced && req.namespace ? { namespace: req.namespace } : {}),
        ...(sel.nodeName !== undefined ? { nodeName: sel.nodeName } : {}),
        ...(sel.name !== undefined ? { name: sel.name } : {}),
      },
      from,
    );
    const stop = () => void sub.stop();
    signal.addEventListener("abort", stop);
    try {
      for await (const e of sub) {
        if (signal.aborted) break;
        const stored = e.omittedObjectBytes === undefined ? e.object : await this.loggedObject(e.revision);
        if (!sel.matchesLabels(stored)) continue;
        const object = storedToApiObject(stored);
        if (!sel.matchesFields(object)) continue;
        yield { type: e.type, object, resourceVersion: String(e.revision) };
      }
    } finally {
      signal.removeEventListener("abort", stop);
      await sub.stop();
    }
  }

  /** The object an event of the log carries: for one the bus could carry only as a reference (too large for it). */
  private async loggedObject(revision: number): Promise<JsonObject> {
    const [event] = await this.store.readEvents(revision - 1, 1);
    if (event?.revision !== revision) throw new Error(`event ${revision} is not in the log`);
    return event.object;
  }

  /** The record a logs request reaches the node agent through. */
  async record(key: ObjectKey): Promise<ObjectRecord> {
    const record = await this.store.get(key);
    if (!record) throw new NotFoundError(key);
    return record;
  }

  private validate(kind: string, object: JsonObject): void {
    this.throwIfInvalid(kind, object, validateObject(kind, object));
  }

  private throwIfInvalid(kind: string, object: JsonObject, errors: readonly FieldError[]): void {
    if (errors.length > 0) {
      throw new InvalidError(`${kind} "${str(path(object, "metadata", "name")) ?? ""}"`, errors);
    }
  }

  private decodeForWrite(obj: ApiObject): { kind: string; object: JsonObject; key: ObjectKey } {
    const { kind, json } = fromApiObject(obj);
    const info = kindInfo(kind);
    const m = { ...((json["metadata"] ?? {}) as JsonObject) };
    m["namespace"] = info.namespaced ? str(m["namespace"]) || "default" : "";
    const object = { ...json, metadata: m };
    return { kind, object, key: keyOf(kind, object) };
  }

  private normalize(key: ObjectKey): ObjectKey {
    const info = kindInfo(key.kind);
    return { kind: info.kind, namespace: info.namespaced ? key.namespace || "default" : "", name: key.name };
  }

  private async write(key: ObjectKey, admitted: Admitted, ctx: CallContext): Promise<ApiObject> {
    return storedToApiObject((await this.append(key, admitted, ctx)).object);
  }

  private async append(key: ObjectKey, { decide, reads }: { decide: Decide; reads: readonly ObjectKey[] }, ctx: CallContext): Promise<StoredEvent> {
    const event = await this.store.append({
      key,
      decide,
      ...(reads.length > 0 ? { reads } : {}),
      actor: ctx.actor,
      ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
      ...(ctx.tracestate ? { tracestate: ctx.tracestate } : {}),
    });
    this.onCommit();
    findKind(key.kind)?.admission?.committed?.(this.admission);
    return event;
  }
}

function propagationPolicy(requested: string): DeletionPropagation | undefined {
  if (requested === "") return undefined;
  if (isDeletionPropagation(requested)) return requested;
  throw new InvalidError("DeleteOptions", [
    { path: "propagationPolicy", message: `Unsupported value: "${requested}": supported values: "Orphan", "Background", "Foreground"` },
  ]);
}

function keyOf(kind: string, object: JsonObject): ObjectKey {
  return {
    kind,
    namespace: str(path(object, "metadata", "namespace")) ?? "",
    name: str(path(object, "metadata", "name")) ?? "",
  };
}
