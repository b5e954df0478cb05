import { isCapstanError } from "@capstan/apimachinery";
import { objectMeta, toApiObject, type ApiObject } from "@capstan/api";
import type { CapstanClient, JsonObject } from "@capstan/client";
import { metadataOf, OWNER_UID_INDEX, splitObjectKey, type Informer, type ReconcileResult, type Reconciler, type Recorder } from "@capstan/controller-runtime";
import { withChange, type ReplicaSetChange } from "./deployment-replica-set.js";
import { planDeployment } from "./deployment-plan.js";
import type { DeploymentStatusView } from "./deployment-status.js";

/** The gateway calls the controller makes. */
export type DeploymentClient = Pick<CapstanClient, "create" | "update" | "updateStatus" | "delete">;

const revisionOf = (o: ApiObject) => Number(objectMeta(o).resourceVersion || 0);

/**
 * Rolls each Deployment towards its template through ReplicaSets: carries out planDeployment (create,
 * renumber, scale, prune, status). Like the ReplicaSet controller, it waits for each of its own writes
 * to reach its cache before the next, so the next sync never plans from a stale cache.
 */
export class DeploymentReconciler implements Reconciler {
  constructor(
    private readonly deployments: Informer,
    private readonly replicaSets: Informer,
    private readonly client: DeploymentClient,
    private readonly recorder: Recorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.deployments.get(namespace, name);
    if (!json) return;
    const read = this.replicaSets.byIndex(OWNER_UID_INDEX, metadataOf(json).uid ?? "");
    const plan = planDeployment(json, read, this.now());

    // Each write starts from the ReplicaSet as read (or as this sync last wrote it): a change by anyone else meanwhile is a conflict.
    const latest = new Map(read.map((rs) => [metadataOf(rs).name ?? "", rs]));
    if (plan.create) latest.set(metadataOf(plan.create).name ?? "", await this.createReplicaSet(plan.create));
    for (const change of plan.changes) latest.set(change.name, await this.updateReplicaSet(json, latest.get(change.name)!, change));
    for (const pruned of plan.prune) await this.deleteReplicaSet(namespace, pruned);
    if (plan.status) await this.writeStatus(json, plan.status);
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }

  /** Creates the ReplicaSet; returns it as cached after the write. */
  private async createReplicaSet(rs: JsonObject): Promise<JsonObject> {
    const created = await this.client.create(toApiObject(rs));
    await this.replicaSets.waitForRevision(revisionOf(created));
    const { namespace, name } = objectMeta(created);
    return this.replicaSets.get(namespace, name) ?? rs;
  }

  /** Changes replicas or the revision of a ReplicaSet, guarded by its resourceVersion; returns it as cached after the write. */
  private async updateReplicaSet(deployment: JsonObject, rs: JsonObject, change: ReplicaSetChange): Promise<JsonObject> {
    const next = withChange(rs, change);
    const updated = await this.client.update(toApiObject(next));
    const from = Number((rs["spec"] as JsonObject | undefined)?.["replicas"] ?? 0);
    if (change.replicas !== undefined && change.replicas !== from) {
      // Kubernetes' deployment controller's event for every scaling, which describe shows under the Deployment.
      const direction = change.replicas > from ? "up" : "down";
      this.recorder.record(deployment, "Normal", "ScalingReplicaSet", `Scaled ${direction} replica set ${change.name} from ${from} to ${change.replicas}`);
    }
    await this.replicaSets.waitForRevision(revisionOf(updated));
    const { namespace, name } = objectMeta(updated);
    return this.replicaSets.get(namespace, name) ?? next;
  }

  private async deleteReplicaSet(namespace: string, name: string): Promise<void> {
    await this.client.delete({ kind: "ReplicaSet", namespace, name }).catch((e: unknown) => {
      if (!isCapstanError(e, "NotFound")) throw e;
    });
  }

  private async writeStatus(json: JsonObject, status: DeploymentStatusView): Promise<void> {
    const updated = await this.client.updateStatus(toApiObject({ ...json, status }));
    await this.deployments.waitForRevision(revisionOf(updated));
  }
}
