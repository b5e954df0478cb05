import { metaOf } from "@capstan/api";
import { FINALIZER_DELETE_DEPENDENTS, FINALIZER_ORPHAN_DEPENDENTS, type DeletionPropagation } from "@capstan/apimachinery";
import type { JsonObject } from "@capstan/client";
import { metadataOf, type OwnerReference } from "@capstan/controller-runtime";

/**
 * What the garbage collector does about one object, as pure functions of what it knows (Kubernetes'
 * attemptToDeleteItem, processDeletingDependentsItem and orphanDependents). The shell around them
 * reads the state and carries the plan out.
 */

/** An owner, as a reference sees it. */
export type OwnerState =
  /** It exists and does not wait for its dependents. */
  | "present"
  /** No object with the reference's uid exists (it was deleted, or replaced by a namesake). */
  | "absent"
  /** It exists, deleted in the foreground: it waits for the dependents that block it. */
  | "deletingDependents"
  /**
   * The reference cannot be followed: a cluster-scoped object naming a namespaced owner. Kubernetes
   * leaves such an object alone (it would not know which namespace the owner is in), and so do we.
   */
  | "unresolvable";

/** An object, of some kind. */
export interface KindedObject {
  readonly kind: string;
  readonly object: JsonObject;
}

export type DependentPlan =
  | { readonly type: "keep" }
  /** A live owner remains: keep the object, without its references to the others. */
  | { readonly type: "removeOwnerReferences"; readonly uids: readonly string[] }
  /** No live owner remains: delete the object (with its uid as precondition). */
  | { readonly type: "delete"; readonly propagationPolicy: DeletionPropagation };

export type OwnerPlan =
  /** Not waiting on the garbage collector. */
  | { readonly type: "none" }
  /** Deleted with Orphan: these dependents lose their reference to it first. */
  | { readonly type: "orphanDependents"; readonly dependents: readonly KindedObject[] }
  /** Deleted in the foreground: these dependents block it until they are gone. */
  | { readonly type: "waitForDependents"; readonly blocking: readonly KindedObject[] }
  /** Its dependents are dealt with: remove the finalizer, so the object can go. */
  | { readonly type: "removeFinalizer"; readonly finalizer: string };

export function isTerminating(obj: JsonObject): boolean {
  return metadataOf(obj).deletionTimestamp !== undefined;
}

export function hasFinalizer(obj: JsonObject, finalizer: string): boolean {
  return metadataOf(obj).finalizers?.includes(finalizer) ?? false;
}

/** The state an existing owner is in. */
export function ownerStateOf(owner: JsonObject): OwnerState {
  return isTerminating(owner) && hasFinalizer(owner, FINALIZER_DELETE_DEPENDENTS) ? "deletingDependents" : "present";
}

/**
 * A live object with owner references: kept while one owner is present; otherwise deleted — in the
 * foreground when an owner waits for it and it has dependents of its own, so the wait reaches down
 * the chain; else as its own finalizers ask, or in the background.
 */
export function planDependent(obj: JsonObject, stateOf: (ref: OwnerReference) => OwnerState, hasDependents: boolean): DependentPlan {
  const refs = metadataOf(obj).ownerReferences ?? [];
  if (refs.length === 0 || isTerminating(obj)) return { type: "keep" };
  const states = refs.map((ref) => ({ ref, state: stateOf(ref) }));
  if (states.some((s) => s.state === "unresolvable")) return { type: "keep" };
  if (states.some((s) => s.state === "present")) {
    const uids = states.filter((s) => s.state !== "present").map((s) => s.ref.uid);
    return uids.length > 0 ? { type: "removeOwnerReferences", uids } : { type: "keep" };
  }
  if (hasDependents && states.some((s) => s.state === "deletingDependents")) return { type: "delete", propagationPolicy: "Foreground" };
  if (hasFinalizer(obj, FINALIZER_ORPHAN_DEPENDENTS)) return { type: "delete", propagationPolicy: "Orphan" };
  if (hasFinalizer(obj, FINALIZER_DELETE_DEPENDENTS)) return { type: "delete", propagationPolicy: "Foreground" };
  return { type: "delete", propagationPolicy: "Background" };
}

/** A terminating owner with one of the collector's finalizers, given the dependents that reference it. */
export function planTerminatingOwner(owner: JsonObject, dependents: readonly KindedObject[]): OwnerPlan {
  if (!isTerminating(owner)) return { type: "none" };
  const uid = metadataOf(owner).uid;
  if (hasFinalizer(owner, FINALIZER_ORPHAN_DEPENDENTS)) {
    return dependents.length > 0 ? { type: "orphanDependents", dependents } : { type: "removeFinalizer", finalizer: FINALIZER_ORPHAN_DEPENDENTS };
  }
  if (hasFinalizer(owner, FINALIZER_DELETE_DEPENDENTS)) {
    const blocking = dependents.filter((d) => referenceTo(d.object, uid)?.blockOwnerDeletion === true);
    return blocking.length > 0 ? { type: "waitForDependents", blocking } : { type: "removeFinalizer", finalizer: FINALIZER_DELETE_DEPENDENTS };
  }
  return { type: "none" };
}

export function referenceTo(obj: JsonObject, uid: string | undefined): OwnerReference | undefined {
  return metadataOf(obj).ownerReferences?.find((r) => r.uid === uid);
}

/** A copy of the object without its references to these owners. */
export function withoutOwnerReferences(obj: JsonObject, uids: readonly string[]): JsonObject {
  const metadata = metaOf(obj).json;
  const refs = metadataOf(obj).ownerReferences ?? [];
  return { ...obj, metadata: { ...metadata, ownerReferences: refs.filter((r) => !uids.includes(r.uid)) } };
}

/** A copy of the object without the finalizer. */
export function withoutFinalizer(obj: JsonObject, finalizer: string): JsonObject {
  const metadata = metaOf(obj).json;
  return { ...obj, metadata: { ...metadata, finalizers: (metadataOf(obj).finalizers ?? []).filter((f) => f !== finalizer) } };
}
