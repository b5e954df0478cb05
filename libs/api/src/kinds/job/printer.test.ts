import { describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/apimachinery";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { jobDescriber, jobPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 125_000;
const at = (s: number) => new Date(Date.parse(created) + s * 1000).toISOString();
const condition = (type: string) => ({ type, status: "True" });

describe("job table", () => {
  it.each<{ name: string; spec: JsonObject; status: JsonObject; deleting?: boolean; row: string[] }>([
    { name: "running", spec: { completions: 5, parallelism: 2 }, status: { startTime: at(5), succeeded: 2 }, row: ["pi", "Running", "2/5", "2m", "2m5s"] },
    { name: "complete", spec: { completions: 5 }, status: { startTime: at(5), completionTime: at(35), succeeded: 5, conditions: [condition("Complete")] }, row: ["pi", "Complete", "5/5", "30s", "2m5s"] },
    { name: "failed", spec: { completions: 1 }, status: { startTime: at(5), failed: 3, conditions: [condition("Failed")] }, row: ["pi", "Failed", "0/1", "2m", "2m5s"] },
    { name: "suspended, not started", spec: { completions: 1 }, status: { conditions: [condition("Suspended")] }, row: ["pi", "Suspended", "0/1", "", "2m5s"] },
    { name: "terminating", spec: { completions: 1 }, status: {}, deleting: true, row: ["pi", "Terminating", "0/1", "", "2m5s"] },
    { name: "a work queue", spec: { parallelism: 3 }, status: { succeeded: 1 }, row: ["pi", "Running", "1/1 of 3", "", "2m5s"] },
  ])("$name", ({ spec, status, deleting, row }) => {
    const o = { metadata: { name: "pi", creationTimestamp: created, ...(deleting ? { deletionTimestamp: at(100) } : {}) }, spec, status };
    expect(printerRow(jobPrinter, o, { wide: false, withNamespace: false, now })).toEqual(row);
  });

  it("prints NAME STATUS COMPLETIONS DURATION AGE, and the template and selector wide", () => {
    const o = {
      metadata: { name: "pi", creationTimestamp: created },
      spec: { completions: 1, selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u1" } }, template: { spec: { containers: [{ name: "pi", image: "perl" }] } } },
      status: { succeeded: 1, conditions: [condition("Complete")] },
    };
    const opts = { wide: false, withNamespace: false, now };
    expect(formatTable(printerColumns(jobPrinter, opts), [printerRow(jobPrinter, o, opts)])).toBe(
      ["NAME   STATUS     COMPLETIONS   DURATION   AGE", "pi     Complete   1/1                      2m5s"].join("\n"),
    );
    expect(printerRow(jobPrinter, o, { wide: true, withNamespace: false, now }).slice(-3)).toEqual(["pi", "perl", "batch.kubernetes.io/controller-uid=u1"]);
  });
});

describe("job describe", () => {
  it("shows the spec's settings, when it ran and its pods' counts, as kubectl describe job", async () => {
    const o = {
      metadata: { name: "pi", namespace: "default", labels: { app: "pi" } },
      spec: { parallelism: 2, completions: 3, completionMode: "Indexed", suspend: false, backoffLimit: 6, selector: { matchLabels: { app: "pi" } }, template: { spec: { containers: [{ name: "pi", image: "perl" }] } } },
      status: { startTime: at(0), completionTime: at(8), active: 0, ready: 0, succeeded: 3, failed: 1, completedIndexes: "0-2" },
    };
    const lines = await jobDescriber.sections!(o, { get: async () => undefined, list: async () => [] });
    expect(lines.slice(0, 15)).toEqual([
      "Name:             pi",
      "Namespace:        default",
      "Selector:         app=pi",
      "Labels:           app=pi",
      "Annotations:      <none>",
      "Parallelism:      2",
      "Completions:      3",
      "Completion Mode:  Indexed",
      "Suspend:          false",
      "Backoff Limit:    6",
      `Start Time:       ${at(0)}`,
      `Completed At:     ${at(8)}`,
      "Duration:         8s",
      "Pods Statuses:    0 Active (0 Ready) / 3 Succeeded / 1 Failed",
      "Completed Indexes: 0-2",
    ]);
    expect(lines).toContain("Pod Template:");
  });
});
