import { isCapstanError } from "@capstan/apimachinery";
import { metaOf, objectMeta, Pod, toApiObject, type ApiObject } from "@capstan/api";
import type { CapstanClient, JsonObject } from "@capstan/client";
import {
  OWNER_UID_INDEX,
  revisionsToTruncate,
  splitObjectKey,
  syncRevisions,
  type Informer,
  type ReconcileResult,
  type Reconciler,
} from "@capstan/controller-runtime";
import { revisionOfPod } from "./stateful-pod.js";
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

const revisionOf = (o: ApiObject | undefined) => (o ? Number(objectMeta(o).resourceVersion || 0) : 0);

/**
 * Keeps each StatefulSet's ordinals: syncs its revision history, carries out planStatefulSet, trims the
 * history, writes status. Pod and claim names are deterministic, so a create that finds its object
 * already there (a write the cache had not seen, or one made before a crash) is no duplicate but done.
 */
export class StatefulSetReconciler implements Reconciler {
  constructor(
    private readonly informers: StatefulSetInformers,
    private readonly client: StatefulSetClient,
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

    const pods = this.informers.pods
      .byIndex(OWNER_UID_INDEX, set.uid)
      .map((p) => Pod.fromJSON(p))
      .filter((p) => p.metadata?.ownerReferences.some((r) => r.controller === true && r.uid === set.uid));
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
    for (const claim of plan.createClaims) await this.createIfAbsent(claim);
    await Promise.all(plan.createPods.map(async (pod) => track(await this.createIfAbsent(pod))));
    await Promise.all(plan.deletePods.map(async (pod) => track(await this.deletePod(pod))));
    if (written > 0) await this.informers.pods.waitForRevision(written);

    const live = new Set([nameOf(revisions.current), nameOf(revisions.update), ...pods.map(revisionOfPod)]);
    for (const old of revisionsToTruncate(this.informers.revisions.byIndex(OWNER_UID_INDEX, set.uid), live, set.revisionHistoryLimit)) {
      await this.client.delete({ kind: "ControllerRevision", namespace, name: nameOf(old), preconditions: { uid: metaOf(old).uid } }).catch(ignoreNotFound);
    }

    await this.writeStatus(json, set, plan, revisions.collisionCount);
    return plan.recheckAfterMs !== undefined ? { requeueAfterMs: plan.recheckAfterMs } : undefined;
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

  private async deletePod(pod: Pod): Promise<number> {
    const meta = pod.metadata!;
    try {
      const res = await this.client.delete({ kind: "Pod", namespace: meta.namespace, name: meta.name, preconditions: { uid: meta.uid } });
      return revisionOf(res.object);
    } catch (e) {
      ignoreNotFound(e);
      return 0;
    }
  }

  private async writeStatus(json: JsonObject, set: StatefulSetView, plan: StatefulSetPlan, collisionCount: number): Promise<void> {
    const status: JsonObject = { ...set.status, ...plan.status, observedGeneration: set.generation, collisionCount };
    const unchanged = Object.entries(status).every(([k, v]) => (set.status[k] ?? 0) === v);
    if (unchanged) return;
    const written = await this.client.updateStatus(toApiObject({ ...json, status }));
    await this.informers.sets.waitForRevision(revisionOf(written));
  }
}

function ignoreNotFound(e: unknown): void {
  if (!isCapstanError(e, "NotFound")) throw e;
}

