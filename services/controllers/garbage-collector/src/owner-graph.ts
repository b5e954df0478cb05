import { findKind, supportedKinds } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import {
  metadataOf,
  namespacedKey,
  objectKey,
  OWNER_UID_INDEX,
  type Informer,
  type KeysOf,
  type OwnerReference,
} from "@capstan/controller-runtime";
import { isTerminating, type KindedObject } from "./collection-plan.js";

/**
 * The kinds the garbage collector watches: every kind Capstan serves, as any object may own or be
 * owned (a Deployment its ReplicaSets, a Service its Endpoints and EndpointSlices, or whatever a user's
 * ownerReferences say). Events are left out, as Kubernetes' collector ignores them: they come in
 * floods and own nothing.
 */
export const GARBAGE_COLLECTED_KINDS: readonly string[] = supportedKinds()
  .map((info) => info.kind)
  .filter((kind) => kind !== "Event");

/** The namespace an owner named by `ref` lives in: its dependent's, unless its kind is cluster-scoped. */
export function ownerNamespace(ref: OwnerReference, dependentNamespace: string): string {
  return findKind(ref.kind)?.namespaced === false ? "" : dependentNamespace;
}

/** Whether `ref` can be followed: a cluster-scoped dependent cannot have a namespaced owner. */
export function isResolvable(ref: OwnerReference, dependentNamespace: string): boolean {
  return dependentNamespace !== "" || findKind(ref.kind)?.namespaced !== true;
}

/**
 * The object's own key, when the collector may have work with it: it has owners, or it is terminating
 * (an owner deleted with Orphan or Foreground). Every other change — most of them, a pod's status or a
 * node's heartbeat — is dropped before it reaches the work queue.
 */
export const collectableKey: KeysOf = (obj) => {
  const { ownerReferences = [] } = metadataOf(obj);
  return ownerReferences.length > 0 || isTerminating(obj) ? [objectKey(obj)] : [];
};

/**
 * Owners and their dependents over the informers' caches: an owner's dependents are the objects whose
 * ownerReferences hold its uid (OWNER_UID_INDEX). A namespaced owner's dependents share its namespace.
 */
export class OwnerGraph {
  constructor(private readonly informers: ReadonlyMap<string, Informer>) {}

  get kinds(): string[] {
    return [...this.informers.keys()];
  }

  informer(kind: string): Informer {
    const informer = this.informers.get(kind);
    if (!informer) throw new Error(`the garbage collector does not watch ${kind}`);
    return informer;
  }

  get(kind: string, namespace: string, name: string): JsonObject | undefined {
    return this.informers.get(kind)?.get(namespace, name);
  }

  isWatched(kind: string): boolean {
    return this.informers.has(kind);
  }

  /** The cached object `ref` names, if it is that very object (a namesake with another uid is not). */
  cachedOwner(ref: OwnerReference, dependentNamespace: string): JsonObject | undefined {
    const owner = this.get(ref.kind, ownerNamespace(ref, dependentNamespace), ref.name);
    return owner && metadataOf(owner).uid === ref.uid ? owner : undefined;
  }

  dependentsOf(owner: JsonObject): KindedObject[] {
    const { uid, namespace } = metadataOf(owner);
    if (!uid) return [];
    const out: KindedObject[] = [];
    for (const [kind, informer] of this.informers) {
      for (const object of informer.byIndex(OWNER_UID_INDEX, uid)) {
        if (!namespace || metadataOf(object).namespace === namespace) out.push({ kind, object });
      }
    }
    return out;
  }

  hasDependents(obj: JsonObject): boolean {
    return this.dependentsOf(obj).length > 0;
  }

  /**
   * The keys of `kind` to look at again when an object of `changedKind` changes: its dependents of
   * `kind` once it is gone or terminating (the only changes that can make them garbage), and its
   * terminating owners of `kind`, which may be waiting on it.
   */
  keysToRecheck(kind: string, changedKind: string): KeysOf {
    return (changed) => [...this.dependentKeysOf(kind, changedKind, changed), ...this.terminatingOwnerKeysOf(kind, changed)];
  }

  private dependentKeysOf(kind: string, ownerKind: string, owner: JsonObject): string[] {
    const { namespace = "", name = "", uid } = metadataOf(owner);
    if (!uid) return [];
    // Handlers run after the cache has changed: it holds the owner's current state, or nothing.
    const current = this.get(ownerKind, namespace, name);
    const goneOrGoing = !current || metadataOf(current).uid !== uid || isTerminating(current);
    if (!goneOrGoing) return [];
    return this.informer(kind)
      .byIndex(OWNER_UID_INDEX, uid)
      .filter((d) => !namespace || metadataOf(d).namespace === namespace)
      .map(objectKey);
  }

  private terminatingOwnerKeysOf(kind: string, dependent: JsonObject): string[] {
    const namespace = metadataOf(dependent).namespace ?? "";
    const keys: string[] = [];
    for (const ref of metadataOf(dependent).ownerReferences ?? []) {
      if (ref.kind !== kind) continue;
      const owner = this.cachedOwner(ref, namespace);
      if (owner && isTerminating(owner)) keys.push(namespacedKey(ownerNamespace(ref, namespace), ref.name));
    }
    return keys;
  }
}
