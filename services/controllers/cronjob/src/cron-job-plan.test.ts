import { describe, expect, it } from "vitest";
import { CronJob, type CronJobSpec } from "@capstan/api";
import { jobNameFor, planCronJob, type ChildJob } from "./cron-job-plan.js";

const created = "2026-03-01T11:00:30.000Z";

interface CronJobOptions {
  spec?: Partial<CronJobSpec>;
  active?: ChildJob[];
  lastScheduleTime?: string;
  created?: string;
  deleting?: boolean;
}

function aCronJob(o: CronJobOptions = {}): CronJob {
  return CronJob.fromPartial({
    metadata: { name: "hello", namespace: "default", uid: "cj-uid", creationTimestamp: o.created ?? created, ...(o.deleting ? { deletionTimestamp: created } : {}) },
    spec: { schedule: "*/5 * * * *", concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, ...o.spec },
    status: {
      active: (o.active ?? []).map((j) => ({ apiVersion: "batch/v1", kind: "Job", name: j.name, namespace: j.namespace, uid: j.uid })),
      ...(o.lastScheduleTime ? { lastScheduleTime: o.lastScheduleTime } : {}),
    },
  });
}

function aJob(name: string, o: { finished?: "Complete" | "Failed"; started?: string; completed?: string } = {}): ChildJob {
  return {
    name,
    namespace: "default",
    uid: `uid-${name}`,
    ...(o.finished ? { finished: o.finished } : {}),
    ...(o.started ? { startTime: new Date(o.started) } : {}),
    ...(o.completed ? { completionTime: new Date(o.completed) } : {}),
  };
}

const at = (iso: string) => new Date(iso);
const reasons = (plan: { events: readonly { reason: string }[] }) => plan.events.map((e) => e.reason);
const names = (jobs: readonly ChildJob[]) => jobs.map((j) => j.name);

describe("planCronJob: when to start a Job", () => {
  it("given a new CronJob, when its first scheduled time has not come, then it starts nothing and wakes just after it", () => {
    const plan = planCronJob(aCronJob(), [], at("2026-03-01T11:02:00.000Z"));
    expect(plan.create).toBeUndefined();
    expect(plan.requeueAfterMs).toBe(3 * 60_000 + 100);
  });

  it("given its scheduled time passed, when planned, then it starts the Job named for that minute and records it", () => {
    const plan = planCronJob(aCronJob(), [], at("2026-03-01T11:05:01.000Z"));
    const scheduledTime = at("2026-03-01T11:05:00.000Z");
    expect(plan.create).toEqual({ name: `hello-${scheduledTime.getTime() / 60_000}`, scheduledTime });
    expect(plan.status.lastScheduleTime).toEqual(scheduledTime);
    expect(plan.requeueAfterMs).toBe(5 * 60_000 - 1000 + 100);
  });

  it("given several missed times, when planned, then only the most recent one starts", () => {
    const plan = planCronJob(aCronJob({ lastScheduleTime: "2026-03-01T11:05:00Z" }), [], at("2026-03-01T11:31:00.000Z"));
    expect(plan.create?.scheduledTime).toEqual(at("2026-03-01T11:30:00.000Z"));
    expect(reasons(plan)).not.toContain("TooManyMissedTimes");
  });

  it("given more than 100 missed times, when planned, then it warns and still starts the most recent one", () => {
    const plan = planCronJob(aCronJob({ spec: { schedule: "* * * * *" }, lastScheduleTime: "2026-03-01T00:00:00Z" }), [], at("2026-03-01T11:31:10.000Z"));
    expect(plan.create?.scheduledTime).toEqual(at("2026-03-01T11:31:00.000Z"));
    expect(reasons(plan)).toContain("TooManyMissedTimes");
  });

  it("given the time was already started, when planned again (a restart), then it starts nothing", () => {
    const plan = planCronJob(aCronJob({ lastScheduleTime: "2026-03-01T11:05:00Z" }), [], at("2026-03-01T11:06:00.000Z"));
    expect(plan.create).toBeUndefined();
    expect(plan.requeueAfterMs).toBe(4 * 60_000 + 100);
  });

  it("given a startingDeadlineSeconds the scheduled time is past, when planned, then it skips that time and waits for the next", () => {
    const plan = planCronJob(aCronJob({ spec: { startingDeadlineSeconds: 30 } }), [], at("2026-03-01T11:06:00.000Z"));
    expect(plan.create).toBeUndefined();
    expect(plan.requeueAfterMs).toBe(4 * 60_000 + 100);
  });

  it("given a startingDeadlineSeconds still open, when planned, then it starts the Job", () => {
    const plan = planCronJob(aCronJob({ spec: { startingDeadlineSeconds: 120 } }), [], at("2026-03-01T11:06:00.000Z"));
    expect(plan.create?.scheduledTime).toEqual(at("2026-03-01T11:05:00.000Z"));
  });

  it("given the schedule in a time zone, when planned, then the times are that zone's", () => {
    const cronJob = aCronJob({ spec: { schedule: "0 12 * * *", timeZone: "Europe/Berlin" }, created: "2026-03-01T00:00:00Z" });
    expect(planCronJob(cronJob, [], at("2026-03-01T11:00:01Z")).create?.scheduledTime).toEqual(at("2026-03-01T11:00:00Z"));
  });

  it.each([
    ["suspended", { suspend: true }, []],
    ["an unknown time zone", { timeZone: "Mars/Olympus_Mons" }, ["UnknownTimeZone"]],
    ["an unparseable schedule", { schedule: "every day" }, ["UnparseableSchedule"]],
  ])("given it is %s, when planned, then it starts nothing and does not wake itself", (_name, spec, events) => {
    const plan = planCronJob(aCronJob({ spec }), [], at("2026-03-01T11:06:00.000Z"));
    expect(plan.create).toBeUndefined();
    expect(plan.requeueAfterMs).toBeUndefined();
    expect(reasons(plan)).toEqual(events);
  });

  it("given the CronJob is being deleted, when planned, then it only keeps status", () => {
    expect(planCronJob(aCronJob({ deleting: true }), [], at("2026-03-01T11:06:00.000Z")).create).toBeUndefined();
  });
});

describe("planCronJob: concurrencyPolicy", () => {
  const running = aJob("hello-old", { started: "2026-03-01T11:00:00Z" });
  const now = at("2026-03-01T11:05:01.000Z");

  it("given Allow and a Job running, when the next time comes, then it starts another beside it", () => {
    const plan = planCronJob(aCronJob({ active: [running] }), [running], now);
    expect(plan.create).toBeDefined();
    expect(plan.status.active.map((r) => r.name)).toEqual(["hello-old"]);
  });

  it("given Forbid and a Job running, when the next time comes, then it starts none and says why", () => {
    const plan = planCronJob(aCronJob({ spec: { concurrencyPolicy: "Forbid" }, active: [running] }), [running], now);
    expect(plan.create).toBeUndefined();
    expect(reasons(plan)).toEqual(["JobAlreadyActive"]);
  });

  it("given Replace and a Job running, when the next time comes, then it deletes the running one and starts the new", () => {
    const plan = planCronJob(aCronJob({ spec: { concurrencyPolicy: "Replace" }, active: [running] }), [running], now);
    expect(names(plan.remove)).toEqual(["hello-old"]);
    expect(plan.status.active).toEqual([]);
    expect(plan.create).toBeDefined();
  });
});

describe("planCronJob: active Jobs and history", () => {
  const now = at("2026-03-01T11:02:00.000Z");

  it("given an active Job finished, when planned, then it leaves active and its completion is the last success", () => {
    const done = aJob("hello-1", { finished: "Complete", started: "2026-03-01T11:00:00Z", completed: "2026-03-01T11:00:05Z" });
    const plan = planCronJob(aCronJob({ active: [done] }), [done], now);
    expect(plan.status.active).toEqual([]);
    expect(plan.status.lastSuccessfulTime).toEqual(at("2026-03-01T11:00:05Z"));
    expect(reasons(plan)).toEqual(["SawCompletedJob"]);
  });

  it("given an active Job that no longer exists, when planned, then it leaves active", () => {
    const plan = planCronJob(aCronJob({ active: [aJob("gone")] }), [], now);
    expect(plan.status.active).toEqual([]);
    expect(reasons(plan)).toEqual(["MissingJob"]);
  });

  it("given a running Job it does not list as active (kubectl create job --from), when planned, then it says so and leaves it", () => {
    const plan = planCronJob(aCronJob(), [aJob("manual")], now);
    expect(plan.remove).toEqual([]);
    expect(reasons(plan)).toEqual(["UnexpectedJob"]);
  });

  it("given more finished Jobs than the limits, when planned, then the oldest of each outcome are deleted", () => {
    const ok = (n: number) => aJob(`ok-${n}`, { finished: "Complete", started: `2026-03-01T10:0${n}:00Z`, completed: `2026-03-01T10:0${n}:05Z` });
    const failed = (n: number) => aJob(`failed-${n}`, { finished: "Failed", started: `2026-03-01T10:0${n}:00Z` });
    const jobs = [ok(4), ok(1), ok(3), ok(2), failed(2), failed(1), aJob("running", { started: "2026-03-01T10:00:00Z" })];
    const plan = planCronJob(aCronJob({ spec: { successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 } }), jobs, now);
    expect(names(plan.remove)).toEqual(["ok-1", "ok-2", "failed-1"]);
    expect(plan.status.lastSuccessfulTime).toEqual(at("2026-03-01T10:04:05Z"));
  });

  it("given a limit of zero, when planned, then no finished Job of that outcome is kept", () => {
    const jobs = [aJob("ok", { finished: "Complete" }), aJob("failed", { finished: "Failed" })];
    expect(names(planCronJob(aCronJob({ spec: { successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 0 } }), jobs, now).remove)).toEqual(["ok", "failed"]);
  });
});

describe("jobNameFor", () => {
  it("names a Job for its scheduled minute since the epoch", () => {
    expect(jobNameFor("hello", at("2026-03-01T11:05:00Z"))).toBe("hello-29539385");
  });
});
