import { describe, expect, it } from "vitest";
import { Job, JobSpec, Pod, type JobCondition, type JobStatus } from "@capstan/api";
import { backoffDelayMs, planJob, type JobPlan, type JobPlanOptions } from "./job-plan.js";

const INDEX = "batch.kubernetes.io/job-completion-index";
const now = new Date("2026-03-01T12:00:00.000Z");
const at = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString();
const opts: JobPlanOptions = { backoffBaseMs: 10_000, backoffMaxMs: 360_000 };

type JobSpecFields = NonNullable<Parameters<typeof JobSpec.fromPartial>[0]>;

function aJob(spec: JobSpecFields = {}, status: Partial<JobStatus> = {}, deleting = false): Job {
  return Job.fromPartial({
    metadata: { name: "pi", namespace: "default", uid: "job-uid", ...(deleting ? { deletionTimestamp: at(1) } : {}) },
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: "NonIndexed", suspend: false, template: { spec: { restartPolicy: "Never" } }, ...spec },
    status: { startTime: at(60), ...status },
  });
}

interface PodOptions {
  phase?: string;
  index?: number;
  finishedSecondsAgo?: number;
  deleting?: boolean;
  restarts?: number;
}

let n = 0;
function aPod(o: PodOptions = {}): Pod {
  const name = `pi-${n++}`;
  const finished = o.finishedSecondsAgo !== undefined ? { terminated: { exitCode: o.phase === "Failed" ? 1 : 0, finishedAt: at(o.finishedSecondsAgo) } } : {};
  return Pod.fromPartial({
    metadata: { name, uid: `uid-${name}`, annotations: o.index !== undefined ? { [INDEX]: String(o.index) } : {}, ...(o.deleting ? { deletionTimestamp: at(1) } : {}) },
    status: { phase: o.phase ?? "Running", containerStatuses: [{ name: "c", restartCount: o.restarts ?? 0, state: finished }] },
  });
}
const pods = (count: number, o: PodOptions = {}) => Array.from({ length: count }, () => aPod(o));

const plan = (job: Job, jobPods: Pod[]): JobPlan => planJob({ job, pods: jobPods, indexAnnotation: INDEX }, now, opts);
const conditionsOf = (p: JobPlan) => p.status.conditions.filter((c: JobCondition) => c.status === "True").map((c) => `${c.type}/${c.reason}`);

describe("planJob: NonIndexed", () => {
  it.each([
    { name: "a new Job starts parallelism pods", spec: { completions: 5, parallelism: 2 }, pods: [], create: 2 },
    { name: "parallelism bounded by the completions left", spec: { completions: 5, parallelism: 2 }, pods: [...pods(4, { phase: "Succeeded", finishedSecondsAgo: 5 })], create: 1 },
    { name: "running pods count toward parallelism", spec: { completions: 5, parallelism: 2 }, pods: [...pods(1), ...pods(1, { phase: "Succeeded", finishedSecondsAgo: 5 })], create: 1 },
    { name: "no more than parallelism at once", spec: { completions: 5, parallelism: 2 }, pods: pods(2), create: 0 },
    { name: "a work queue without completions starts parallelism pods", spec: { completions: undefined, parallelism: 3 }, pods: [], create: 3 },
    { name: "a terminating pod is not active", spec: { completions: 2, parallelism: 2 }, pods: [aPod({ deleting: true }), aPod()], create: 1 },
  ])("$name", ({ spec, pods: jobPods, create }) => {
    const p = plan(aJob(spec), jobPods);
    expect(p.create).toHaveLength(create);
    expect(p.create.every((i) => i === undefined)).toBe(true);
    expect(p.status.active).toBe(jobPods.filter((x) => x.status?.phase === "Running" && !x.metadata?.deletionTimestamp).length + create);
  });

  it("deletes the excess when parallelism is lowered", () => {
    const p = plan(aJob({ completions: 5, parallelism: 1 }), pods(3));
    expect(p.remove).toHaveLength(2);
    expect(p.status.active).toBe(1);
  });

  it("is Complete with a completionTime when the completions succeeded", () => {
    const p = plan(aJob({ completions: 3, parallelism: 2 }), pods(3, { phase: "Succeeded", finishedSecondsAgo: 1 }));
    expect(conditionsOf(p)).toEqual(["Complete/CompletionsReached"]);
    expect(p.status).toMatchObject({ succeeded: 3, active: 0, completionTime: now.toISOString() });
    expect(p.create).toEqual([]);
  });

  it("a work queue is Complete once a pod succeeded and none runs", () => {
    expect(conditionsOf(plan(aJob({ completions: undefined, parallelism: 2 }), [aPod()]))).toEqual([]);
    expect(conditionsOf(plan(aJob({ completions: undefined, parallelism: 2 }), [aPod({ phase: "Succeeded", finishedSecondsAgo: 1 })]))).toEqual(["Complete/CompletionsReached"]);
  });

  it("never counts fewer succeeded than the status already did", () => {
    expect(plan(aJob({ completions: 5 }, { succeeded: 3 }), []).status.succeeded).toBe(3);
  });
});

describe("planJob: failures", () => {
  it("fails with BackoffLimitExceeded once failures pass backoffLimit, and stops the active pods", () => {
    const running = aPod();
    const p = plan(aJob({ backoffLimit: 2, completions: 2, parallelism: 2 }), [...pods(3, { phase: "Failed", finishedSecondsAgo: 100 }), running]);
    expect(conditionsOf(p)).toEqual(["Failed/BackoffLimitExceeded"]);
    expect(p.status).toMatchObject({ failed: 3, active: 0, completionTime: "" });
    expect(p.remove).toEqual([running]);
  });

  it("retries within backoffLimit", () => {
    const p = plan(aJob({ backoffLimit: 2 }), pods(2, { phase: "Failed", finishedSecondsAgo: 100 }));
    expect(conditionsOf(p)).toEqual([]);
    expect(p.create).toHaveLength(1);
  });

  it("counts OnFailure restarts against backoffLimit", () => {
    const p = plan(aJob({ backoffLimit: 2, template: { spec: { restartPolicy: "OnFailure" } } }), [aPod({ restarts: 2 })]);
    expect(conditionsOf(p)).toEqual(["Failed/BackoffLimitExceeded"]);
  });

  it.each([
    { name: "one failure waits the base", failures: 1, finishedSecondsAgo: 4, recheckAfterMs: 6_000 },
    { name: "two failures wait twice the base", failures: 2, finishedSecondsAgo: 4, recheckAfterMs: 16_000 },
    { name: "a back-off that ran out creates at once", failures: 2, finishedSecondsAgo: 25, recheckAfterMs: undefined },
  ])("backs off after failures: $name", ({ failures, finishedSecondsAgo, recheckAfterMs }) => {
    const p = plan(aJob({ backoffLimit: 6 }), pods(failures, { phase: "Failed", finishedSecondsAgo }));
    expect(p.create).toHaveLength(recheckAfterMs === undefined ? 1 : 0);
    expect(p.recheckAfterMs).toBe(recheckAfterMs);
  });

  it("doubles the delay up to the cap", () => {
    expect([1, 2, 3, 6, 7, 20].map((f) => backoffDelayMs(f, opts))).toEqual([10_000, 20_000, 40_000, 320_000, 360_000, 360_000]);
  });

  it("fails with DeadlineExceeded past activeDeadlineSeconds and deletes the active pods", () => {
    const running = pods(2);
    const p = plan(aJob({ activeDeadlineSeconds: 30, completions: 5, parallelism: 2 }, { startTime: at(31) }), running);
    expect(conditionsOf(p)).toEqual(["Failed/DeadlineExceeded"]);
    expect(p.remove).toEqual(running);
    expect(p.create).toEqual([]);
  });

  it("rechecks when the deadline arrives", () => {
    expect(plan(aJob({ activeDeadlineSeconds: 30, completions: 5, parallelism: 2 }, { startTime: at(10) }), pods(2)).recheckAfterMs).toBe(20_000);
  });
});

describe("planJob: Indexed", () => {
  const indexed = (spec: JobSpecFields = {}, status: Partial<JobStatus> = {}) => aJob({ completionMode: "Indexed", completions: 5, parallelism: 2, ...spec }, status);

  it("creates the lowest pending indexes up to parallelism", () => {
    expect(plan(indexed(), []).create).toEqual([0, 1]);
    expect(plan(indexed(), [aPod({ index: 0 }), aPod({ index: 1, phase: "Succeeded", finishedSecondsAgo: 1 })]).create).toEqual([2]);
  });

  it("keeps one pod per index: a duplicate is deleted, never another created", () => {
    const [first, second] = [aPod({ index: 0 }), aPod({ index: 0 })];
    const p = plan(indexed(), [first, second]);
    expect(p.remove).toEqual([second]);
    expect(p.create).toEqual([1]);
  });

  it("reports completedIndexes as intervals and completes when every index succeeded", () => {
    const done = (i: number) => aPod({ index: i, phase: "Succeeded", finishedSecondsAgo: 1 });
    expect(plan(indexed(), [done(0), done(1), done(2), done(4)]).status.completedIndexes).toBe("0-2,4");
    const p = plan(indexed({}, { completedIndexes: "0-2" }), [done(3), done(4)]);
    expect(p.status).toMatchObject({ completedIndexes: "0-4", succeeded: 5 });
    expect(conditionsOf(p)).toEqual(["Complete/CompletionsReached"]);
  });

  it("scaled down (elastic), forgets the indexes beyond completions and stops their pods", () => {
    const beyond = aPod({ index: 4 });
    const p = plan(indexed({ completions: 3, parallelism: 3 }, { completedIndexes: "0-1,3" }), [aPod({ index: 2 }), beyond]);
    expect(p.status).toMatchObject({ completedIndexes: "0-1", succeeded: 2 });
    expect(p.remove).toEqual([beyond]);
  });

  it("retries a failed index", () => {
    expect(plan(indexed({ parallelism: 1 }), [aPod({ index: 0, phase: "Failed", finishedSecondsAgo: 100 })]).create).toEqual([0]);
  });
});

describe("planJob: suspend, TTL", () => {
  it("a suspended Job deletes its active pods and says Suspended", () => {
    const running = pods(2);
    const p = plan(aJob({ suspend: true, completions: 4, parallelism: 2 }), running);
    expect(p.remove).toEqual(running);
    expect(p.create).toEqual([]);
    expect(conditionsOf(p)).toEqual(["Suspended/JobSuspended"]);
    expect(p.status.active).toBe(0);
  });

  it("resumes: Suspended turns False and the deadline counts from now", () => {
    const suspended: JobCondition = { type: "Suspended", status: "True", reason: "JobSuspended", message: "", lastProbeTime: at(50), lastTransitionTime: at(50) };
    const p = plan(aJob({ completions: 2, parallelism: 2 }, { conditions: [suspended], startTime: at(100) }), []);
    expect(p.create).toHaveLength(2);
    expect(p.status.conditions.find((c) => c.type === "Suspended")).toMatchObject({ status: "False", reason: "JobResumed" });
    expect(p.status.startTime).toBe(now.toISOString());
  });

  it.each([
    { name: "before the TTL: waits", finishedSecondsAgo: 5, deleteJob: false, recheckAfterMs: 5_000 },
    { name: "after the TTL: the Job goes", finishedSecondsAgo: 11, deleteJob: true, recheckAfterMs: undefined },
  ])("a finished Job with ttlSecondsAfterFinished 10, $name", ({ finishedSecondsAgo, deleteJob, recheckAfterMs }) => {
    const complete: JobCondition = { type: "Complete", status: "True", reason: "CompletionsReached", message: "", lastProbeTime: at(finishedSecondsAgo), lastTransitionTime: at(finishedSecondsAgo) };
    const p = plan(aJob({ ttlSecondsAfterFinished: 10 }, { conditions: [complete], succeeded: 1 }), []);
    expect(p).toMatchObject({ deleteJob, create: [] });
    expect(p.recheckAfterMs).toBe(recheckAfterMs);
  });

  it("a Job being deleted creates nothing", () => {
    expect(plan(aJob({}, {}, true), []).create).toEqual([]);
  });
});
