import { DaemonSet, metaOf, Node, objectMeta, Pod, specOf, statusOf, toApiObject, type OwnerReference } from "@capstan/api";
import type { CapstanClient, JsonObject } from "@capstan/client";
import {
  CONTROLLER_REVISION_HASH_LABEL,
  DEFAULT_REVISION_HISTORY_LIMIT,
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
  type RevisionOwner,
} from "@capstan/controller-runtime";
import { CONTROLLER_REVISION_HASH_POD_LABEL, daemonSetRef, newDaemonPod } from "./daemon-pod.js";
import { planDaemonSet } from "./daemon-plan.js";
import { claimPods, ORPHAN_PODS_INDEX } from "./pod-claims.js";

/** The gateway calls the controller makes. */
export type DaemonSetClient = Pick<CapstanClient, "create" | "get" | "update" | "updateStatus" | "delete">;

export interface DaemonSetInformers {
  readonly daemonSets: Informer;
  readonly nodes: Informer;
  readonly pods: Informer;
  readonly revisions: Informer;
}

/**
 * Keeps one pod of each DaemonSet on every node that should run it (planDaemonSet), at the revision of
 * its template (a ControllerRevision), then waits until its own writes are in the caches so the next
 * reconcile never counts on a stale one and creates a second pod on a node.
 */
export class DaemonSetReconciler implements Reconciler {
  constructor(
    private readonly informers: DaemonSetInformers,
    private readonly client: DaemonSetClient,
    private readonly recorder: Recorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { daemonSets, nodes, pods, revisions } = this.informers;
    const { namespace, name } = splitObjectKey(key);
    const json = daemonSets.get(namespace, name);
    if (!json || metaOf(json).deletionTimestamp) return;
    const ds = DaemonSet.fromJSON(json);
    const uid = ds.metadata!.uid;

    const owned = revisions.byIndex(OWNER_UID_INDEX, uid);
    const history = await syncRevisions(this.client, revisionOwner(ds), owned, { spec: { template: specOf(json)["template"] ?? {} } }, ds.status?.collisionCount ?? 0, "");
    if (history.written > 0) await revisions.waitForRevision(history.written);
    const hash = metaOf(history.update).labels[CONTROLLER_REVISION_HASH_LABEL] ?? "";

    const candidates = new Set([...pods.byIndex(OWNER_UID_INDEX, uid), ...pods.byIndex(ORPHAN_PODS_INDEX, namespace)]);
    const claims = claimPods(ds, [...candidates].map((p) => Pod.fromJSON(p)));
    const claimed = await Promise.all([
      ...claims.adopt.map((pod) => this.setController(pod, daemonSetRef(ds))),
      ...claims.release.map((pod) => this.setController(pod, undefined)),
    ]);
    if (claimed.length > 0) await pods.waitForRevision(Math.max(...claimed));
    const daemonPods = claims.claimed;
    const plan = planDaemonSet(ds, nodes.list().map((n) => Node.fromJSON(n)), daemonPods, hash, this.now());
    // The messages are the DaemonSet controller's (syncNodes).
    const written = await Promise.all([
      ...plan.create.map(async (node) => {
        // The message itself: its JSON would spell IntOrString ports as strings, which a manifest may not.
        const created = await this.client.create({ pod: newDaemonPod(ds, node, hash) });
        this.recorder.record(json, "Normal", "SuccessfulCreate", `Created pod: ${objectMeta(created).name}`);
        return revisionOf(created);
      }),
      ...plan.remove.map((pod) => this.deletePod(json, pod)),
      ...plan.orphaned.map((pod) => this.deletePod(json, pod, 0)),
    ]);
    const last = Math.max(0, ...written);
    if (last > 0) await pods.waitForRevision(last);

    await this.truncateHistory(ds, revisions.byIndex(OWNER_UID_INDEX, uid), daemonPods, metaOf(history.update).name);
    await this.writeStatus(json, { ...plan.status, observedGeneration: ds.metadata!.generation, collisionCount: history.collisionCount });
    return plan.recheckAfterMs !== undefined ? { requeueAfterMs: plan.recheckAfterMs } : undefined;
  }

  /** Sets or clears the pod's controller reference; the pod's resourceVersion guards the change. */
  private async setController(pod: Pod, ref: OwnerReference | undefined): Promise<number> {
    const others = pod.metadata!.ownerReferences.filter((r) => r.controller !== true);
    const updated = Pod.fromPartial({ ...pod, metadata: { ...pod.metadata!, ownerReferences: ref ? [...others, ref] : others } });
    return revisionOf(await this.client.update({ pod: updated }));
  }

  /** Revisions beyond revisionHistoryLimit that no pod runs and that are not the template's, oldest first. */
  private async truncateHistory(ds: DaemonSet, owned: readonly JsonObject[], daemonPods: readonly Pod[], updateName: string): Promise<void> {
    const runningHashes = new Set(daemonPods.map((p) => p.metadata?.labels[CONTROLLER_REVISION_HASH_POD_LABEL]));
    const live = new Set([updateName, ...owned.filter((r) => runningHashes.has(metaOf(r).labels[CONTROLLER_REVISION_HASH_LABEL])).map((r) => metaOf(r).name)]);
    const limit = ds.spec?.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
    for (const r of revisionsToTruncate(owned, live, limit)) {
      await deleteIfUid(this.client, { kind: "ControllerRevision", namespace: metaOf(r).namespace, name: metaOf(r).name, uid: metaOf(r).uid });
    }
  }

  private async deletePod(ds: JsonObject, pod: Pod, gracePeriodSeconds?: number): Promise<number> {
    const revision = await deletePod(this.client, pod, { gracePeriodSeconds });
    this.recorder.record(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata!.name}`);
    return revision;
  }

  private async writeStatus(json: JsonObject, counts: Record<string, number>): Promise<void> {
    const current = statusOf(json);
    const status = { ...current, ...counts };
    if (Object.entries(counts).every(([k, v]) => Number(current[k] ?? 0) === v)) return;
    await this.informers.daemonSets.waitForRevision(revisionOf(await this.client.updateStatus(toApiObject({ ...json, status }))));
  }
}

function revisionOwner(ds: DaemonSet): RevisionOwner {
  const meta = ds.metadata!;
  return {
    namespace: meta.namespace,
    name: meta.name,
    ref: { apiVersion: "apps/v1", kind: "DaemonSet", name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true },
    templateLabels: ds.spec?.template?.metadata?.labels ?? {},
  };
}
