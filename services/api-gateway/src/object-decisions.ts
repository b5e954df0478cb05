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
import { FINALIZER_KUBERNETES, NAMESPACE_ACTIVE, NAMESPACE_TERMINATING } from "@capstan/api";
import type { Decision, JsonObject, Mutation, ObjectRecord, ReadRecord } from "@capstan/eventstore";
import { isSystemPriorityClass } from "./priority-admission.js";
import { isSystemNamespace } from "./system-namespaces.js";

/**
 * What each API verb does to the current state of one object, as pure functions:
 * (request, current) → event or error. The event store runs them inside its write transaction,
 * so the check and the write cannot be separated by another writer.
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

function spec(o: JsonObject): JsonObject {
  return (o["spec"] ?? {}) as JsonObject;
}

const MODIFIED_CONFLICT = "the object has been modified; please apply your changes to the latest version and try again";

function checkResourceVersion(key: ObjectKey, current: ObjectRecord, requested: string | undefined): Error | undefined {
  if (requested && requested !== String(current.revision)) return new ConflictError(key, MODIFIED_CONFLICT);
  return undefined;
}

/** A namespace starts Active, with the `kubernetes` finalizer its controller removes once it is empty. */
export function namespaceForCreate(object: JsonObject): JsonObject {
  const finalizers = namespaceFinalizers(object);
  return {
    ...object,
    spec: { ...spec(object), finalizers: finalizers.includes(FINALIZER_KUBERNETES) ? finalizers : [...finalizers, FINALIZER_KUBERNETES] },
    status: { ...((object["status"] ?? {}) as JsonObject), phase: NAMESPACE_ACTIVE },
  };
}

function namespaceFinalizers(object: JsonObject): string[] {
  return (spec(object)["finalizers"] as string[] | undefined) ?? [];
}

/**
 * A terminating object goes once nothing holds it: no finalizer (nor, for a namespace, spec finalizer)
 * and no grace period still running — a pod's is finished by its node agent (Kubernetes' ShouldDeleteDuringUpdate).
 */
function isRemovable(key: ObjectKey, object: JsonObject): boolean {
  const m = meta(object);
  if (m.deletionTimestamp === undefined || (m.deletionGracePeriodSeconds ?? 0) !== 0) return false;
  if ((m.finalizers ?? []).length > 0) return false;
  return key.kind !== "Namespace" || namespaceFinalizers(object).length === 0;
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
export function inActiveNamespace(namespace: string, decide: Mutation["decide"]) {
  return (current: ObjectRecord | undefined, read: ReadRecord): Decision => {
    const ns = read(namespaceKey(namespace));
    if (!ns) return { error: new NotFoundError(namespaceKey(namespace)) };
    if (meta(ns.object).deletionTimestamp) {
      return { error: new ForbiddenError(`unable to create new content in namespace ${namespace} because it is being terminated`) };
    }
    return decide(current, read);
  };
}

/** Fields of a Pod spec that an update may change, as in Kubernetes. */
function withoutMutablePodFields(podSpec: JsonObject): JsonObject {
  const containers = (podSpec["containers"] as JsonObject[] | undefined)?.map(({ image: _image, ...rest }) => rest);
  const { tolerations: _tolerations, activeDeadlineSeconds: _deadline, schedulingGates: _gates, ...rest } = podSpec;
  return { ...rest, containers };
}

/** Scheduling gates may only be removed (whoever held the pod back lets it go), never added. */
function addedSchedulingGate(before: JsonObject, after: JsonObject): string | undefined {
  const names = (s: JsonObject) => ((s["schedulingGates"] ?? []) as JsonObject[]).map((g) => String(g["name"]));
  const had = new Set(names(before));
  return names(after).find((name) => !had.has(name));
}

/** Kinds whose spec.selector is fixed at creation (apps/v1), so a controller never loses its pods. */
const immutableSelectorKinds = new Set(["ReplicaSet", "Deployment"]);

function specUpdateErrors(key: ObjectKey, before: JsonObject, after: JsonObject): Error | undefined {
  if (immutableSelectorKinds.has(key.kind)) {
    const selector = spec(after)["selector"];
    if (isDeepStrictEqual(spec(before)["selector"], selector)) return undefined;
    return new InvalidError(`${key.kind} "${key.name}"`, [field.invalid("spec.selector", selector ?? null, "field is immutable")]);
  }
  if (key.kind !== "Pod") return undefined;
  const addedGate = addedSchedulingGate(spec(before), spec(after));
  if (addedGate !== undefined) {
    return new InvalidError(`Pod "${key.name}"`, [field.forbidden("spec.schedulingGates", `only deletion is allowed, but found new scheduling gate '${addedGate}'`)]);
  }
  if (isDeepStrictEqual(withoutMutablePodFields(spec(before)), withoutMutablePodFields(spec(after)))) return undefined;
  return new InvalidError(`Pod "${key.name}"`, [
    {
      path: "spec",
      message:
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds` or `spec.tolerations` (use Bind to set spec.nodeName)",
    },
  ]);
}

/** Update replaces metadata (but not identity or deletion fields) and spec; status is kept. */
export function decideUpdate(key: ObjectKey, requested: JsonObject) {
  return (current: ObjectRecord | undefined): Decision => {
    if (!current) return { error: new NotFoundError(key) };
    const was = current.object;
    const refused = checkWriteOf(key, current, requested);
    if (refused) return { error: refused };
    const invalid = specUpdateErrors(key, was, requested);
    if (invalid) return { error: invalid };
    const before = meta(was);
    const requestedSpec = key.kind === "Namespace" ? withSpecFinalizersOf(was, spec(requested)) : spec(requested);
    const specChanged = !isDeepStrictEqual(spec(was), requestedSpec);
    const metadata: Meta = {
      ...meta(requested),
      name: before.name,
      namespace: before["namespace"],
      uid: before.uid,
      creationTimestamp: before["creationTimestamp"],
      generation: (before.generation ?? 1) + (specChanged ? 1 : 0),
    };
    for (const deletionField of ["deletionTimestamp", "deletionGracePeriodSeconds"] as const) {
      if (before[deletionField] === undefined) delete metadata[deletionField];
      else (metadata as JsonObject)[deletionField] = before[deletionField];
    }
    delete metadata.resourceVersion;
    const object: JsonObject = { ...requested, metadata };
    if (key.kind === "Namespace") object["spec"] = requestedSpec;
    if (was["status"] === undefined) delete object["status"];
    else object["status"] = was["status"];
    // A terminating object whose last finalizer is gone is removed.
    return { type: isRemovable(key, object) ? "DELETED" : "MODIFIED", object };
  };
}

/** A namespace's spec.finalizers change only through Finalize, as the finalize subresource in Kubernetes. */
function withSpecFinalizersOf(current: JsonObject, requested: JsonObject): JsonObject {
  const { finalizers: _ignored, ...rest } = requested;
  const finalizers = spec(current)["finalizers"];
  return finalizers === undefined ? rest : { ...rest, finalizers };
}

/**
 * Namespaces only: sets spec.finalizers (and nothing else) — how the namespace controller says it has
 * emptied a terminating namespace, which then goes if no finalizer is left.
 */
export function decideFinalize(key: ObjectKey, requested: JsonObject) {
  return (current: ObjectRecord | undefined): Decision => {
    if (!current) return { error: new NotFoundError(key) };
    const refused = checkWriteOf(key, current, requested);
    if (refused) return { error: refused };
    const { finalizers: _old, ...rest } = spec(current.object);
    const finalizers = namespaceFinalizers(requested);
    const object: JsonObject = { ...current.object, spec: finalizers.length > 0 ? { ...rest, finalizers } : rest };
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
    if (key.kind === "Namespace" && isSystemNamespace(key.name)) {
      return { error: new ForbiddenError(`namespaces "${key.name}" is forbidden: this namespace may not be deleted`) };
    }
    if (key.kind === "PriorityClass" && isSystemPriorityClass(key.name)) {
      return { error: new ForbiddenError(`priorityclasses "${key.name}" is forbidden: this is a system priority class and cannot be deleted`) };
    }
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== current.uid) {
      return { error: new ConflictError(key, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.uid}`) };
    }
    const conflict = checkResourceVersion(key, current, pre?.resourceVersion);
    if (conflict) return { error: conflict };
    const object = current.object;
    const before = meta(object);
    const finalizers = finalizersFor(before.finalizers ?? [], opts.propagationPolicy);
    const grace = gracePeriod(key, object, opts.gracePeriodSeconds);
    const held = finalizers.length > 0 || (key.kind === "Namespace" && namespaceFinalizers(object).length > 0);
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
    if (key.kind === "Namespace") marked["status"] = { ...((object["status"] ?? {}) as JsonObject), phase: NAMESPACE_TERMINATING };
    return { type: "MODIFIED", object: marked };
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

function gracePeriod(key: ObjectKey, object: JsonObject, requested: number | undefined): number {
  if (key.kind !== "Pod") return 0;
  const s = spec(object);
  // A pod no node runs can go at once, as can one already finished.
  const phase = ((object["status"] ?? {}) as JsonObject)["phase"];
  if (!s["nodeName"] || phase === "Succeeded" || phase === "Failed") return 0;
  return Math.max(0, requested ?? (s["terminationGracePeriodSeconds"] as number | undefined) ?? 30);
}

export function decideBind(key: ObjectKey, nodeName: string, now: Date, preconditions?: { uid?: string | undefined }) {
  return (current: ObjectRecord | undefined): Decision => {
    if (!current) return { error: new NotFoundError(key) };
    if (preconditions?.uid && preconditions.uid !== current.uid) {
      return { error: new ConflictError(key, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.uid}`) };
    }
    const object = current.object;
    const bound = spec(object)["nodeName"];
    if (bound) return { error: new ConflictError(key, `pod ${key.name} is already assigned to node "${String(bound)}"`) };
    if (meta(object).deletionTimestamp) return { error: new ConflictError(key, `pod ${key.name} is being deleted, cannot be assigned to a host`) };
    const status = (object["status"] ?? {}) as JsonObject;
    const conditions = ((status["conditions"] ?? []) as JsonObject[]).filter((c) => c["type"] !== "PodScheduled");
    conditions.push({ type: "PodScheduled", status: "True", lastTransitionTime: now.toISOString() });
    return {
      type: "MODIFIED",
      object: { ...object, spec: { ...spec(object), nodeName }, status: { ...status, conditions } },
    };
  };
}
