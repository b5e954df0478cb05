import { isDeepStrictEqual } from "node:util";
import { isCapstanError } from "@capstan/apimachinery";
import { Job, JOB_COMPLETION_INDEX_ANNOTATION, JobStatus, objectMeta, Pod, toApiObject, workloadView, type ApiObject, type OwnerReference } from "@capstan/api";
import type { CapstanClient, JsonObject } from "@capstan/client";
import { deletePod, OWNER_UID_INDEX, revisionOf, splitObjectKey, type Informer, type ReconcileResult, type Reconciler, type Recorder } from "@capstan/controller-runtime";
import { conditionEvents } from "./job-events.js";
import { jobPod, type JobPodOwner } from "./job-pod.js";
import { planJob, type JobPlanOptions } from "./job-plan.js";

/** The gateway calls the controller makes. */
export type JobClient = Pick<CapstanClient, "create" | "updateStatus" | "delete">;

/** Pods created per reconcile at most, as the ReplicaSet controller's burst; the rest follow at once. */
const BURST = 500;

/**
 * Runs each Job's pods to completion: carries out planJob, then waits until its own pod writes are in
 * the pod cache, so the next reconcile never counts on a stale cache and starts a pod too many. After a
 * restart the cache is listed afresh, so the pods already there are counted, never created again.
 */
export class JobReconciler implements Reconciler {
  constructor(
    private readonly jobs: Informer,
    private readonly pods: Informer,
    private readonly client: JobClient,
    private readonly recorder: Recorder,
    private readonly opts: JobPlanOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.jobs.get(namespace, name);
    if (!json) return;
    const job = Job.fromJSON(json);
    const uid = job.metadata?.uid ?? "";
    const pods = this.pods
      .byIndex(OWNER_UID_INDEX, uid)
      .map((p) => Pod.fromJSON(p))
      .filter((p) => p.metadata?.ownerReferences.some((r) => r.controller === true && r.uid === uid));
    const plan = planJob({ job, pods, indexAnnotation: JOB_COMPLETION_INDEX_ANNOTATION }, this.now(), this.opts);

    if (plan.deleteJob) {
      await this.deleteJob(namespace, name, uid);
      return;
    }
    const owner: JobPodOwner = { namespace, name, ref: jobRef(name, uid), template: workloadView(json).template ?? {} };
    let written = 0;
    const track = (revision: number) => (written = Math.max(written, revision));
    for (const pod of await this.createPods(owner, plan.create.slice(0, BURST))) {
      track(revisionOf(pod));
      this.recorder.record(json, "Normal", "SuccessfulCreate", `Created pod: ${objectMeta(pod).name}`);
    }
    await Promise.all(
      plan.remove.map(async (pod) => {
        const revision = await deletePod(this.client, pod);
        track(revision);
        if (revision > 0) this.recorder.record(json, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata!.name}`);
      }),
    );
    if (written > 0) await this.pods.waitForRevision(written);

    await this.writeStatus(json, job.status, plan.status);
    for (const e of conditionEvents(job.status?.conditions ?? [], plan.status.conditions)) this.recorder.record(json, e.type, e.reason, e.message);
    if (plan.create.length > BURST) return { requeueAfterMs: 0 };
    return plan.recheckAfterMs !== undefined ? { requeueAfterMs: plan.recheckAfterMs } : undefined;
  }

  /** Kubernetes' slow start: batches of 1, 2, 4, … so a template that cannot be created fails once. */
  private async createPods(owner: JobPodOwner, indexes: readonly (number | undefined)[]): Promise<ApiObject[]> {
    const created: ApiObject[] = [];
    for (let batch = 1; created.length < indexes.length; batch *= 2) {
      const next = indexes.slice(created.length, created.length + batch);
      created.push(...(await Promise.all(next.map((index) => this.client.create(toApiObject(jobPod(owner, index)))))));
    }
    return created;
  }

  /** ttlSecondsAfterFinished: the Job goes in the background; the garbage collector takes its pods. */
  private async deleteJob(namespace: string, name: string, uid: string): Promise<void> {
    try {
      await this.client.delete({ kind: "Job", namespace, name, propagationPolicy: "Background", preconditions: { uid } });
    } catch (e) {
      if (!isCapstanError(e, "NotFound")) throw e;
    }
  }

  private async writeStatus(json: JsonObject, current: JobStatus | undefined, next: JobStatus): Promise<void> {
    const status = JobStatus.toJSON(next) as JsonObject;
    if (isDeepStrictEqual(JobStatus.toJSON(current ?? JobStatus.create()), status)) return;
    await this.jobs.waitForRevision(revisionOf(await this.client.updateStatus(toApiObject({ ...json, status }))));
  }
}

/** What its pods carry in metadata.ownerReferences. */
function jobRef(name: string, uid: string): OwnerReference {
  return { apiVersion: "batch/v1", kind: "Job", name, uid, controller: true, blockOwnerDeletion: true };
}
