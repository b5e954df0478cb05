import { isDeepStrictEqual } from "node:util";
import { isCapstanError, rfc3339Seconds } from "@capstan/apimachinery";
import { CronJob, metaOf, objectMeta, statusOf, toApiObject, type ApiObject, type ObjectReference } from "@capstan/api";
import type { CapstanClient, JsonObject } from "@capstan/client";
import {
  controllerRefOf,
  deleteIfUid,
  OWNER_UID_INDEX,
  revisionOf,
  splitObjectKey,
  type Informer,
  type ReconcileResult,
  type Reconciler,
  type Recorder,
} from "@capstan/controller-runtime";
import { planCronJob, type ChildJob, type CronJobStatusPlan } from "./cron-job-plan.js";
import { childJobOf, jobFromTemplate } from "./job-from-template.js";

/** The gateway calls the controller makes. */
export type CronJobClient = Pick<CapstanClient, "create" | "get" | "updateStatus" | "delete">;

/**
 * The longest wait asked of the work queue: Node's timers overflow past 2^31-1 ms (24.8 days, shorter than
 * @monthly's gaps) and fire at once. Waking early is harmless: the next sync plans the same time again.
 */
export const MAX_REQUEUE_MS = 24 * 3_600_000;

/**
 * Starts each CronJob's Jobs on schedule and keeps its history: carries out planCronJob, waits until its
 * own Job writes are in the cache (so the next sync never misses a Job it made), then writes status.
 */
export class CronJobReconciler implements Reconciler {
  constructor(
    private readonly cronJobs: Informer,
    private readonly jobs: Informer,
    private readonly client: CronJobClient,
    private readonly recorder: Recorder,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.cronJobs.get(namespace, name);
    if (!json) return;
    const cronJob = CronJob.fromJSON(json);
    const uid = cronJob.metadata?.uid ?? "";
    const children = this.jobs
      .byIndex(OWNER_UID_INDEX, uid)
      .filter((j) => controllerRefOf(j)?.uid === uid)
      .map(childJobOf);
    const plan = planCronJob(cronJob, children, this.now());

    let written = 0;
    const track = (revision: number) => (written = Math.max(written, revision));
    for (const job of plan.remove) track(await this.deleteJob(job));
    const active = [...plan.status.active];
    if (plan.create) {
      const job = await this.createJob(json, uid, plan.create.name, plan.create.scheduledTime, cronJob.spec?.timeZone ?? "UTC");
      track(revisionOf(job));
      active.push(referenceTo(job));
    }
    for (const e of plan.events) this.recorder.record(json, e.type, e.reason, e.message);
    if (written > 0) await this.jobs.waitForRevision(written);
    await this.writeStatus(json, { ...plan.status, active });
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: Math.min(plan.requeueAfterMs, MAX_REQUEUE_MS) } : undefined;
  }

  /** Creates the Job of a scheduled time; one already there from an earlier try is that Job, if it is ours. */
  private async createJob(cronJob: JsonObject, uid: string, name: string, scheduledTime: Date, timeZone: string): Promise<ApiObject> {
    const job = jobFromTemplate(cronJob, name, scheduledTime, timeZone);
    try {
      const created = await this.client.create(toApiObject(job));
      this.recorder.record(cronJob, "Normal", "SuccessfulCreate", `Created job ${name}`);
      return created;
    } catch (e) {
      if (!isCapstanError(e, "AlreadyExists")) {
        this.recorder.record(cronJob, "Warning", "FailedCreate", `Error creating job: ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      }
      const { namespace, name: cronJobName } = metaOf(cronJob);
      const existing = await this.client.get({ kind: "Job", namespace, name });
      const owner = objectMeta(existing).ownerReferences.find((r) => r.controller === true);
      if (owner?.uid !== uid) throw new Error(`job ${namespace}/${name} already exists but is not controlled by cronjob ${namespace}/${cronJobName}`, { cause: e });
      return existing;
    }
  }

  /** Deletes a Job with its pods (background propagation, as Kubernetes' deleteJob). */
  private async deleteJob(job: ChildJob): Promise<number> {
    return deleteIfUid(this.client, { kind: "Job", namespace: job.namespace, name: job.name, uid: job.uid }, { propagationPolicy: "Background" });
  }

  private async writeStatus(json: JsonObject, plan: CronJobStatusPlan): Promise<void> {
    const current = statusOf(json);
    const status: JsonObject = {
      ...(plan.active.length > 0 ? { active: plan.active.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, uid: r.uid, resourceVersion: r.resourceVersion })) } : {}),
      ...(plan.lastScheduleTime ? { lastScheduleTime: rfc3339Seconds(plan.lastScheduleTime) } : {}),
      ...(plan.lastSuccessfulTime ? { lastSuccessfulTime: rfc3339Seconds(plan.lastSuccessfulTime) } : {}),
    };
    const same = (k: string, normalize: (v: unknown) => unknown = (v) => v) => isDeepStrictEqual(normalize(current[k]), normalize(status[k]));
    const time = (v: unknown) => (typeof v === "string" ? Date.parse(v) : undefined);
    const uids = (v: unknown) => (Array.isArray(v) ? (v as JsonObject[]).map((r) => r["uid"]) : []);
    if (same("active", uids) && same("lastScheduleTime", time) && same("lastSuccessfulTime", time)) return;
    await this.cronJobs.waitForRevision(revisionOf(await this.client.updateStatus(toApiObject({ ...json, status }))));
  }
}

/** An ObjectReference to a Job, as status.active lists it. */
function referenceTo(job: ApiObject): ObjectReference {
  const meta = objectMeta(job);
  return { apiVersion: "batch/v1", kind: "Job", namespace: meta.namespace, name: meta.name, uid: meta.uid, resourceVersion: meta.resourceVersion, fieldPath: "" };
}
