import { describe, expect, it } from "vitest";
import { childJobOf, jobFromTemplate, rfc3339In } from "./job-from-template.js";

describe("jobFromTemplate", () => {
  const cronJob = {
    metadata: { name: "hello", namespace: "default", uid: "cj-uid" },
    spec: { jobTemplate: { metadata: { labels: { app: "hello" }, annotations: { note: "x" } }, spec: { template: { spec: { restartPolicy: "Never" } } } } },
  };

  it("makes the Job of a scheduled time: the template's labels, annotations and spec, the CronJob its controller", () => {
    const job = jobFromTemplate(cronJob, "hello-29539385", new Date("2026-03-01T11:05:00Z"), "Europe/Berlin");
    expect(job).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: "hello-29539385",
        namespace: "default",
        labels: { app: "hello" },
        annotations: { note: "x", "batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-03-01T12:05:00+01:00" },
        ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: "hello", uid: "cj-uid", controller: true, blockOwnerDeletion: true }],
      },
      spec: { template: { spec: { restartPolicy: "Never" } } },
    });
  });
});

describe("rfc3339In", () => {
  it.each([
    ["UTC", "UTC", "2026-03-01T11:05:00Z"],
    ["an hour east", "Europe/Berlin", "2026-03-01T12:05:00+01:00"],
    ["west, at midnight", "America/New_York", "2026-03-01T06:05:00-05:00"],
  ])("%s", (_name, zone, expected) => expect(rfc3339In(new Date("2026-03-01T11:05:00Z"), zone)).toBe(expected));
});

describe("childJobOf", () => {
  it("reads a finished Job's outcome and times", () => {
    const job = {
      metadata: { name: "j", namespace: "default", uid: "u" },
      status: { startTime: "2026-03-01T11:05:00Z", completionTime: "2026-03-01T11:05:09Z", conditions: [{ type: "Complete", status: "True" }] },
    };
    expect(childJobOf(job)).toEqual({ name: "j", namespace: "default", uid: "u", finished: "Complete", startTime: new Date("2026-03-01T11:05:00Z"), completionTime: new Date("2026-03-01T11:05:09Z") });
  });

  it("reads a running Job as unfinished", () => {
    expect(childJobOf({ metadata: { name: "j", uid: "u" }, status: { conditions: [{ type: "Complete", status: "False" }] } }).finished).toBeUndefined();
  });
});
