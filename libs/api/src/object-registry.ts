import { randomBytes, randomUUID } from "node:crypto";
import {
  CapstanError,
  ConflictError,
  ExpiredError,
  field,
  InvalidError,
  isCapstanError,
  isDeletionPropagation,
  NotFoundError,
  type DeletionPropagation,
  type EventType,
  type FieldError,
  type JsonObject,
  type Decide,
  type Decision,
  type Mutation,
  type ObjectKey,
  type ObjectRecord,
  type StoredEvent,
  type Verb,
} from "@capstan/apimachinery";
import type { DeleteRequest, EvictRequest, HistoryEvent, HistoryResponse, ListRequest, ListResponse, Object as ApiObject } from "./gen/capstan/v1/gateway.js";
import { createAdmissionContext } from "./admission-context.js";
import { applyDefaults, type DefaultingOptions } from "./defaults.js";
import type { AdmissionContext, Admitted } from "./kinds/kind-strategy.js";
import { quotaReads, withResourceQuotas } from "./kinds/resource-quota/quota-admission.js";
import { createServiceAllocator, type ServiceAllocationConfig } from "./kinds/service/service-allocation.js";
import { findKind, fromApiObject, kindInfo, storedToApiObject } from "./kinds.js";
import {
  changesNothing,
  decideBind,
  decideCreate,
  decideDelete,
  decideFinalize,
  finalizeUnsupported,
  decideUpdate,
  decideUpdateStatus,
  inActiveNamespace,
  namespaceKey,
} from "./object-decisions.js";
import { NamespaceWriteGate } from "./namespace-write-gate.js";
import { objectSelection, selected } from "./object-selection.js";
import { metaOf, stringOf } from "./object-view.js";
import { validateObject, validateStatus } from "./validation.js";
import { ApplyConflictError, serverSideApply, updateManagedFields } from "./patch/server-side-apply.js";
import { budgetAfterEviction, budgetsSelecting, evictionIgnoresBudgets } from "./kinds/pod-disruption-budget/eviction.js";

/** Admission's decision with more objects read in its commit. */
function withReads(admitted: Admitted, reads: readonly ObjectKey[]): Admitted {
  return { decide: admitted.decide, reads: [...admitted.reads, ...reads] };
}

/** Who asks, and the trace the resulting event joins. */
export interface CallContext {
  readonly actor: string;
  /** Who the write's managedFields entry names; unset: the actor. */
  readonly fieldManager?: string | undefined;
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

/**
 * What the registry needs of a store: an append that runs the decision in its commit (the event store's
 * group commit; an in-memory log in tests), and reads of what the commits left.
 */
export interface ObjectStore {
  append(m: Mutation): Promise<{ readonly type: EventType; readonly object: JsonObject }>;
  get(key: ObjectKey): Promise<ObjectRecord | undefined>;
  /** A consistent snapshot: the records and the revision they answer at. */
  list(filter: StoreListFilter): Promise<{ items: ObjectRecord[]; revision: number }>;
  headRevision(): Promise<number>;
  /** Every event of the key, ascending. */
  history(key: ObjectKey): Promise<StoredEvent[]>;
  /** The record as of a revision no later than the head, from the log. */
  getAt(key: ObjectKey, revision: number): Promise<ObjectRecord | undefined>;
  /** The records a list answered at a revision no later than the head, from the log. */
  listAt(filter: StoreListFilter, revision: number): Promise<ObjectRecord[]>;
  /** The oldest revision the log answers at (a compaction dropped what earlier ones needed). */
  compactedRevision(): Promise<number>;
}

/** How a write is made, besides what it writes. */
export interface WriteOptions {
  /** Decide the write as it would commit and answer its object, writing nothing (Kubernetes' dryRun=All). */
  readonly dryRun?: boolean | undefined;
  /** The subresource an update came through ("scale"), named on its managedFields entry. */
  readonly subresource?: "scale" | undefined;
}

/** A server-side apply: the configuration `fieldManager` applies to the object it names. */
export interface ApplyRequest {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly configuration: JsonObject;
  readonly fieldManager: string;
  /** Take fields other managers own instead of refusing with their conflicts. */
  readonly force: boolean;
}

/** How many times an apply is re-decided from a fresh read when another write commits first. */
const APPLY_CONFLICT_RETRIES = 5;

/** The verbs whose writes are a manager's Update, recorded in managedFields; deletes and binds are the server's. */
const MANAGED_VERBS: ReadonlySet<Verb> = new Set(["create", "update", "status", "finalize"]);

export interface StoreListFilter {
  kind: string;
  namespace?: string;
  nodeName?: string;
}

export interface ObjectRegistryOptions {
  readonly defaulting?: DefaultingOptions;
  /** Unset: Kubernetes' defaults (10.96.0.0/16, 30000-32767) and 127.0.0.1 as the load balancer. */
  readonly serviceAllocation?: Partial<ServiceAllocationConfig>;
  readonly now?: () => Date;
  /** A new object's uid; unset: a random UUID. Tests make them readable. */
  readonly newUid?: (key: ObjectKey) => string;
  /** What generateName is completed with; unset: five random hex digits. */
  readonly nameSuffix?: () => string;
  /** After every commit (the gateway wakes its outbox relay). */
  readonly onCommit?: () => void;
}

/**
 * The API verbs over a store: validation, defaulting, admission, the decisions, and reads with
 * selectors — Kubernetes' generic registry. Kind-agnostic: what differs by kind (defaults, rules,
 * preparation, admission, deletion) its strategy says. The gateway serves it over Postgres and NATS;
 * tests run the same registry over an in-memory log, so a fake cannot drift from the gateway's rules.
 */
export class ObjectRegistry {
  private readonly now: () => Date;
  private readonly newUid: (key: ObjectKey) => string;
  private readonly nameSuffix: () => string;
  private readonly onCommit: () => void;
  private readonly admission: AdmissionContext;
  private readonly gate = new NamespaceWriteGate();

  constructor(
    private readonly store: ObjectStore,
    private readonly opts: ObjectRegistryOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.newUid = opts.newUid ?? (() => randomUUID());
    this.nameSuffix = opts.nameSuffix ?? (() => randomBytes(4).toString("hex").slice(0, 5));
    this.onCommit = opts.onCommit ?? (() => {});
    this.admission = createAdmissionContext(store, createServiceAllocator(opts.serviceAllocation));
  }

  async create(obj: ApiObject, ctx: CallContext, opts: WriteOptions = {}): Promise<ApiObject> {
    return this.createAs(obj, ctx, { ...opts, applied: false });
  }

  private async createAs(obj: ApiObject, ctx: CallContext, opts: InternalWriteOptions): Promise<ApiObject> {
    const { kind, json } = fromApiObject(obj);
    const strategy = kindInfo(kind);
    const m = { ...metaOf(json).json };
    m["namespace"] = strategy.namespaced ? stringOf(m["namespace"]) || "default" : "";
    if (!m["name"] && typeof m["generateName"] === "string" && m["generateName"]) {
      m["name"] = `${m["generateName"]}${this.nameSuffix()}`;
    }
    const object: JsonObject = { ...json, metadata: m };
    if (strategy.createClearsStatus) delete object["status"];
    this.validate(kind, object);
    const key = keyOf(kind, object);
    const defaulted = applyDefaults(kind, object, this.opts.defaulting);
    const metadata = { ...metaOf(defaulted).json };
    delete metadata["resourceVersion"];
    delete metadata["deletionTimestamp"];
    delete metadata["deletionGracePeriodSeconds"];
    Object.assign(metadata, { uid: this.newUid(key), creationTimestamp: this.now().toISOString(), generation: 1 });
    // Preparation sees the uid (a Job's generated selector selects it); the metadata stays the registry's.
    const prepared = { ...(strategy.prepareForCreate?.({ ...defaulted, metadata }) ?? defaulted), metadata };
    const create = (o: JsonObject) => decideCreate(key, o);
    return this.gated(key, async () => {
      const admitted = strategy.admission?.create ? await strategy.admission.create(key, prepared, create, this.admission) : { decide: create(prepared), reads: [] };
      if (!strategy.namespaced) return this.write("create", key, admitted, ctx, opts);
      // New content needs an active namespace, read in the create's own commit.
      return this.write("create", key, { decide: inActiveNamespace(key.namespace, admitted.decide), reads: [namespaceKey(key.namespace), ...admitted.reads] }, ctx, opts);
    });
  }

  /** The object now, or as of `revision` (from the log) when the request names one. */
  async get(req: ObjectKey & { readonly revision?: number | undefined }): Promise<ApiObject> {
    const key = this.normalize(req);
    if (req.revision === undefined) return storedToApiObject((await this.record(key)).object);
    const record = await this.store.getAt(key, await this.pastRevision(req.revision));
    if (!record) throw new NotFoundError(key);
    return storedToApiObject(record.object);
  }

  async list(req: ListRequest): Promise<ListResponse> {
    const info = kindInfo(req.kind);
    const sel = objectSelection(info.kind, req.labelSelector, req.fieldSelector);
    const filter: StoreListFilter = {
      kind: info.kind,
      ...(info.namespaced && req.namespace ? { namespace: req.namespace } : {}),
      ...(sel.nodeName !== undefined ? { nodeName: sel.nodeName } : {}),
    };
    const { items, revision } =
      req.revision === undefined
        ? await this.store.list(filter)
        : { items: await this.store.listAt(filter, await this.pastRevision(req.revision)), revision: req.revision };
    const answered: ApiObject[] = [];
    const traces: ListResponse["traces"] = {};
    for (const r of items) {
      const item = selected(sel, r.object);
      if (!item) continue;
      answered.push(item);
      if (r.traceparent) traces[r.uid] = { traceparent: r.traceparent, tracestate: r.tracestate ?? "" };
    }
    return { items: answered, resourceVersion: String(revision), traces };
  }

  async update(obj: ApiObject, ctx: CallContext, opts: WriteOptions = {}): Promise<ApiObject> {
    return this.updateAs(obj, ctx, { ...opts, applied: false });
  }

  /**
   * Server-side apply: the configuration merged into the object as it is (created if absent), owned by
   * its manager; ApplyConflictError when it would change fields others own, unless forced. Decided on a
   * read and written with that read's resourceVersion, re-tried from a fresh read if another write came first.
   */
  async apply(req: ApplyRequest, ctx: CallContext, opts: WriteOptions = {}): Promise<{ object: ApiObject; created: boolean }> {
    const key = this.normalize(req);
    for (let attempt = 0; ; attempt++) {
      const current = await this.store.get(key);
      const result = serverSideApply(current?.object, req.configuration, req.fieldManager, { force: req.force, now: this.now() }, key.kind);
      if ("conflicts" in result) throw new ApplyConflictError(result.conflicts);
      if (current !== undefined && result.object === current.object) return { object: storedToApiObject(current.object), created: false };
      const write = { ...opts, applied: true };
      try {
        if (current === undefined) return { object: await this.createAs(storedToApiObject(result.object), ctx, write), created: true };
        const object = { ...result.object, metadata: { ...metaOf(result.object).json, resourceVersion: String(current.revision) } };
        return { object: await this.updateAs(storedToApiObject(object), ctx, write), created: false };
      } catch (e) {
        const raced = isCapstanError(e, "Conflict") || isCapstanError(e, "AlreadyExists");
        if (!raced || attempt >= APPLY_CONFLICT_RETRIES) throw e;
      }
    }
  }

  private async updateAs(obj: ApiObject, ctx: CallContext, opts: InternalWriteOptions): Promise<ApiObject> {
    const { kind, object, key } = this.decodeForWrite(obj);
    this.validate(kind, object);
    const requested = applyDefaults(kind, object, this.opts.defaulting);
    const update = (r: JsonObject) => decideUpdate(key, r);
    const admission = kindInfo(kind).admission;
    return this.gated(key, async () => {
      const admitted = admission?.update ? await admission.update(key, requested, update, this.admission) : { decide: update(requested), reads: [] };
      return this.write("update", key, admitted, ctx, opts);
    });
  }

  async updateStatus(obj: ApiObject, ctx: CallContext, opts: WriteOptions = {}): Promise<ApiObject> {
    const { kind, key, object } = this.decodeForWrite(obj);
    this.throwIfInvalid(kind, object, validateStatus(kind, object));
    return this.gated(key, () => this.write("status", key, { decide: decideUpdateStatus(key, object), reads: [] }, ctx, opts));
  }

  /** DeleteRequest.dryRun: the object as the delete would leave it, nothing written. */
  async delete(req: DeleteRequest, ctx: CallContext): Promise<{ object: ApiObject; deleted: boolean }> {
    const key = this.normalize(req);
    const decide = decideDelete(key, {
      gracePeriodSeconds: req.gracePeriodSeconds,
      preconditions: req.preconditions,
      propagationPolicy: propagationPolicy(req.propagationPolicy),
      now: this.now(),
    });
    return this.gated(key, async () => {
      // A repeated delete of an object already terminating as asked writes nothing, as in Kubernetes.
      const current = await this.store.get(key);
      const decided = decide(current);
      if (current && changesNothing(decided, current)) return { object: storedToApiObject(current.object), deleted: false };
      const admission = kindInfo(key.kind).admission;
      const event = await this.append("delete", key, admission?.delete ? admission.delete(key, decide, this.admission) : { decide, reads: [] }, ctx, { dryRun: req.dryRun });
      return { object: storedToApiObject(event.object), deleted: event.type === "DELETED" };
    });
  }

  /**
   * The eviction subresource: a delete of the pod that the PodDisruptionBudget selecting it must allow.
   * The budget is read again in the delete's own commit, and its count of allowed disruptions goes down
   * in that commit, so concurrent evictions never take more than it allows.
   */
  async evict(req: EvictRequest, ctx: CallContext): Promise<{ object: ApiObject; deleted: boolean }> {
    const key = this.normalize({ kind: "Pod", namespace: req.namespace, name: req.name });
    const deleteRequest: DeleteRequest = { ...key, gracePeriodSeconds: req.gracePeriodSeconds, preconditions: req.preconditions, propagationPolicy: "" };
    const pod = await this.store.get(key);
    if (!pod) throw new NotFoundError(key);
    if (evictionIgnoresBudgets(pod.object)) return this.delete(deleteRequest, ctx);
    const budgets = budgetsSelecting(pod.object, (await this.store.list({ kind: "PodDisruptionBudget", namespace: key.namespace })).items.map((r) => r.object));
    if (budgets.length > 1) throw new CapstanError("Internal", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
    const [budget] = budgets;
    if (!budget) return this.delete(deleteRequest, ctx);
    const budgetKey: ObjectKey = { kind: "PodDisruptionBudget", namespace: key.namespace, name: metaOf(budget).name };
    const budgetUid = metaOf(budget).uid;
    const now = this.now();
    const deletePod = decideDelete(key, { gracePeriodSeconds: req.gracePeriodSeconds, preconditions: req.preconditions, propagationPolicy: propagationPolicy(""), now });
    const decide: Decide = (current, read) => {
      const deleted = deletePod(current);
      if ("error" in deleted || !current) return deleted;
      const latest = read(budgetKey);
      if (latest?.uid !== budgetUid) return { error: new ConflictError(budgetKey, "the budget changed during the eviction; try again") };
      const after = budgetAfterEviction(current.object, latest.object, now);
      if ("error" in after) return after;
      if (!after.status) return deleted;
      return { ...deleted, related: [...(deleted.related ?? []), { key: budgetKey, type: "MODIFIED", object: { ...latest.object, status: after.status } }] };
    };
    const admission = kindInfo("Pod").admission;
    return this.gated(key, async () => {
      const event = await this.append("evict", key, admission?.delete ? withReads(admission.delete(key, decide, this.admission), [budgetKey]) : { decide, reads: [budgetKey] }, ctx);
      return { object: storedToApiObject(event.object), deleted: event.type === "DELETED" };
    });
  }

  /** The finalize subresource, for kinds that have one (namespaces). */
  async finalize(obj: ApiObject, ctx: CallContext, opts: WriteOptions = {}): Promise<ApiObject> {
    const { kind, key, object } = this.decodeForWrite(obj);
    // A kind without the subresource is refused before its object is judged.
    if (!kindInfo(kind).finalize) throw finalizeUnsupported(key);
    this.validate(kind, object);
    return this.write("finalize", key, { decide: decideFinalize(key, object), reads: [] }, ctx, opts);
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

  /** Every event the log holds of the key, oldest first (since its compaction, if any); NotFound if it holds none. */
  async history(req: ObjectKey): Promise<HistoryResponse> {
    const key = this.normalize(req);
    // The head first: every event up to it has committed, so the history is complete at least to there.
    const [head, compactedRevision] = await Promise.all([this.store.headRevision(), this.store.compactedRevision()]);
    const events = await this.store.history(key);
    if (events.length === 0) throw new NotFoundError(key);
    return { events: events.map(historyEvent), resourceVersion: String(Math.max(head, events.at(-1)!.revision)), compactedRevision };
  }

  /** The record as stored: a logs request reaches the node agent through it. */
  async record(key: ObjectKey): Promise<ObjectRecord> {
    const record = await this.store.get(key);
    if (!record) throw new NotFoundError(key);
    return record;
  }

  /** The revision a Watch starts after: the one it names, or the head when it names none ("" or "0"). */
  async watchFrom(resourceVersion: string): Promise<number> {
    const from = resourceVersion && resourceVersion !== "0" ? Number(resourceVersion) : await this.store.headRevision();
    if (!Number.isSafeInteger(from) || from < 0) {
      throw new InvalidError("watch", [{ path: "resourceVersion", message: `Invalid value "${resourceVersion}": must be a revision` }]);
    }
    return from;
  }

  /** A revision the log can answer at: one it has reached, and not compacted away (Kubernetes' wording for both). */
  private async pastRevision(revision: number): Promise<number> {
    if (!Number.isSafeInteger(revision) || revision < 0) {
      throw new InvalidError("request", [field.invalid("revision", revision, "must be a revision, 0 or more")]);
    }
    const [head, compacted] = await Promise.all([this.store.headRevision(), this.store.compactedRevision()]);
    if (revision > head) {
      throw new InvalidError("request", [field.invalid("revision", revision, `Too large resource version: ${revision}, current: ${head}`)]);
    }
    if (revision < compacted) throw new ExpiredError(revision, compacted);
    return revision;
  }

  private async nodeExists(nodeName: string): Promise<boolean> {
    return Boolean(await this.store.get({ kind: "Node", namespace: "", name: nodeName }));
  }

  private async bindTo(nodeExists: Promise<boolean>, namespace: string, name: string, nodeName: string, uid: string | undefined, ctx: CallContext): Promise<ApiObject> {
    const key = this.normalize({ kind: "Pod", namespace, name });
    if (!(await nodeExists)) throw new NotFoundError({ kind: "Node", namespace: "", name: nodeName });
    return this.write("bind", key, { decide: decideBind(key, nodeName, this.now(), { uid }), reads: [] }, ctx);
  }

  private validate(kind: string, object: JsonObject): void {
    this.throwIfInvalid(kind, object, validateObject(kind, object));
  }

  private throwIfInvalid(kind: string, object: JsonObject, errors: readonly FieldError[]): void {
    if (errors.length > 0) {
      throw new InvalidError(`${kind} "${metaOf(object).name}"`, errors);
    }
  }

  private decodeForWrite(obj: ApiObject): { kind: string; object: JsonObject; key: ObjectKey } {
    const { kind, json } = fromApiObject(obj);
    const info = kindInfo(kind);
    const m = { ...metaOf(json).json };
    m["namespace"] = info.namespaced ? stringOf(m["namespace"]) || "default" : "";
    const object = { ...json, metadata: m };
    return { kind, object, key: keyOf(kind, object) };
  }

  private normalize(key: ObjectKey): ObjectKey {
    const info = kindInfo(key.kind);
    return { kind: info.kind, namespace: info.namespaced ? key.namespace || "default" : "", name: key.name };
  }

  private async write(verb: Verb, key: ObjectKey, admitted: Admitted, ctx: CallContext, opts: InternalWriteOptions = {}): Promise<ApiObject> {
    return storedToApiObject((await this.append(verb, key, admitted, ctx, opts)).object);
  }

  /**
   * The write committed, its managedFields recorded in the same decision (an apply brings its own); or,
   * for a dry run, decided on a read of the same records and answered without a commit.
   */
  private async append(verb: Verb, key: ObjectKey, admitted: Admitted, ctx: CallContext, opts: InternalWriteOptions = {}): Promise<{ type: EventType; object: JsonObject }> {
    const { decide: charged, reads } = await this.chargedToQuotas(verb, key, admitted);
    const subresource = verb === "status" ? "status" : (opts.subresource ?? "");
    const decide = MANAGED_VERBS.has(verb) && !opts.applied ? recordingManagedFields(charged, ctx.fieldManager ?? ctx.actor, key.kind, subresource, this.now()) : charged;
    if (opts.dryRun) return this.decideOnly(key, decide, reads);
    const event = await this.store.append({
      key,
      decide,
      ...(reads.length > 0 ? { reads } : {}),
      actor: ctx.actor,
      verb,
      ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}),
      ...(ctx.tracestate ? { tracestate: ctx.tracestate } : {}),
    });
    this.onCommit();
    findKind(key.kind)?.admission?.committed?.(this.admission);
    return event;
  }

  /**
   * A dry run's decision: the same decide on the records as they are now. The object is answered as the
   * write would return it, but with the resourceVersion it has now (none when it would be created).
   */
  private async decideOnly(key: ObjectKey, decide: Decide, reads: readonly ObjectKey[]): Promise<{ type: EventType; object: JsonObject }> {
    const [current, ...others] = await Promise.all([this.store.get(key), ...reads.map((k) => this.store.get(k))]);
    const byKey = new Map(reads.map((k, i) => [recordKey(k), others[i]]));
    const decision = decide(current, (k) => byKey.get(recordKey(k)));
    if ("error" in decision) throw decision.error;
    const metadata = { ...metaOf(decision.object).json };
    if (current === undefined) delete metadata["resourceVersion"];
    else metadata["resourceVersion"] = String(current.revision);
    return { type: decision.type, object: { ...decision.object, metadata } };
  }

  /**
   * A write that may be charged to its namespace's quotas, from its admission to its commit: through the
   * namespace's gate, holding it for a kind that counts the namespace (a quota's own create or update).
   */
  private gated<T>(key: ObjectKey, write: () => Promise<T>): Promise<T> {
    const info = kindInfo(key.kind);
    if (!info.namespaced) return write();
    return info.countsNamespace === true ? this.gate.hold(key.namespace, write) : this.gate.pass(key.namespace, write);
  }

  /** Every write that can change what a namespaced object uses also reads its namespace's quotas and charges them. */
  private async chargedToQuotas(verb: Verb, key: ObjectKey, admitted: Admitted): Promise<Admitted> {
    const counted = kindInfo(key.kind);
    if (!counted.namespaced || verb === "bind" || verb === "finalize") return admitted;
    const quotas = await this.admission.resourceQuotas(key.namespace);
    if (quotas.length === 0) return admitted;
    const write = { key, counted, verb, quotas };
    return { decide: withResourceQuotas(write, admitted.decide), reads: [...admitted.reads, ...quotaReads(write)] };
  }
}

/** What only the registry's own callers pass: an apply's write brings the managedFields it decided. */
interface InternalWriteOptions extends WriteOptions {
  readonly applied?: boolean;
}

/** The decision with the manager's Update recorded in its managedFields (Kubernetes' fieldmanager on every write). */
function recordingManagedFields(decide: Decide, manager: string, kind: string, subresource: string, now: Date): Decide {
  return (current, read): Decision => {
    const decision = decide(current, read);
    if ("error" in decision || decision.type === "DELETED") return decision;
    return { ...decision, object: updateManagedFields(current?.object, decision.object, manager, kind, now, subresource) };
  };
}

function recordKey(k: ObjectKey): string {
  return `${k.kind}/${k.namespace}/${k.name}`;
}

function historyEvent(e: StoredEvent): HistoryEvent {
  return {
    revision: e.revision,
    type: e.type,
    verb: e.verb ?? "",
    actor: e.actor,
    time: e.committedAt,
    // traceparent is version-traceid-parentid-flags (W3C Trace Context).
    traceId: e.traceparent?.split("-")[1] ?? "",
    object: storedToApiObject(e.object),
  };
}

function propagationPolicy(requested: string): DeletionPropagation | undefined {
  if (requested === "") return undefined;
  if (isDeletionPropagation(requested)) return requested;
  throw new InvalidError("DeleteOptions", [
    { path: "propagationPolicy", message: `Unsupported value: "${requested}": supported values: "Orphan", "Background", "Foreground"` },
  ]);
}

function keyOf(kind: string, object: JsonObject): ObjectKey {
  const { namespace, name } = metaOf(object);
  return { kind, namespace, name };
}
