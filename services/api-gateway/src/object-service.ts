import { randomBytes, randomUUID } from "node:crypto";
import {
  InvalidError,
  isDeletionPropagation,
  NotFoundError,
  type DeletionPropagation,
  parseFieldSelector,
  parseSelector,
  type FieldError,
  type ObjectKey,
} from "@capstan/apimachinery";
import {
  applyDefaults,
  fromApiObject,
  kindInfo,
  selectableFieldValue,
  storedToApiObject,
  validateObject,
  validateStatus,
  type ApiObject,
  type DefaultingOptions,
  type DeleteRequest,
  type KindName,
  type ListRequest,
  type ListResponse,
  type WatchEvent,
  type WatchRequest,
} from "@capstan/api";
import type { JetStreamBus } from "@capstan/bus";
import type { Decision, EventStore, JsonObject, Mutation, ObjectRecord, StoredEvent } from "@capstan/eventstore";
import {
  changesNothing,
  decideBind,
  decideCreate,
  decideDelete,
  decideFinalize,
  decideUpdate,
  decideUpdateStatus,
  inActiveNamespace,
  namespaceForCreate,
  namespaceKey,
} from "./object-decisions.js";
import { checkPriorityClassWrite, DefaultPriorityClass, podPriorityReads, priorityClassKey, withPodPriority } from "./priority-admission.js";
import {
  ALLOCATION_KEYS,
  createServiceAllocator,
  serviceUpdateRequest,
  withServiceAllocations,
  type ServiceAllocationConfig,
  type ServiceAllocator,
} from "./service-allocation.js";

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

/** The API verbs over the event store: validation, defaulting, the decisions, and reads. */
export class ObjectService {
  private readonly now: () => Date;
  private readonly allocator: ServiceAllocator;
  private readonly defaultPriorityClass: DefaultPriorityClass;

  constructor(
    private readonly store: EventStore,
    private readonly bus: JetStreamBus,
    private readonly onCommit: () => void,
    private readonly opts: ObjectServiceOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    this.allocator = createServiceAllocator(opts.serviceAllocation);
    this.defaultPriorityClass = new DefaultPriorityClass(store);
  }

  async create(obj: ApiObject, ctx: CallContext): Promise<ApiObject> {
    const { kind, json } = fromApiObject(obj);
    const info = kindInfo(kind);
    const m = { ...((json["metadata"] ?? {}) as JsonObject) };
    m["namespace"] = info.namespaced ? str(m["namespace"]) || "default" : "";
    if (!m["name"] && typeof m["generateName"] === "string" && m["generateName"]) {
      m["name"] = `${m["generateName"]}${randomBytes(4).toString("hex").slice(0, 5)}`;
    }
    const object: JsonObject = { ...json, metadata: m };
    if (info.createClearsStatus) delete object["status"];
    this.validate(kind, object);
    const key = keyOf(kind, object);
    const defaulted = applyDefaults(kind, object, this.opts.defaulting);
    const metadata = { ...(defaulted["metadata"] as JsonObject) };
    delete metadata["resourceVersion"];
    delete metadata["deletionTimestamp"];
    delete metadata["deletionGracePeriodSeconds"];
    Object.assign(metadata, { uid: randomUUID(), creationTimestamp: this.now().toISOString(), generation: 1 });
    const prepared = kind === "Namespace" ? namespaceForCreate(defaulted) : defaulted;
    const admission = await this.admitCreate(key, { ...prepared, metadata });
    const decide = this.withAllocations(key, admission.decide);
    if (!info.namespaced) return this.write(key, decide, ctx, admission.reads);
    return this.write(key, inActiveNamespace(key.namespace, decide), ctx, [namespaceKey(key.namespace), ...admission.reads, ...this.allocationReads(key)]);
  }

  /** The create decision with the admission that applies to its kind, and the objects it reads. */
  private async admitCreate(key: ObjectKey, object: JsonObject): Promise<{ decide: Mutation["decide"]; reads: ObjectKey[] }> {
    if (key.kind === "Pod") {
      const defaultClass = await this.defaultPriorityClass.name();
      return { decide: withPodPriority(object, defaultClass, (pod) => decideCreate(key, pod)), reads: podPriorityReads(object, defaultClass) };
    }
    if (key.kind === "PriorityClass") return this.priorityClassWrite(object, decideCreate(key, object));
    return { decide: decideCreate(key, object), reads: [] };
  }

  /** A PriorityClass write checks the global default in its own commit, and refreshes the cached one after. */
  private async priorityClassWrite(object: JsonObject, decide: Mutation["decide"]): Promise<{ decide: Mutation["decide"]; reads: ObjectKey[] }> {
    const otherDefault = await this.defaultPriorityClass.name();
    return {
      decide: (current, read) => {
        const refused = checkPriorityClassWrite(object, current?.object, otherDefault, read);
        return refused ? { error: refused } : decide(current, read);
      },
      reads: otherDefault === undefined ? [] : [priorityClassKey(otherDefault)],
    };
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
    if (kind === "PriorityClass") {
      const { decide, reads } = await this.priorityClassWrite(requested, decideUpdate(key, requested));
      return this.write(key, decide, ctx, reads);
    }
    if (kind !== "Service") return this.write(key, decideUpdate(key, requested), ctx);
    const decide = (current: ObjectRecord | undefined): Decision => {
      if (!current) return decideUpdate(key, requested)(current);
      const asked = serviceUpdateRequest(key, current.object, requested);
      return "error" in asked ? asked : decideUpdate(key, asked.object)(current);
    };
    return this.write(key, this.withAllocations(key, decide), ctx, this.allocationReads(key));
  }

  async updateStatus(obj: ApiObject, ctx: CallContext): Promise<ApiObject> {
    const { kind, key, object } = this.decodeForWrite(obj);
    this.throwIfInvalid(kind, object, validateStatus(kind, object));
    return this.write(key, decideUpdateStatus(key, object), ctx);
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
    const event = await this.append(key, this.withAllocations(key, decide), ctx, this.allocationReads(key));
    return { object: storedToApiObject(event.object), deleted: event.type === "DELETED" };
  }

  async finalize(obj: ApiObject, ctx: CallContext): Promise<ApiObject> {
    const { kind, key, object } = this.decodeForWrite(obj);
    if (kind !== "Namespace") {
      throw new InvalidError(`${kind} "${key.name}"`, [{ path: "kind", message: `Unsupported value "${kind}": only namespaces are finalized` }]);
    }
    this.validate(kind, object);
    return this.write(key, decideFinalize(key, object), ctx);
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
    return this.write(key, decideBind(key, nodeName, this.now(), { uid }), ctx);
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

  /** A Service's writes allocate and release its cluster IP and node ports in the same commit. */
  private withAllocations(key: ObjectKey, decide: Mutation["decide"]): Mutation["decide"] {
    return key.kind === "Service" ? withServiceAllocations(key, this.allocator, randomUUID(), decide) : decide;
  }

  private allocationReads(key: ObjectKey): ObjectKey[] {
    return key.kind === "Service" ? [...ALLOCATION_KEYS] : [];
  }

  private async write(key: ObjectKey, decide: Mutation["decide"], ctx: CallContext, reads?: ObjectKey[]): Promise<ApiObject> {
    return storedToApiObject((await this.append(key, decide, ctx, reads)).object);
  }

  private async append(key: ObjectKey, decide: Mutation["decide"], ctx: CallContext, reads?: ObjectKey[]): Promise<StoredEvent> {
    const event = await this.store.append({
      key,
      decide,
      ...(reads && reads.length > 0 ? { reads } : {}),
      actor: ctx.actor,
      ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
      ...(ctx.tracestate ? { tracestate: ctx.tracestate } : {}),
    });
    this.onCommit();
    if (key.kind === "PriorityClass") this.defaultPriorityClass.invalidate();
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
