import { describe, expect, it } from "vitest";
import { applyDefaults } from "../../defaults.js";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { validateObject } from "../../validation.js";
import type { DescribeLookup } from "../kind-printer.js";
import { cronJobDescriber } from "./describe.js";
import { cronJobPrinter } from "./printer.js";

const template = { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "hello", image: "busybox" }] } } } };
const cronJob = (spec: Record<string, unknown>, name = "hello") => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name, namespace: "default" },
  spec: { schedule: "*/1 * * * *", jobTemplate: template, ...spec },
});

describe("CronJob validation", () => {
  it("accepts a CronJob as Kubernetes' documentation writes it", () => {
    expect(validateObject("CronJob", cronJob({ timeZone: "Europe/Berlin", concurrencyPolicy: "Forbid" }))).toEqual([]);
  });

  it.each([
    ["no schedule", { schedule: "" }, "spec.schedule: Required value"],
    ["a schedule that does not parse", { schedule: "* * *" }, "spec.schedule: expected exactly 5 fields, found 3: [* * *]"],
    ["a TZ in the schedule", { schedule: "CRON_TZ=UTC 0 0 * * *" }, "spec.schedule: cannot use TZ or CRON_TZ in schedule, use timeZone field instead"],
    ["an unknown time zone", { timeZone: "Mars/Olympus_Mons" }, "spec.timeZone: unknown time zone Mars/Olympus_Mons"],
    ["the Local time zone", { timeZone: "Local" }, "spec.timeZone: timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"],
    ["an unknown concurrency policy", { concurrencyPolicy: "Sometimes" }, 'spec.concurrencyPolicy: supported values: "Allow", "Forbid", "Replace"'],
    ["a negative deadline", { startingDeadlineSeconds: -1 }, "spec.startingDeadlineSeconds: must be greater than or equal to 0"],
    ["a negative history limit", { failedJobsHistoryLimit: -1 }, "spec.failedJobsHistoryLimit: must be greater than or equal to 0"],
  ])("rejects %s, naming the field", (_name, spec, error) => {
    const [path, rule] = error.split(": ", 2) as [string, string];
    expect(validateObject("CronJob", cronJob(spec))).toContainEqual({ path, message: expect.stringContaining(rule) });
  });

  it("rejects a job template that restarts Always", () => {
    const spec = { jobTemplate: { spec: { template: { spec: { restartPolicy: "Always", containers: [{ name: "c", image: "busybox" }] } } } } };
    expect(validateObject("CronJob", cronJob(spec)).map((e) => e.path)).toContain("spec.jobTemplate.spec.template.spec.restartPolicy");
  });

  it("rejects a name a Job's suffix would push past 63 characters", () => {
    expect(validateObject("CronJob", cronJob({}, "a".repeat(53)))).toContainEqual({ path: "metadata.name", message: expect.stringContaining("must be no more than 52 characters") });
  });

  it("defaults as batch/v1 SetDefaults_CronJob", () => {
    const spec = (applyDefaults("CronJob", cronJob({})) as { spec: Record<string, unknown> }).spec;
    expect(spec).toMatchObject({ concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
  });
});

describe("CronJob table", () => {
  const created = "2026-01-01T00:00:00.000Z";
  const now = Date.parse(created) + 300_000;
  const table = (o: Record<string, unknown>, wide = false) => {
    const opts = { wide, withNamespace: false, now };
    return formatTable(printerColumns(cronJobPrinter, opts), [printerRow(cronJobPrinter, o, opts)]);
  };

  it("prints as kubectl 1.32, wide adds CONTAINERS, IMAGES and SELECTOR", () => {
    const o = {
      metadata: { name: "hello", creationTimestamp: created },
      spec: { schedule: "*/1 * * * *", suspend: false, jobTemplate: template },
      status: { active: [{ name: "hello-29433600" }], lastScheduleTime: "2026-01-01T00:04:00Z" },
    };
    expect(table(o, true)).toBe(
      [
        "NAME    SCHEDULE      TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE   CONTAINERS   IMAGES    SELECTOR",
        "hello   */1 * * * *   <none>     False     1        60s             5m    hello        busybox   <none>",
      ].join("\n"),
    );
  });

  it("prints a CronJob never scheduled, in a time zone, suspend unset", () => {
    const o = { metadata: { name: "hello", creationTimestamp: created }, spec: { schedule: "@daily", timeZone: "Etc/UTC" } };
    expect(table(o)).toBe(
      ["NAME    SCHEDULE   TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE", "hello   @daily     Etc/UTC    <unset>   0        <none>          5m"].join("\n"),
    );
  });
});

describe("CronJob describe", () => {
  it("shows the schedule, limits, job template and status as kubectl describeCronJob", async () => {
    const o = {
      metadata: { name: "hello", namespace: "default" },
      spec: { schedule: "*/1 * * * *", concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: template },
      status: { active: [{ name: "hello-1" }, { name: "hello-2" }], lastScheduleTime: "2026-03-01T11:05:00Z" },
    };
    const nothing: DescribeLookup = { get: async () => undefined, list: async () => [] };
    const lines = await cronJobDescriber.sections!(o, nothing);
    const text = lines.join("\n");
    expect(text).toMatch(/^Schedule:\s+\*\/1 \* \* \* \*$/m);
    expect(text).toMatch(/^Suspend:\s+False$/m);
    expect(text).toMatch(/^Successful Job History Limit:\s+3$/m);
    expect(text).toMatch(/^Starting Deadline Seconds:\s+<unset>$/m);
    expect(text).toMatch(/^Selector:\s+<unset>$/m);
    expect(text).toMatch(/^Pod Template:$/m);
    expect(text).toMatch(/^Last Schedule Time:\s+Sun, 01 Mar 2026 11:05:00 \+0000$/m);
    expect(text).toMatch(/^Active Jobs:\s+hello-1, hello-2$/m);
  });
});
