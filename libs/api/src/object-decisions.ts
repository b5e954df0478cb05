import { isDeepStrictEqual } from "node:util";
import {
  AlreadyExistsError,
  ConflictError,
  field,
  FINALIZER_DELETE_DEPENDENTS,
  FINALIZER_ORPHAN_DEPENDENTS,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  type DeletionPropagation,
  type ObjectKey,
} from "@capstan/apimachinery";
import type { Decide, Decision, JsonObject, ObjectRecord, ReadRecord } from "@capstan/apimachinery";
import { findKind } from "./kinds.js";
import { arrayOf, specOf, statusOf } from "./object-view.js";
import type { AnyKindStrategy } from "./kinds/kind-strategy.js";

/**
 * What each API verb does to the current state of one object, as pure functions:
 * (request, current) → event or error. The event store runs them inside its write transaction,
 * so the check and the write cannot be separated by another writer. They are kind-agnostic: what
 * differs by kind, they ask the kind's strategy.
 */
type Meta = JsonObject & {
  name?: string | undefined;
  uid?: string | undefined;
  resourceVersion?: string;
  generation?: number;
  finalizers?: string[];
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
};

function meta(o: JsonObject): Meta {
  return (o["metadata"] ?? {}) as Meta;
}


/** The strategy of a key's kind; undefined for records no served kind owns (allocation ranges). */
function strategyOf(key: ObjectKey): AnyKindStrategy | undefined {
  return findKind(key.kind);
}

const MODIFIED_CONFLICT = "the object has been modified; please apply your changes to the latest version and try again";

function checkResourceVersion(key: ObjectKey, current: ObjectRecord, requested: string | undefined): Error | undefined {
  if (requested && requested !== String(current.revision)) return new ConflictError(key, MODIFIED_CONFLICT);
  return undefined;
}

/**
 * A terminating object goes once nothing holds it: no finalizer (nor, for a namespace, spec finalizer)
 * and no grace period still running — a pod's is finished by its node agent (Kubernetes' ShouldDeleteDuringUpdate).
 */
function isRemovable(key: ObjectKey, object: JsonObject): boolean {
  const m = meta(object);
  if (m.deletionTimestamp === undefined || (m.deletionGracePeriodSeconds ?? 0) !== 0) return false;
  if ((m.finalizers ?? []).length > 0) return false;
  return !strategyOf(key)?.deletion?.isHeld?.(object);
}

/** A write of a whole object may name the resourceVersion and uid it was based on; both must be current. */
function checkWriteOf(key: ObjectKey, current: ObjectRecord, requested: JsonObject): Error | undefined {
  const asked = meta(requested);
  const conflict = checkResourceVersion(key, current, asked.resourceVersion);
  if (conflict) return conflict;
  if (asked.uid && asked.uid !== current.uid) return new ConflictError(key, `uid ${asked.uid} does not match ${current.uid}`);
  return undefined;
}

export function decideCreate(key: ObjectKey, object: JsonObject) {
  return (current: ObjectRecord | undefined): Decision =>
    current ? { error: new AlreadyExistsError(key) } : { type: "ADDED", object };
}

export function namespaceKey(namespace: string): ObjectKey {
  return { kind: "Namespace", namespace: "", name: namespace };
}

/**
 * New content needs its namespace to exist and not be terminating. Checked in the write's own
 * snapshot (the mutation reads namespaceKey), so it cannot race with the namespace's deletion.
 */
export function inActiveNamespace(namespace: string, decide: Decide): Decide {
  return (current: ObjectRecord | undefined, read: ReadRecord): Decision => {
    const ns = read(namespaceKey(namespace));
    if (!ns) return { error: new NotFoundError(namespaceKey(namespace)) };
    if (meta(ns.object).deletionTimestamp) {
      return { error: new ForbiddenError(`unable to create new content in namespace ${namespace} because it is being terminated`) };
    }
    return decide(current, read);
  };
}

/** Update replaces metadata (but not identity or deletion fields) and spec; status is kept. */
export function decideUpdate(key: ObjectKey, requested: JsonObject) {
  return (current: ObjectRecord | undefined): Decision => {
    if (!current) return { error: new NotFoundError(key) };
    const was = current.object;
    const refused = checkWriteOf(key, current, requested);
    if (refused) return { error: refused };
    const strategy = strategyOf(key);
    const prepared = strategy?.prepareForUpdate?.(requested, was) ?? requested;
    const invalid = strategy?.validateUpdate?.(key, prepared, was);
    if (invalid) return { error: invalid };
    const before = meta(was);
    const specChanged = !isDeepStrictEqual(specOf(was), specOf(prepared));
    const metadata: Meta = {
      ...meta(prepared),
      name: before.name,
      namespace: before["namespace"],
      uid: before.uid,
      creationTimestamp: before["creationTimestamp"],
      generation: (before.generation ?? 1) + (specChanged ? 1 : 0),
    };
    for (const deletionField of ["deletionTimestamp", "deletionGracePeriodSeconds"] as const) {
      if (before[deletionField] === undefined) delete metadata[deletionField];
      // Meta types each field apart; one loop sets either of the two.
      else (metadata as JsonObject)[deletionField] = before[deletionField];
    }
    delete metadata.resourceVersion;
    const object: JsonObject = { ...prepared, metadata };
    if (was["status"] === undefined) delete object["status"];
    else object["status"] = was["status"];
    // A terminating object whose last finalizer is gone is removed.
    return { type: isRemovable(key, object) ? "DELETED" : "MODIFIED", object };
  };
}

/** The answer to a Finalize of a kind without the subresource. */
export function finalizeUnsupported(key: ObjectKey): InvalidError {
  return new InvalidError(`${key.kind} "${key.name}"`, [{ path: "kind", message: `Unsupported value "${key.kind}": only namespaces are finalized` }]);
}

/**
 * The finalize subresource (namespaces): how the namespace controller says it has emptied a terminating
 * namespace, which then goes if nothing holds it any more.
 */
export function decideFinalize(key: ObjectKey, requested: JsonObject) {
  return (current: ObjectRecord | undefined): Decision => {
    const finalize = strategyOf(key)?.finalize;
    if (!finalize) return { error: finalizeUnsupported(key) };
    if (!current) return { error: new NotFoundError(key) };
    const refused = checkWriteOf(key, current, requested);
    if (refused) return { error: refused };
    const object = finalize(current.object, requested);
    return { type: isRemovable(key, object) ? "DELETED" : "MODIFIED", object };
  };
}

export function decideUpdateStatus(key: ObjectKey, requested: JsonObject) {
  return (current: ObjectRecord | undefined): Decision => {
    if (!current) return { error: new NotFoundError(key) };
    const refused = checkWriteOf(key, current, requested);
    if (refused) return { error: refused };
    const object: JsonObject = { ...current.object };
    if (requested["status"] === undefined) delete object["status"];
    else object["status"] = requested["status"];
    return { type: "MODIFIED", object };
  };
}

export interface DeleteOptions {
  gracePeriodSeconds?: number | undefined;
  preconditions?: { uid?: string | undefined; resourceVersion?: string | undefined } | undefined;
  /** Unset: Background, unless an earlier delete left the orphan or foregroundDeletion finalizer. */
  propagationPolicy?: DeletionPropagation | undefined;
  now: Date;
}

/**
 * Pods bound to a node are deleted gracefully: they get a deletionTimestamp and the node agent, after
 * stopping the containers, deletes them with grace 0. Objects with finalizers — including those the
 * propagation policy adds for the garbage collector, and a namespace's spec finalizers — are only
 * marked, and go when the last finalizer is removed. A terminating namespace is Terminating.
 */
export function decideDelete(key: ObjectKey, opts: DeleteOptions) {
  return (current: ObjectRecord | undefined): Decision => {
    if (!current) return { error: new NotFoundError(key) };
    const deletion = strategyOf(key)?.deletion;
    const forbidden = deletion?.forbidden?.(key.name);
    if (forbidden !== undefined) return { error: new ForbiddenError(forbidden) };
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.uid) {
      return { error: new ConflictError(key, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.uid}`) };
    }
    const conflict = checkResourceVersion(key, current, pre?.resourceVersion);
    if (conflict) return { error: conflict };
    const object = current.object;
    const before = meta(object);
    const finalizers = finalizersFor(before.finalizers ?? [], opts.propagationPolicy);
    const grace = deletion?.gracePeriodSeconds?.(object, opts.gracePeriodSeconds) ?? 0;
    const held = finalizers.length > 0 || (deletion?.isHeld?.(object) ?? false);
    if (!held && grace === 0) return { type: "DELETED", object };

    const metadata: Meta = { ...before };
    // Already terminating: only a shorter grace period moves the deletion forward.
    if (before.deletionTimestamp === undefined || grace < (before.deletionGracePeriodSeconds ?? 0)) {
      metadata.deletionTimestamp = new Date(opts.now.getTime() + grace * 1000).toISOString();
      metadata.deletionGracePeriodSeconds = grace;
    }
    if (!sameMembers(finalizers, before.finalizers ?? [])) {
      if (finalizers.length > 0) metadata.finalizers = finalizers;
      else delete metadata.finalizers;
    }
    const marked: JsonObject = { ...object, metadata };
    return { type: "MODIFIED", object: deletion?.markTerminating?.(marked) ?? marked };
  };
}

/**
 * The finalizers after a delete with `policy` (Kubernetes' deletionFinalizersForGarbageCollection):
 * a policy replaces the garbage collector's finalizer an earlier delete set; no policy keeps it.
 */
function finalizersFor(finalizers: string[], policy: DeletionPropagation | undefined): string[] {
  if (policy === undefined) return finalizers;
  const kept = finalizers.filter((f) => f !== FINALIZER_ORPHAN_DEPENDENTS && f !== FINALIZER_DELETE_DEPENDENTS);
  if (policy === "Orphan") kept.push(FINALIZER_ORPHAN_DEPENDENTS);
  if (policy === "Foreground") kept.push(FINALIZER_DELETE_DEPENDENTS);
  return kept;
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** A delete that changes nothing (the object is already terminating as asked) writes no event. */
export function changesNothing(decision: Decision, current: ObjectRecord | undefined): boolean {
  return current !== undefined && "type" in decision && decision.type === "MODIFIED" && isDeepStrictEqual(decision.object, current.object);
}

export function decideBind(key: ObjectKey, nodeName: string, now: Date, preconditions?: { uid?: string | undefined }) {
  return (current: ObjectRecord | undefined): Decision => {
    if (!current) return { error: new NotFoundError(key) };
    if (preconditions?.uid && preconditions.uid !== current.uid) {
      return { error: new ConflictError(key, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.uid}`) };
    }
    const object = current.object;
    const bound = specOf(object)["nodeName"];
    if (bound) return { error: new ConflictError(key, `pod ${key.name} is already assigned to node "${String(bound)}"`) };
    if (meta(object).deletionTimestamp) return { error: new ConflictError(key, `pod ${key.name} is being deleted, cannot be assigned to a host`) };
    const status = statusOf(object);
    const conditions = arrayOf<JsonObject>(status["conditions"]).filter((c) => c["type"] !== "PodScheduled");
    conditions.push({ type: "PodScheduled", status: "True", lastTransitionTime: now.toISOString() });
    return {
      type: "MODIFIED",
      object: { ...object, spec: { ...specOf(object), nodeName }, status: { ...status, conditions } },
    };
  };
}
