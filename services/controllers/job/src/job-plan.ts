/**
 * What a Job needs next, from the Job and the pods it controls (Kubernetes' pkg/controller/job syncJob):
 * pods to create up to parallelism bounded by the completions left, pods to delete, and its status.
 * Pure; the controller carries it out.
 */
import type { Job, JobCondition, JobStatus, Pod } from "@capstan/api";
import { formatIndexes, parseIndexes } from "./indexes.js";

export interface JobPlanOptions {
  /** The first retry's delay after a failed pod; each further failure doubles it (10 s in Kubernetes). */
  readonly backoffBaseMs: number;
  /** The longest delay between retries (six minutes). */
  readonly backoffMaxMs: number;
}

export interface JobPlan {
  /** Pods to create: an Indexed Job's by completion index, a NonIndexed Job's as `undefined` each. */
  readonly create: readonly (number | undefined)[];
  /** Active pods to delete: excess ones, or all when the Job finished or is suspended. */
  readonly remove: readonly Pod[];
  readonly status: JobStatus;
  /** ttlSecondsAfterFinished has run out: the Job goes, its pods with it through the garbage collector. */
  readonly deleteJob: boolean;
  /** When time alone changes the plan: a back-off ends, the deadline or the TTL arrives. */
  readonly recheckAfterMs?: number;
}

const isFinished = (pod: Pod) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
const isActive = (pod: Pod) => !isFinished(pod) && pod.metadata?.deletionTimestamp === undefined;
const isReady = (pod: Pod) => pod.status?.conditions.some((c) => c.type === "Ready" && c.status === "True") === true;
const hasCondition = (status: JobStatus, type: string) => status.conditions.some((c) => c.type === type && c.status === "True");

/** An Indexed Job pod's index, from its annotation; undefined when absent or out of range. */
export function completionIndexOf(pod: Pod, annotation: string, completions: number): number | undefined {
  const text = pod.metadata?.annotations[annotation];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const index = Number(text);
  return index < completions ? index : undefined;
}

const restartsOf = (pod: Pod) => [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].reduce((n, c) => n + c.restartCount, 0);

/** When a pod finished: its containers' last finishedAt, else when its status last changed. */
function finishedAt(pod: Pod): number {
  const times = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].map((c) => Date.parse(c.state?.terminated?.finishedAt ?? ""));
  times.push(...(pod.status?.conditions ?? []).map((c) => Date.parse(c.lastTransitionTime)));
  const known = times.filter((t) => !Number.isNaN(t));
  return known.length > 0 ? Math.max(...known) : 0;
}

/** The delay before the next pod after `failures` consecutive failures: base × 2^(failures−1), capped. */
export function backoffDelayMs(failures: number, opts: JobPlanOptions): number {
  if (failures <= 0) return 0;
  return Math.min(opts.backoffBaseMs * 2 ** (failures - 1), opts.backoffMaxMs);
}

function condition(type: string, reason: string, message: string, now: Date, status = "True"): JobCondition {
  const time = now.toISOString();
  return { type, status, reason, message, lastProbeTime: time, lastTransitionTime: time };
}

/** The conditions with `next` replacing one of its type, kept as it was when only the probe time would change. */
function withCondition(conditions: readonly JobCondition[], next: JobCondition): JobCondition[] {
  const current = conditions.find((c) => c.type === next.type);
  if (current && current.status === next.status && current.reason === next.reason) return [...conditions];
  return [...conditions.filter((c) => c.type !== next.type), next];
}

export interface JobPlanInput {
  readonly job: Job;
  /** The pods the Job controls (its controller reference). */
  readonly pods: readonly Pod[];
  readonly indexAnnotation: string;
}

export function planJob({ job, pods, indexAnnotation }: JobPlanInput, now: Date, opts: JobPlanOptions): JobPlan {
  const spec = job.spec!;
  const previous = job.status ?? { conditions: [], startTime: "", completionTime: "", active: 0, succeeded: 0, failed: 0, completedIndexes: "" };
  const status: JobStatus = { ...previous, conditions: [...previous.conditions] };
  const nothing = { create: [], remove: [], status, deleteJob: false };

  if (hasCondition(previous, "Complete") || hasCondition(previous, "Failed")) return afterFinish(job, pods, status, now);
  if (job.metadata?.deletionTimestamp !== undefined) return nothing;

  const indexed = spec.completionMode === "Indexed";
  const parallelism = spec.parallelism ?? 1;
  const active = pods.filter(isActive);
  const succeededPods = pods.filter((p) => p.status?.phase === "Succeeded");
  const failedPods = pods.filter((p) => p.status?.phase === "Failed");
  // Counts never go down: a finished pod someone deleted has still been counted.
  status.succeeded = Math.max(previous.succeeded, succeededPods.length);
  status.failed = Math.max(previous.failed, failedPods.length);
  // Indexes at or above completions (an elastic Indexed Job scaled down) no longer count.
  const completed = new Set([...parseIndexes(previous.completedIndexes)].filter((i) => i < (spec.completions ?? 0)));
  if (indexed) {
    for (const pod of succeededPods) {
      const index = completionIndexOf(pod, indexAnnotation, spec.completions ?? 0);
      if (index !== undefined) completed.add(index);
    }
    status.completedIndexes = formatIndexes(completed);
    status.succeeded = completed.size;
  }
  status.terminating = pods.filter((p) => !isFinished(p) && p.metadata?.deletionTimestamp !== undefined).length;

  const finish = (type: "Complete" | "Failed", reason: string, message: string): JobPlan => {
    status.conditions = withCondition(status.conditions, condition(type, reason, message, now));
    if (type === "Complete") status.completionTime = now.toISOString();
    status.active = 0;
    status.ready = 0;
    return { ...afterFinish(job, pods, status, now), remove: active };
  };

  // Failure first, as Kubernetes: too many failures, or past the deadline.
  // Under OnFailure a container restarts in its pod, so its restarts are the retries (pastBackoffLimitOnFailure).
  const onFailureRestarts = spec.template?.spec?.restartPolicy === "OnFailure" ? active.reduce((n, p) => n + restartsOf(p), 0) : 0;
  const backoffLimit = spec.backoffLimit ?? 6;
  if (status.failed > backoffLimit || (onFailureRestarts > 0 && onFailureRestarts >= backoffLimit)) {
    return finish("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
  }
  const suspended = spec.suspend === true;
  const startTime = Date.parse(status.startTime);
  if (!suspended && !Number.isNaN(startTime) && spec.activeDeadlineSeconds !== undefined) {
    const left = startTime + spec.activeDeadlineSeconds * 1000 - now.getTime();
    if (left <= 0) return finish("Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
  }

  const completions = spec.completions;
  const done = indexed
    ? completed.size >= (completions ?? 0)
    : completions !== undefined
      ? status.succeeded >= completions
      : status.succeeded > 0 && active.length === 0;
  if (done) return finish("Complete", "CompletionsReached", "Reached expected number of succeeded pods");

  if (suspended) {
    status.conditions = withCondition(status.conditions, condition("Suspended", "JobSuspended", "Job suspended", now));
    status.active = 0;
    status.ready = 0;
    return { ...nothing, remove: active };
  }
  if (hasCondition(previous, "Suspended")) {
    status.conditions = withCondition(status.conditions, condition("Suspended", "JobResumed", "Job resumed", now, "False"));
    // The deadline counts from when it resumed.
    status.startTime = now.toISOString();
  }
  status.startTime ||= now.toISOString();

  const runs = indexed
    ? indexedRuns(active, completed, completions ?? 0, parallelism, indexAnnotation)
    : nonIndexedRuns(active, completions === undefined ? (status.succeeded > 0 ? 0 : parallelism) : Math.min(parallelism, completions - status.succeeded));
  let create = runs.create;
  const remove = runs.remove;

  let recheckAfterMs: number | undefined;
  const backoffLeftMs = create.length > 0 ? backoffLeft(succeededPods, failedPods, now, opts) : 0;
  if (backoffLeftMs > 0) {
    create = [];
    recheckAfterMs = backoffLeftMs;
  }
  if (spec.activeDeadlineSeconds !== undefined) {
    const left = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 - now.getTime();
    recheckAfterMs = Math.min(recheckAfterMs ?? left, left);
  }

  const stays = active.filter((p) => !remove.includes(p));
  // The pods about to be created count as active, as Kubernetes' status says right after it creates them.
  status.active = stays.length + create.length;
  status.ready = stays.filter(isReady).length;
  const plan: JobPlan = { create, remove, status, deleteJob: false };
  return recheckAfterMs !== undefined ? { ...plan, recheckAfterMs: Math.max(0, recheckAfterMs) } : plan;
}

interface Runs {
  readonly create: (number | undefined)[];
  readonly remove: Pod[];
}

/** NonIndexed: `wanted` pods at once; the newest of any excess stop. */
function nonIndexedRuns(active: readonly Pod[], wanted: number): Runs {
  const diff = wanted - active.length;
  return { create: Array.from({ length: Math.max(0, diff) }, () => undefined), remove: diff < 0 ? active.slice(diff) : [] };
}

/**
 * Indexed: one pod per pending index, the lowest first, up to parallelism. A pod without a valid index,
 * for an index already done, or a second one for an index, stops; over parallelism, the highest indexes stop.
 */
function indexedRuns(active: readonly Pod[], completed: ReadonlySet<number>, completions: number, parallelism: number, indexAnnotation: string): Runs {
  const remove: Pod[] = [];
  const byIndex = new Map<number, Pod>();
  for (const pod of active) {
    const index = completionIndexOf(pod, indexAnnotation, completions);
    if (index === undefined || completed.has(index) || byIndex.has(index)) remove.push(pod);
    else byIndex.set(index, pod);
  }
  for (const index of [...byIndex.keys()].sort((a, b) => b - a).slice(0, Math.max(0, byIndex.size - parallelism))) {
    remove.push(byIndex.get(index)!);
    byIndex.delete(index);
  }
  const create: number[] = [];
  for (let i = 0; i < completions && byIndex.size + create.length < parallelism; i++) {
    if (!completed.has(i) && !byIndex.has(i)) create.push(i);
  }
  return { create, remove };
}

/** How long until the next pod may start: base × 2^(n−1) from the last failure, n the failures since the last success. */
function backoffLeft(succeeded: readonly Pod[], failed: readonly Pod[], now: Date, opts: JobPlanOptions): number {
  if (failed.length === 0) return 0;
  const lastSuccess = Math.max(0, ...succeeded.map(finishedAt));
  const recentFailures = failed.map(finishedAt).filter((t) => t >= lastSuccess);
  return Math.max(0, Math.max(0, ...recentFailures) + backoffDelayMs(recentFailures.length, opts) - now.getTime());
}

/** A finished Job keeps no active pods, and goes ttlSecondsAfterFinished after it finished. */
function afterFinish(job: Job, pods: readonly Pod[], status: JobStatus, now: Date): JobPlan {
  const remove = pods.filter(isActive);
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || job.metadata?.deletionTimestamp !== undefined) return { create: [], remove, status, deleteJob: false };
  const finished = status.conditions.find((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
  const left = Date.parse(finished?.lastTransitionTime ?? "") + ttl * 1000 - now.getTime();
  if (Number.isNaN(left) || left <= 0) return { create: [], remove, status, deleteJob: true };
  return { create: [], remove, status, deleteJob: false, recheckAfterMs: left };
}
