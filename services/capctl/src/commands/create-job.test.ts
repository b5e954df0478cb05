import { describe, expect, it } from "vitest";
import { cronJobNameFrom, jobFromCronJob } from "./create-job.js";

describe("create job --from", () => {
  it("makes a Job from the CronJob's template, marked manual and owned by the CronJob, as kubectl", () => {
    const cronJob = {
      metadata: { name: "hello", namespace: "default", uid: "cj-uid" },
      spec: { schedule: "* * * * *", jobTemplate: { metadata: { labels: { app: "hello" } }, spec: { template: { spec: { restartPolicy: "Never" } } } } },
    };
    expect(jobFromCronJob("by-hand", cronJob)).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: "by-hand",
        namespace: "default",
        labels: { app: "hello" },
        annotations: { "cronjob.kubernetes.io/instantiate": "manual" },
        ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: "hello", uid: "cj-uid", controller: true }],
      },
      spec: { template: { spec: { restartPolicy: "Never" } } },
    });
  });

  it.each([
    ["cronjob/hello", "hello"],
    ["cj/hello", "hello"],
    ["cronjobs/hello", "hello"],
  ])("takes --from=%s", (from, name) => expect(cronJobNameFrom(from)).toBe(name));

  it.each([
    ["hello", "from must be of the form <resource>/<name>"],
    ["deployment/web", 'unknown object type: --from supports only cronjob, was "deployment"'],
  ])("refuses --from=%s", (from, message) => expect(() => cronJobNameFrom(from)).toThrow(message));
});
