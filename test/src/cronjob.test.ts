import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Job } from "@capstan/api";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * CronJobs through real processes: an every-minute CronJob starts a Job at the minute, named for it, also
 * when its controller was killed over the minute (on the clock of the one that replaces it); Jobs made by
 * hand with `capctl create job --from=cronjob/…` run from its template; finished Jobs beyond
 * successfulJobsHistoryLimit are deleted, oldest first, and the rest go with the CronJob. The Job
 * controller runs them to Complete.
 */
let cluster: TestCluster;

beforeAll(async () => {
  // A short lease, so the controller started again after a kill -9 leads within seconds.
  cluster = await startTestCluster({ env: { CAPSTAN_LEASE_SECONDS: "3" } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const cronJob = toApiObject({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "hello" },
  spec: {
    schedule: "* * * * *",
    successfulJobsHistoryLimit: 1,
    jobTemplate: {
      metadata: { labels: { app: "hello" } },
      spec: { template: { spec: { restartPolicy: "Never", terminationGracePeriodSeconds: 0, containers: [{ name: "hello", image: "busybox", command: ["sh", "-c", "echo hello"] }] } } },
    },
  },
});

const jobs = async (): Promise<Job[]> => (await cluster.client.list({ kind: "Job", namespace: "default", labelSelector: "app=hello" })).items.map((o) => o.job!);
const isComplete = (job: Job | undefined) => job?.status?.conditions.some((c) => c.type === "Complete" && c.status === "True") === true;
const jobNamed = async (name: string) => (await jobs()).find((j) => j.metadata?.name === name);

describe("CronJobs", () => {
  it("starts Jobs on schedule and by hand, and keeps only the newest successful one", async () => {
    await cluster.client.create(cronJob);
    const table = await cluster.capctlOk(["get", "cronjob", "hello"]);
    expect(table).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\n/);
    expect(table).toMatch(/^hello\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+/m);

    expect((await cluster.capctlOk(["create", "job", "by-hand-1", "--from=cronjob/hello"])).trim()).toBe("job.batch/by-hand-1 created");
    const manual = await eventually(async () => {
      const job = await jobNamed("by-hand-1");
      return isComplete(job) ? job : undefined;
    }, { timeoutMs: 45_000, what: "by-hand-1 Complete" });
    expect(manual?.metadata?.annotations["cronjob.kubernetes.io/instantiate"]).toBe("manual");
    expect(manual?.metadata?.ownerReferences.map((r) => [r.kind, r.name, r.controller])).toEqual([["CronJob", "hello", true]]);

    await cluster.capctlOk(["create", "job", "by-hand-2", "--from=cronjob/hello"]);
    // The limit is one: once the second finishes, the first goes.
    await eventually(async () => {
      const names = (await jobs()).map((j) => j.metadata?.name);
      return names.includes("by-hand-1") || !isComplete(await jobNamed("by-hand-2")) ? undefined : names;
    }, { timeoutMs: 45_000, what: "by-hand-1 pruned after by-hand-2 completed" });

    // kill -9 the controller before the next minute and start it after: the new one starts that minute's
    // Job, the most recent missed time, and it is the one successful Job kept once it completes. "After"
    // is on the new one's clock, set a second past that minute, so the test need not wait for the minute.
    await cluster.stack.service("cronjob-controller").crash();
    const minute = Math.floor(Date.now() / 60_000) + 1;
    cluster.startService("cronjob-controller", { CAPSTAN_CRONJOB_CLOCK_OFFSET_MS: String(minute * 60_000 + 1000 - Date.now()) });
    const scheduled = await eventually(async () => jobNamed(`hello-${minute}`), { timeoutMs: 30_000, what: `the Job of minute ${minute}` });
    const scheduledAt = scheduled.metadata!.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]!;
    expect(scheduledAt).toBe(new Date(minute * 60_000).toISOString().replace(".000Z", "Z"));
    const kept = await eventually(async () => {
      const all = await jobs();
      return all.length === 1 && isComplete(all[0]) ? all : undefined;
    }, { timeoutMs: 60_000, what: "only the scheduled Job kept, Complete" });
    expect(kept.map((j) => j.metadata?.name)).toEqual([scheduled.metadata?.name]);

    const status = await eventually(async () => {
      const cj = (await cluster.client.get({ kind: "CronJob", namespace: "default", name: "hello" })).cronJob!;
      return cj.status?.lastSuccessfulTime && cj.status.active.length === 0 ? cj.status : undefined;
    }, { timeoutMs: 30_000, what: "lastSuccessfulTime set and nothing active" });
    expect(Date.parse(status.lastScheduleTime)).toBe(Date.parse(scheduledAt));
    expect(await cluster.capctlOk(["get", "cronjob", "hello"])).toMatch(/^hello\s+\* \* \* \* \*\s+<none>\s+False\s+0\s+\d+\w+\s+/m);
    const described = await cluster.capctlOk(["describe", "cronjob", "hello"]);
    expect(described).toMatch(/^Successful Job History Limit:\s+1$/m);
    expect(described).toMatch(/^Active Jobs:\s+<none>$/m);
    expect(described).toMatch(/SuccessfulCreate\s+.*Created job hello-\d+/);

    // Its Jobs are its dependents: deleting the CronJob deletes them.
    await cluster.capctlOk(["delete", "cronjob", "hello"]);
    await eventually(async () => ((await jobs()).length === 0 ? true : undefined), { timeoutMs: 30_000, what: "the CronJob's Jobs deleted with it" });
  }, 240_000);

  it("refuses a schedule it cannot read and an unknown time zone, naming the fields", async () => {
    const bad = { ...cronJob.cronJob!, metadata: { ...cronJob.cronJob!.metadata!, name: "bad" }, spec: { ...cronJob.cronJob!.spec!, schedule: "every minute", timeZone: "Mars/Olympus_Mons" } };
    await expect(cluster.client.create({ cronJob: bad })).rejects.toThrow(/spec\.schedule[^]*spec\.timeZone/);
  });
});
