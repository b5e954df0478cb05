/**
 * The disruption controller (Kubernetes' pkg/controller/disruption): keeps each PodDisruptionBudget's
 * status — expected, desired and current healthy pods, and so the disruptions allowed — in step with its
 * pods, which the eviction path reads and counts down in the same commit as each eviction.
 */
import { isCapstanError } from "@capstan/apimachinery";
import { metaOf, PodDisruptionBudgetStatus, podsSelectedBy, toApiObject } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import { splitObjectKey, type Informer, type Reconciler, type ReconcileResult, type Recorder } from "@capstan/controller-runtime";
import { budgetStatus, budgetStatusChanged, type ControllerRef, type ScaleOf } from "./budget-status.js";

const CONFLICT_RETRY_MS = 100;

export interface DisruptionInformers {
  readonly budgets: Informer;
  readonly pods: Informer;
  readonly replicaSets: Informer;
  readonly deployments: Informer;
  readonly statefulSets: Informer;
  readonly replicationControllers: Informer;
}

export type DisruptionClient = Pick<CapstanClient, "updateStatus">;

export class DisruptionReconciler implements Reconciler {
  constructor(
    private readonly informers: DisruptionInformers,
    private readonly client: DisruptionClient,
    private readonly recorder: Recorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.informers.budgets.get(namespace, name);
    if (!json || metaOf(json).deletionTimestamp) return;
    const pods = podsSelectedBy(json, this.informers.pods.list(namespace));
    if (pods.length === 0) this.recorder.record(json, "Normal", "NoPods", "No matching pods found");
    const now = this.now();
    const { status, recheckAtMs, failure } = budgetStatus(json, pods, this.scaleOf, now);
    if (failure !== undefined) this.recorder.record(json, "Warning", "CalculateExpectedPodCountFailed", `Failed to calculate the number of expected pods: ${failure}`);
    if (budgetStatusChanged(json, status)) {
      try {
        // The resourceVersion read guards the write: an eviction that counted down meanwhile wins, and this looks again.
        await this.client.updateStatus(toApiObject({ ...json, status: PodDisruptionBudgetStatus.toJSON(status) }));
      } catch (e) {
        if (isCapstanError(e, "Conflict")) return { requeueAfterMs: CONFLICT_RETRY_MS };
        if (isCapstanError(e, "NotFound")) return;
        throw e;
      }
    }
    return recheckAtMs === undefined ? undefined : { requeueAfterMs: Math.max(0, recheckAtMs - now.getTime()) };
  }

  /** The finders of getExpectedScale: ReplicationController, ReplicaSet (its Deployment's when it has one), StatefulSet. */
  private readonly scaleOf: ScaleOf = (namespace, ref) => {
    const replicasOf = (informer: Informer, r: ControllerRef) => {
      const owner = informer.get(namespace, r.name);
      if (!owner || metaOf(owner).uid !== r.uid) return undefined;
      return { uid: r.uid, replicas: Number((owner["spec"] as { replicas?: number } | undefined)?.replicas ?? 1) };
    };
    switch (ref.kind) {
      case "ReplicationController":
        return replicasOf(this.informers.replicationControllers, ref);
      case "StatefulSet":
        return replicasOf(this.informers.statefulSets, ref);
      case "ReplicaSet": {
        const rs = this.informers.replicaSets.get(namespace, ref.name);
        const deployment = rs && metaOf(rs).ownerReferences.find((o) => o.controller === true && o.kind === "Deployment");
        return deployment ? replicasOf(this.informers.deployments, deployment) : replicasOf(this.informers.replicaSets, ref);
      }
      default:
        return undefined;
    }
  };
}
