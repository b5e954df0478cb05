import { isDeepStrictEqual } from "node:util";
import { findKind, fromApiObject, toApiObject } from "@capstan/api";
import { isCapstanError, type DeletionPropagation } from "@capstan/apimachinery";
import type { CapstanClient, JsonObject } from "@capstan/client";
import { metadataOf, objectKey, splitObjectKey, type OwnerReference, type ReconcileResult, type Reconciler } from "@capstan/controller-runtime";
import {
  isTerminating,
  ownerStateOf,
  planDependent,
  planTerminatingOwner,
  referenceTo,
  withoutFinalizer,
  withoutOwnerReferences,
  type KindedObject,
  type OwnerState,
} from "./collection-plan.js";
import { isResolvable, ownerNamespace, type OwnerGraph } from "./owner-graph.js";

/** What the collector asks of the gateway. */
export type GarbageCollectorClient = Pick<CapstanClient, "get" | "list" | "update" | "delete">;

/** Conflicting writers are retried this often before the key goes back to the queue. */
const MAX_CONFLICTS = 5;

/**
 * Uids of owners the gateway said do not exist. A uid is never reused, so an absent owner stays
 * absent: remembering it saves a Get per dependent. Bounded; the oldest are forgotten first.
 */
export class AbsentOwners {
  private readonly uids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  has(uid: string): boolean {
    return this.uids.has(uid);
  }

  add(uid: string): void {
    this.uids.add(uid);
    if (this.uids.size > this.capacity) this.uids.delete(this.uids.values().next().value!);
  }
}

/**
 * The garbage collector for one kind (DESIGN.md §4): reconciles an object as a dependent (deleted
 * once no owner is left, or waiting for it in the foreground) and as a terminating owner (its
 * dependents orphaned, or waited for). The cache only rules out work: every deletion, orphaning and
 * finalizer removal is decided on what the gateway answers, so a lagging cache never collects a
 * live object, and a restart simply looks at everything again.
 */
export class GarbageCollector implements Reconciler {
  constructor(
    private readonly kind: string,
    private readonly graph: OwnerGraph,
    private readonly client: GarbageCollectorClient,
    private readonly absentOwners: AbsentOwners,
    private readonly log: (message: string) => void,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitObjectKey(key);
    const obj = this.graph.get(this.kind, namespace, name);
    if (!obj) return;
    return isTerminating(obj) ? this.finishOwner(obj) : this.collect(obj);
  }

  /**
   * The object as a dependent: is any owner left? When the cache says no, the object and its owners
   * are read again from the gateway, and only what it says is acted on.
   */
  private async collect(cached: JsonObject): Promise<void> {
    const { namespace = "", name = "", uid } = metadataOf(cached);
    const hasDependents = this.graph.hasDependents(cached);
    if (planDependent(cached, (ref) => this.cachedOwnerState(ref, namespace), hasDependents).type === "keep") return;

    const obj = await this.getLive(this.kind, namespace, name);
    if (!obj || metadataOf(obj).uid !== uid) return;
    const states = new Map<string, OwnerState>();
    for (const ref of metadataOf(obj).ownerReferences ?? []) states.set(ref.uid, await this.liveOwnerState(ref, namespace));
    const plan = planDependent(obj, (ref) => states.get(ref.uid) ?? "present", hasDependents);
    if (plan.type === "removeOwnerReferences") await this.modify({ kind: this.kind, object: obj }, (o) => withoutOwnerReferences(o, plan.uids));
    else if (plan.type === "delete") await this.delete({ kind: this.kind, object: obj }, plan.propagationPolicy);
  }

  /** The object as an owner deleted with Orphan or Foreground. */
  private async finishOwner(owner: JsonObject): Promise<ReconcileResult | void> {
    const cached = planTerminatingOwner(owner, this.graph.dependentsOf(owner));
    if (cached.type === "none" || cached.type === "waitForDependents") return;
    // Orphaning or letting go: the cache may lag behind, so the gateway says which dependents there are.
    const plan = planTerminatingOwner(owner, await this.liveDependentsOf(owner));
    const uid = metadataOf(owner).uid ?? "";
    switch (plan.type) {
      case "orphanDependents":
        await Promise.all(plan.dependents.map((d) => this.modify(d, (o) => withoutOwnerReferences(o, [uid]))));
        this.log(`orphaned ${plan.dependents.length} dependents of ${this.kind} ${objectKey(owner)}`);
        // Then the finalizer, once the gateway shows none left.
        return { requeueAfterMs: 0 };
      case "removeFinalizer":
        await this.modify({ kind: this.kind, object: owner }, (o) => withoutFinalizer(o, plan.finalizer));
        this.log(`removed the ${plan.finalizer} finalizer of ${this.kind} ${objectKey(owner)}`);
        return;
      default:
        return;
    }
  }

  /** What the cache says of an owner; "absent" only means "ask the gateway". */
  private cachedOwnerState(ref: OwnerReference, namespace: string): OwnerState {
    if (!isResolvable(ref, namespace)) return "unresolvable";
    if (this.absentOwners.has(ref.uid)) return "absent";
    // An owner of a kind Capstan does not serve cannot be judged: kept, as its dependent is.
    if (!findKind(ref.kind)) return "present";
    if (!this.graph.isWatched(ref.kind)) return "absent";
    const owner = this.graph.cachedOwner(ref, namespace);
    return owner ? ownerStateOf(owner) : "absent";
  }

  private async liveOwnerState(ref: OwnerReference, namespace: string): Promise<OwnerState> {
    if (!isResolvable(ref, namespace)) return "unresolvable";
    if (this.absentOwners.has(ref.uid)) return "absent";
    if (!findKind(ref.kind)) return "present";
    try {
      const owner = fromApiObject(await this.client.get({ kind: ref.kind, namespace: ownerNamespace(ref, namespace), name: ref.name })).json;
      if (metadataOf(owner).uid === ref.uid) return ownerStateOf(owner);
    } catch (e) {
      if (!isCapstanError(e, "NotFound")) throw e;
    }
    this.absentOwners.add(ref.uid);
    return "absent";
  }

  private async liveDependentsOf(owner: JsonObject): Promise<KindedObject[]> {
    const { uid, namespace = "" } = metadataOf(owner);
    // A namespaced owner's dependents are in its namespace; a cluster-scoped one's anywhere.
    const kinds = namespace ? this.graph.kinds.filter((kind) => findKind(kind)?.namespaced === true) : this.graph.kinds;
    const lists = await Promise.all(
      kinds.map(async (kind) => {
        const { items } = await this.client.list({ kind, namespace });
        return items.map((item) => ({ kind, object: fromApiObject(item).json }));
      }),
    );
    return lists.flat().filter((d) => referenceTo(d.object, uid) !== undefined);
  }

  /**
   * Writes `change` of the object, guarded by its resourceVersion; on a conflict reads it again and
   * retries. Nothing is written if the object is gone, replaced, or already as `change` makes it.
   */
  private async modify(target: KindedObject, change: (obj: JsonObject) => JsonObject): Promise<void> {
    const { namespace = "", name = "", uid } = metadataOf(target.object);
    let current: JsonObject | undefined = target.object;
    for (let attempt = 1; ; attempt++) {
      if (!current || metadataOf(current).uid !== uid) return;
      const changed = change(current);
      if (isDeepStrictEqual(changed, current)) return;
      try {
        await this.client.update(toApiObject(changed));
        return;
      } catch (e) {
        if (isCapstanError(e, "NotFound")) return;
        if (!isCapstanError(e, "Conflict") || attempt >= MAX_CONFLICTS) throw e;
      }
      current = await this.getLive(target.kind, namespace, name);
    }
  }

  private async getLive(kind: string, namespace: string, name: string): Promise<JsonObject | undefined> {
    try {
      return fromApiObject(await this.client.get({ kind, namespace, name })).json;
    } catch (e) {
      if (isCapstanError(e, "NotFound")) return undefined;
      throw e;
    }
  }

  /**
   * Deletes this very object, as it was read: its uid and resourceVersion are the preconditions. One
   * gone, replaced or changed since is left be — a change brings it back to the queue.
   */
  private async delete(target: KindedObject, propagationPolicy: DeletionPropagation): Promise<void> {
    const { namespace = "", name = "", uid, resourceVersion } = metadataOf(target.object);
    try {
      await this.client.delete({ kind: target.kind, namespace, name, preconditions: { uid, resourceVersion }, propagationPolicy });
    } catch (e) {
      if (!isCapstanError(e, "NotFound") && !isCapstanError(e, "Conflict")) throw e;
    }
  }
}
