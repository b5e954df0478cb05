import { metaOf, Pod, statusOf, toApiObject, type OwnerReference } from "@capstan/api";
import type { CapstanClient, JsonObject } from "@capstan/client";
import {
  controllerRefOf,
  deletePod,
  metadataOf,
  OWNER_UID_INDEX,
  revisionOf,
  splitObjectKey,
  type IndexFunc,
  type Informer,
  type ReconcileResult,
  type Reconciler,
} from "@capstan/controller-runtime";
import type { ReplicaKind, ReplicaOwnerObject } from "./replica-owner.js";
import { planReplicas, type ReplicaPlan } from "./replica-plan.js";

/** The gateway calls the controller makes. */
export type ReplicaSetClient = Pick<CapstanClient, "create" | "update" | "updateStatus" | "delete">;

/** Pods created per reconcile at most; the rest follow in the next one, as Kubernetes' burstReplicas. */
const BURST = 500;

/** Pods without a controller, by namespace: the only pods besides its own that a ReplicaSet may claim. */
export const ORPHAN_PODS_INDEX = "orphan-pods";
export const orphanPodsByNamespace: IndexFunc = (pod) => (controllerRefOf(pod) ? [] : [metadataOf(pod).namespace ?? ""]);


/**
 * Keeps each ReplicaSet's (or ReplicationController's) pods at its replicas: carries out planReplicas,
 * then waits until its own writes are in the pod cache, so the next reconcile never counts on a stale
 * cache and creates a pod too many (what Kubernetes' "expectations" are for).
 */
export class ReplicaSetReconciler implements Reconciler {
  constructor(
    private readonly kind: ReplicaKind,
    private readonly owners: Informer,
    private readonly pods: Informer,
    private readonly client: ReplicaSetClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.owners.get(namespace, name);
    if (!json) return;
    const owner = this.kind.read(json);
    const plan = planReplicas(owner, this.claimCandidates(namespace, owner.ref.uid), this.now());

    let written = 0;
    const track = (revision: number) => (written = Math.max(written, revision));
    for (const pod of plan.adopt) track(await this.setController(pod, owner.ref));
    for (const pod of plan.release) track(await this.setController(pod, undefined));
    if (plan.create > 0) for (const revision of await this.createPods(owner, Math.min(plan.create, BURST))) track(revision);
    await Promise.all(plan.remove.map(async (pod) => track(await deletePod(this.client, pod))));
    if (written > 0) await this.pods.waitForRevision(written);

    await this.writeStatus(json, owner, plan);
    if (plan.create > BURST) return { requeueAfterMs: 0 };
    return plan.recheckAfterMs !== undefined ? { requeueAfterMs: plan.recheckAfterMs } : undefined;
  }

  /**
   * Its own pods and the namespace's orphans, decoded: pods another controller owns cannot matter, and
   * decoding every pod of a busy namespace on each reconcile was the controller's main cost at density.
   * Needs ORPHAN_PODS_INDEX on the pod informer.
   */
  private claimCandidates(namespace: string, ownerUid: string): Pod[] {
    const candidates = new Set([...this.pods.byIndex(OWNER_UID_INDEX, ownerUid), ...this.pods.byIndex(ORPHAN_PODS_INDEX, namespace)]);
    return [...candidates].map((p) => Pod.fromJSON(p));
  }

  /** Sets or clears the pod's controller reference; the pod's resourceVersion guards the change. */
  private async setController(pod: Pod, ref: OwnerReference | undefined): Promise<number> {
    const others = pod.metadata!.ownerReferences.filter((r) => r.controller !== true);
    const updated = Pod.fromPartial({ ...pod, metadata: { ...pod.metadata!, ownerReferences: ref ? [...others, ref] : others } });
    return revisionOf(await this.client.update(toApiObject(Pod.toJSON(updated))));
  }

  /**
   * Kubernetes' slow start: batches of 1, 2, 4, … so a template that cannot be created fails once,
   * not `count` times. Returns the revisions of the pods created.
   */
  private async createPods(owner: ReplicaOwnerObject, count: number): Promise<number[]> {
    const revisions: number[] = [];
    const templateMeta = metaOf(owner.template).json;
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: `${owner.name}-`,
        namespace: owner.namespace,
        labels: templateMeta["labels"] ?? {},
        ...(templateMeta["annotations"] ? { annotations: templateMeta["annotations"] } : {}),
        ownerReferences: [owner.ref],
      },
      spec: owner.template["spec"] ?? {},
    };
    for (let batch = 1; revisions.length < count; batch *= 2) {
      const size = Math.min(batch, count - revisions.length);
      const created = await Promise.all(Array.from({ length: size }, () => this.client.create(toApiObject(pod))));
      for (const o of created) revisions.push(revisionOf(o));
    }
    return revisions;
  }

  private async writeStatus(json: JsonObject, owner: ReplicaOwnerObject, plan: ReplicaPlan): Promise<void> {
    const current = statusOf(json);
    const status = { ...current, ...plan.status, observedGeneration: owner.generation };
    const unchanged = Object.entries(status).every(([k, v]) => (current[k] ?? 0) === v);
    if (unchanged) return;
    await this.owners.waitForRevision(revisionOf(await this.client.updateStatus(toApiObject({ ...json, status }))));
  }
}
