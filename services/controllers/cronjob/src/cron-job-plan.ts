/**
 * What one sync of a CronJob does (Kubernetes' cronjob_controllerv2.go syncCronJob and cleanupFinishedJobs,
 * utils.go mostRecentScheduleTime), as a pure function of the CronJob, the Jobs it controls and the time:
 * which finished Jobs to delete, which Job to start, the status to write, the events, and when to look again.
 */
import { isKnownTimeZone, parseCronSchedule, type CronJob, type CronSchedule, type ObjectReference } from "@capstan/api";

/** A Job the CronJob controls, as the plan reads it. */
export interface ChildJob {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  /** Its Complete or Failed condition, once it finished. */
  readonly finished?: "Complete" | "Failed";
  readonly startTime?: Date;
  readonly completionTime?: Date;
}

export interface PlannedEvent {
  readonly type: "Normal" | "Warning";
  readonly reason: string;
  readonly message: string;
}

export interface CronJobStatusPlan {
  readonly active: readonly ObjectReference[];
  readonly lastScheduleTime?: Date;
  readonly lastSuccessfulTime?: Date;
}

export interface CronJobPlan {
  /** Finished Jobs past the history limits, and with Replace the running ones. */
  readonly remove: readonly ChildJob[];
  /** The Job to start: named for its scheduled time, so a retry or a restart never starts it twice. */
  readonly create?: { readonly name: string; readonly scheduledTime: Date };
  /** The status after the removals and before the create (the created Job joins `active`). */
  readonly status: CronJobStatusPlan;
  readonly events: readonly PlannedEvent[];
  /** When the next scheduled time comes; unset when nothing will (suspended, an unusable schedule). */
  readonly requeueAfterMs?: number;
}

/** Kubernetes wakes a little after the scheduled time, so the time has surely passed (nextScheduleDelta). */
const NEXT_SCHEDULE_DELTA_MS = 100;
/** More missed times than this suggests a wrong clock (or a long outage): warn, and start only the latest. */
const MANY_MISSED = 100;

/** `<cronjob>-<scheduled time in minutes since the epoch>` (getJobName). */
export function jobNameFor(cronJobName: string, scheduledTime: Date): string {
  return `${cronJobName}-${Math.floor(scheduledTime.getTime() / 60_000)}`;
}

export function planCronJob(cronJob: CronJob, jobs: readonly ChildJob[], now: Date): CronJobPlan {
  const meta = cronJob.metadata!;
  const spec = cronJob.spec!;
  const events: PlannedEvent[] = [];
  const event = (type: PlannedEvent["type"], reason: string, message: string) => events.push({ type, reason, message });
  let active = [...(cronJob.status?.active ?? [])];
  let lastSuccessfulTime = dateOf(cronJob.status?.lastSuccessfulTime);
  const lastScheduleTime = dateOf(cronJob.status?.lastScheduleTime);

  const remove: ChildJob[] = [
    ...oldest(jobs.filter((j) => j.finished === "Complete"), spec.successfulJobsHistoryLimit),
    ...oldest(jobs.filter((j) => j.finished === "Failed"), spec.failedJobsHistoryLimit),
  ];
  const removeFromActive = (uid: string) => (active = active.filter((r) => r.uid !== uid));
  for (const job of remove) {
    removeFromActive(job.uid);
    event("Normal", "SuccessfulDelete", `Deleted job ${job.name}`);
  }

  for (const job of jobs) {
    const isActive = active.some((r) => r.uid === job.uid);
    if (!isActive && !job.finished) event("Warning", "UnexpectedJob", `Saw a job that the controller did not create or forgot: ${job.name}`);
    if (isActive && job.finished) {
      removeFromActive(job.uid);
      event("Normal", "SawCompletedJob", `Saw completed job: ${job.name}, condition: ${job.finished}`);
    }
    if (job.finished === "Complete" && job.completionTime && (!lastSuccessfulTime || job.completionTime > lastSuccessfulTime)) lastSuccessfulTime = job.completionTime;
  }
  for (const ref of active) {
    if (jobs.some((j) => j.uid === ref.uid)) continue;
    event("Normal", "MissingJob", `Active job went missing: ${ref.name}`);
    removeFromActive(ref.uid);
  }

  const status = (scheduled = lastScheduleTime): CronJobStatusPlan => ({
    active,
    ...(scheduled ? { lastScheduleTime: scheduled } : {}),
    ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
  });
  const waitOnly = (requeueAfterMs?: number | undefined): CronJobPlan => ({ remove, status: status(), events, ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}) });

  if (meta.deletionTimestamp) return waitOnly();
  const timeZone = spec.timeZone ?? "UTC";
  if (!isKnownTimeZone(timeZone)) {
    event("Warning", "UnknownTimeZone", `invalid timeZone: "${timeZone}": unknown time zone ${timeZone}`);
    return waitOnly();
  }
  if (spec.suspend === true) return waitOnly();
  const parsed = parseCronSchedule(spec.schedule, timeZone);
  if (!parsed.ok) {
    event("Warning", "UnparseableSchedule", `unparseable schedule: "${spec.schedule}" : ${parsed.reason}`);
    return waitOnly();
  }

  const schedule = parsed.schedule;
  const times: ScheduleTimes = { created: dateOf(meta.creationTimestamp) ?? now, lastScheduleTime, startingDeadlineSeconds: spec.startingDeadlineSeconds };
  const latest = mostRecentScheduleTime(times, now, schedule, true);
  if (latest.invalid) {
    event("Warning", "InvalidSchedule", `invalid schedule: ${spec.schedule} : ${latest.invalid}`);
    return waitOnly();
  }
  const requeue = (scheduled = lastScheduleTime) => nextScheduleDelay({ ...times, lastScheduleTime: scheduled }, now, schedule);
  const scheduledTime = latest.mostRecent;
  if (!scheduledTime) return waitOnly(requeue());
  if (latest.missed === "many") event("Warning", "TooManyMissedTimes", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");

  // Kubernetes' MissSchedule cannot happen here: the deadline bounds the search, so a time past it is never found.
  const name = jobNameFor(meta.name, scheduledTime);
  if (active.some((r) => r.name === name) || lastScheduleTime?.getTime() === scheduledTime.getTime()) return waitOnly(requeue());
  if (spec.concurrencyPolicy === "Forbid" && active.length > 0) {
    event("Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
    return waitOnly(requeue());
  }
  if (spec.concurrencyPolicy === "Replace") {
    for (const ref of active) {
      const job = jobs.find((j) => j.uid === ref.uid);
      if (job) remove.push(job);
      event("Normal", "SuccessfulDelete", `Deleted job ${ref.name}`);
    }
    active = [];
  }
  const next = requeue(scheduledTime);
  return { remove, create: { name, scheduledTime }, status: status(scheduledTime), events, ...(next !== undefined ? { requeueAfterMs: next } : {}) };
}

/** What the schedule times are counted from. */
interface ScheduleTimes {
  readonly created: Date;
  readonly lastScheduleTime: Date | undefined;
  readonly startingDeadlineSeconds: number | undefined;
}

interface MostRecent {
  /** Where the count started: the last scheduled time, else the creation time (or the deadline's start). */
  readonly earliest: Date;
  /** The latest scheduled time not after now that no Job was started for; undefined if none passed. */
  readonly mostRecent?: Date;
  readonly missed: "none" | "unmet" | "few" | "many";
  /** A schedule that parses but cannot fire twice a second apart (why Kubernetes refuses it). */
  readonly invalid?: string;
}

/**
 * mostRecentScheduleTime: the latest unmet scheduled time, found without walking every missed one (a
 * CronJob created years ago, or a wrong clock, would make that walk endless): the interval between two
 * firings estimates how many were missed, and the walk starts just before the last of them.
 */
export function mostRecentScheduleTime(times: ScheduleTimes, now: Date, schedule: CronSchedule, withDeadline: boolean): MostRecent {
  let earliest = times.lastScheduleTime ?? times.created;
  if (withDeadline && times.startingDeadlineSeconds !== undefined) {
    const deadline = new Date(now.getTime() - times.startingDeadlineSeconds * 1000);
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = schedule.next(earliest);
  const t2 = t1 && schedule.next(t1);
  if (!t1 || now < t1) return { earliest, missed: "none" };
  if (!t2 || now < t2) return { earliest, mostRecent: t1, missed: "unmet" };
  const between = Math.round((t2.getTime() - t1.getTime()) / 1000);
  if (between < 1) return { earliest, missed: "none", invalid: "time difference between two schedules is less than 1 second" };
  const elapsed = Math.trunc((now.getTime() - t1.getTime()) / 1000);
  const missedCount = Math.floor(elapsed / between) + 1;
  let mostRecent: Date | undefined;
  // One interval further back than the estimate, so an irregular schedule (30 6-16/4 * * 1-5) is not overshot.
  for (let t = schedule.next(new Date(t1.getTime() + (missedCount - 2) * between * 1000)); t && t <= now; t = schedule.next(t)) mostRecent = t;
  const missed = missedCount > MANY_MISSED ? "many" : "few";
  return mostRecent ? { earliest, mostRecent, missed } : { earliest, missed };
}

/** nextScheduleTimeDuration: how long until the first scheduled time after the latest one met. */
function nextScheduleDelay(times: ScheduleTimes, now: Date, schedule: CronSchedule): number | undefined {
  const latest = mostRecentScheduleTime(times, now, schedule, false);
  const from = latest.invalid ? now : (latest.mostRecent ?? (latest.missed === "none" ? latest.earliest : now));
  const next = schedule.next(from);
  return next ? Math.max(0, next.getTime() + NEXT_SCHEDULE_DELTA_MS - now.getTime()) : undefined;
}

/** The first of `jobs` beyond `limit`, oldest first (byJobStartTime: unstarted last, then by name). */
function oldest(jobs: readonly ChildJob[], limit: number | undefined): ChildJob[] {
  if (limit === undefined || jobs.length <= limit) return [];
  const sorted = [...jobs].sort((a, b) => {
    if (!a.startTime || !b.startTime) return a.startTime ? -1 : b.startTime ? 1 : a.name.localeCompare(b.name);
    return a.startTime.getTime() - b.startTime.getTime() || a.name.localeCompare(b.name);
  });
  return sorted.slice(0, jobs.length - limit);
}

function dateOf(text: string | undefined): Date | undefined {
  return text ? new Date(text) : undefined;
}
