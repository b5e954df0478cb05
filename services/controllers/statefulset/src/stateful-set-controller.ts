import { isCapstanError } from "@capstan/apimachinery";
import { metaOf, Pod, toApiObject } from "@capstan/api";
import type { CapstanClient, JsonObject } from "@capstan/client";
import {
  controllerRefOf,
  deleteIfUid,
  deletePod,
  OWNER_UID_INDEX,
  revisionOf,
  revisionsToTruncate,
  splitObjectKey,
  syncRevisions,
  type Informer,
  type ReconcileResult,
  type Reconciler,
  type Recorder,
} from "@capstan/controller-runtime";
import { ordinalOf, revisionOfPod } from "./stateful-pod.js";
import { nameOf, readStatefulSet, revisionData, templateOfRevision, type StatefulSetView } from "./stateful-set.js";
import { planStatefulSet, type StatefulSetPlan } from "./stateful-set-plan.js";

/** The gateway calls the controller makes. */
export type StatefulSetClient = Pick<CapstanClient, "create" | "get" | "update" | "updateStatus" | "delete">;

export interface StatefulSetInformers {
  readonly sets: Informer;
  readonly pods: Informer;
  readonly claims: Informer;
  readonly revisions: Informer;
}

/**
 * Keeps each StatefulSet's ordinals: syncs its revision history, carries out planStatefulSet, trims the
 * history, writes status. Pod and claim names are deterministic, so a create that finds its object
 * already there (a write the cache had not seen, or one made before a crash) is no duplicate but done.
 */
export class StatefulSetReconciler implements Reconciler {
  constructor(
    private readonly informers: StatefulSetInformers,
    private readonly client: StatefulSetClient,
    private readonly recorder: Recorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.informers.sets.get(namespace, name);
    if (!json) return;
    const set = readStatefulSet(json);
    if (set.deleting) return;

    const owned = this.informers.revisions.byIndex(OWNER_UID_INDEX, set.uid);
    const revisions = await syncRevisions(this.client, set, owned, revisionData(set), set.collisionCount, set.currentRevision);
    if (revisions.written > 0) await this.informers.revisions.waitForRevision(revisions.written);

    const pods = await this.claimPods(set);
    const plan = planStatefulSet({
      set,
      pods,
      claims: new Set(this.informers.claims.list(namespace).map(nameOf)),
      current: { name: nameOf(revisions.current), template: templateOfRevision(revisions.current) },
      update: { name: nameOf(revisions.update), template: templateOfRevision(revisions.update) },
      now: this.now(),
    });

    let written = 0;
    const track = (revision: number) => (written = Math.max(written, revision));
    // The messages are the StatefulSet controller's (stateful_pod_control.go recordPodEvent, recordClaimEvent).
    for (const claim of plan.createClaims) {
      const podName = `${set.name}-${String(ordinalOfClaim(claim))}`;
      if (await this.createIfAbsent(claim)) this.recorder.record(json, "Normal", "SuccessfulCreate", `create Claim ${nameOf(claim)} Pod ${podName} in StatefulSet ${set.name} success`);
    }
    await Promise.all(
      plan.createPods.map(async (pod) => {
        const revision = await this.createIfAbsent(pod);
        if (revision) this.recorder.record(json, "Normal", "SuccessfulCreate", `create Pod ${nameOf(pod)} in StatefulSet ${set.name} successful`);
        track(revision);
      }),
    );
    for (const { claim, pod } of plan.claimsOwnedByPod) await this.ownClaimByPod(namespace, claim, pod);
    await Promise.all(
      plan.deletePods.map(async (pod) => {
        const revision = await deletePod(this.client, pod);
        if (revision) this.recorder.record(json, "Normal", "SuccessfulDelete", `delete Pod ${pod.metadata!.name} in StatefulSet ${set.name} successful`);
        track(revision);
      }),
    );
    if (written > 0) await this.informers.pods.waitForRevision(written);

    const live = new Set([nameOf(revisions.current), nameOf(revisions.update), ...pods.map(revisionOfPod)]);
    for (const old of revisionsToTruncate(this.informers.revisions.byIndex(OWNER_UID_INDEX, set.uid), live, set.revisionHistoryLimit)) {
      await deleteIfUid(this.client, { kind: "ControllerRevision", namespace, name: nameOf(old), uid: metaOf(old).uid });
    }

    await this.writeStatus(json, set, plan, revisions.collisionCount);
    return plan.recheckAfterMs !== undefined ? { requeueAfterMs: plan.recheckAfterMs } : undefined;
  }

  /**
   * Its pods: those it controls, and orphans of its namespace that it selects and that are named as its
   * ordinals, which it adopts (a set deleted with --cascade=orphan and created again takes its pods
   * back instead of failing to create them under the names they hold).
   */
  private async claimPods(set: StatefulSetView): Promise<Pod[]> {
    const owned = this.informers.pods
      .byIndex(OWNER_UID_INDEX, set.uid)
      .map((p) => Pod.fromJSON(p))
      .filter((p) => p.metadata?.ownerReferences.some((r) => r.controller === true && r.uid === set.uid));
    // Checked on the JSON first: decoding every pod of a busy namespace would be the reconcile's main cost.
    const orphans = this.informers.pods
      .list(set.namespace)
      .filter((p) => !controllerRefOf(p))
      .map((p) => Pod.fromJSON(p))
      .filter((p) => !p.metadata?.deletionTimestamp)
      .filter((p) => set.selects(p.metadata?.labels ?? {}) && ordinalOf(set, p.metadata?.name ?? "") !== undefined);
    let written = 0;
    for (const orphan of orphans) {
      const adopted = Pod.fromPartial({ ...orphan, metadata: { ...orphan.metadata!, ownerReferences: [...orphan.metadata!.ownerReferences, set.ref] } });
      written = Math.max(written, revisionOf(await this.client.update(toApiObject(Pod.toJSON(adopted)))));
      owned.push(adopted);
    }
    if (written > 0) await this.informers.pods.waitForRevision(written);
    return owned;
  }

  /** Creates the object; one of its name already there is taken as created. Returns the write's revision. */
  private async createIfAbsent(object: JsonObject): Promise<number> {
    try {
      return revisionOf(await this.client.create(toApiObject(object)));
    } catch (e) {
      if (isCapstanError(e, "AlreadyExists")) return 0;
      throw e;
    }
  }

  /** Adds the pod to the claim's owners (once); the claim's resourceVersion guards the change. */
  private async ownClaimByPod(namespace: string, name: string, pod: Pod): Promise<void> {
    const claim = this.informers.claims.get(namespace, name);
    const meta = pod.metadata!;
    if (!claim || metaOf(claim).ownerReferences.some((r) => r.uid === meta.uid)) return;
    const ownerReferences = [...metaOf(claim).ownerReferences, { apiVersion: "v1", kind: "Pod", name: meta.name, uid: meta.uid }];
    await this.client.update(toApiObject({ ...claim, metadata: { ...metaOf(claim).json, ownerReferences } }));
  }

  private async writeStatus(json: JsonObject, set: StatefulSetView, plan: StatefulSetPlan, collisionCount: number): Promise<void> {
    const status: JsonObject = { ...set.status, ...plan.status, observedGeneration: set.generation, collisionCount };
    const unchanged = Object.entries(status).every(([k, v]) => (set.status[k] ?? 0) === v);
    if (unchanged) return;
    const written = await this.client.updateStatus(toApiObject({ ...json, status }));
    await this.informers.sets.waitForRevision(revisionOf(written));
  }
}

/** The ordinal a claim of the set is for: the number its name ends in. */
const ordinalOfClaim = (claim: JsonObject) => Number(/-(\d+)$/.exec(nameOf(claim))?.[1]);

