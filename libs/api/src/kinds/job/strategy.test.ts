import { describe, expect, it } from "vitest";
import { isCapstanError, type FieldError, type JsonObject, type ObjectKey } from "@capstan/apimachinery";
import { applyDefaults } from "../../defaults.js";
import { validateObject } from "../../validation.js";
import { jobStrategy } from "./strategy.js";

const key: ObjectKey = { kind: "Job", namespace: "default", name: "pi" };
const container = { name: "pi", image: "perl", command: ["perl", "-e", "print 1"] };

function aJob(spec: JsonObject = {}, templateSpec: JsonObject = {}): JsonObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "pi", namespace: "default" },
    spec: { template: { spec: { restartPolicy: "Never", containers: [container], ...templateSpec } }, ...spec },
  };
}

/** What a create stores, as the gateway's write path makes it: validated, defaulted, prepared with its uid. */
function created(job: JsonObject): JsonObject {
  expect(validateObject("Job", job)).toEqual([]);
  const defaulted = applyDefaults("Job", job);
  return jobStrategy.prepareForCreate!({ ...defaulted, metadata: { ...(defaulted["metadata"] as JsonObject), uid: "job-uid" } });
}

describe("Job defaults", () => {
  it.each([
    { name: "neither completions nor parallelism: one of each", spec: {}, want: { completions: 1, parallelism: 1 } },
    { name: "parallelism alone: a work queue without completions", spec: { parallelism: 3 }, want: { parallelism: 3 } },
    { name: "completions alone: one at a time", spec: { completions: 5 }, want: { completions: 5, parallelism: 1 } },
  ])("$name", ({ spec, want }) => {
    const out = applyDefaults("Job", aJob(spec))["spec"] as JsonObject;
    expect(out).toMatchObject({ ...want, backoffLimit: 6, completionMode: "NonIndexed", suspend: false, manualSelector: false });
    if (!("completions" in want)) expect(out).not.toHaveProperty("completions");
  });
});

describe("Job's generated selector", () => {
  it("labels the template with the Job's name and uid and selects the uid", () => {
    const spec = created(aJob())["spec"] as JsonObject;
    expect(spec["selector"]).toEqual({ matchLabels: { "batch.kubernetes.io/controller-uid": "job-uid" } });
    expect((spec["template"] as { metadata: JsonObject }).metadata["labels"]).toEqual({
      "batch.kubernetes.io/controller-uid": "job-uid",
      "batch.kubernetes.io/job-name": "pi",
      "controller-uid": "job-uid",
      "job-name": "pi",
    });
  });

  it("leaves a manual selector as the user wrote it", () => {
    const job = aJob({ manualSelector: true, selector: { matchLabels: { app: "pi" } }, template: { metadata: { labels: { app: "pi" } }, spec: { restartPolicy: "Never", containers: [container] } } });
    const spec = created(job)["spec"] as JsonObject;
    expect(spec["selector"]).toEqual({ matchLabels: { app: "pi" } });
  });
});

describe("Job validation", () => {
  it.each<{ name: string; spec?: JsonObject; templateSpec?: JsonObject; errors: FieldError[] }>([
    { name: "a plain Job", errors: [] },
    { name: "OnFailure", templateSpec: { restartPolicy: "OnFailure" }, errors: [] },
    { name: "an Indexed Job with completions", spec: { completionMode: "Indexed", completions: 3 }, errors: [] },
    {
      name: "restartPolicy Always",
      templateSpec: { restartPolicy: "Always" },
      errors: [{ path: "spec.template.spec.restartPolicy", message: 'Unsupported value "Always": supported values: "OnFailure", "Never"' }],
    },
    {
      name: "restartPolicy left out (defaulted to Always)",
      templateSpec: { restartPolicy: undefined },
      errors: [{ path: "spec.template.spec.restartPolicy", message: 'Unsupported value "Always": supported values: "OnFailure", "Never"' }],
    },
    {
      name: "negative counts",
      spec: { parallelism: -1, completions: -2, backoffLimit: -3, activeDeadlineSeconds: -4, ttlSecondsAfterFinished: -5 },
      errors: [
        { path: "spec.parallelism", message: "Invalid value -1: must be greater than or equal to 0" },
        { path: "spec.completions", message: "Invalid value -2: must be greater than or equal to 0" },
        { path: "spec.activeDeadlineSeconds", message: "Invalid value -4: must be greater than or equal to 0" },
        { path: "spec.backoffLimit", message: "Invalid value -3: must be greater than or equal to 0" },
        { path: "spec.ttlSecondsAfterFinished", message: "Invalid value -5: must be greater than or equal to 0" },
      ],
    },
    { name: "an unknown completionMode", spec: { completionMode: "Sometimes" }, errors: [{ path: "spec.completionMode", message: 'Unsupported value "Sometimes": supported values: "NonIndexed", "Indexed"' }] },
    { name: "Indexed without completions", spec: { completionMode: "Indexed", parallelism: 2 }, errors: [{ path: "spec.completions", message: "Required value: when completion mode is Indexed" }] },
    {
      name: "a manual selector that does not match the template",
      spec: { manualSelector: true, selector: { matchLabels: { app: "other" } } },
      errors: [{ path: "spec.template.metadata.labels", message: "Invalid value {}: `selector` does not match template `labels`" }],
    },
    { name: "manualSelector without a selector", spec: { manualSelector: true }, errors: [{ path: "spec.selector", message: "Required value" }] },
  ])("$name", ({ spec = {}, templateSpec = {}, errors }) => {
    expect(validateObject("Job", aJob(spec, templateSpec))).toEqual(errors);
  });
});

describe("Job updates", () => {
  const stored = created(aJob({ completions: 3 }));
  const withSpec = (change: JsonObject): JsonObject => ({ ...stored, spec: { ...(stored["spec"] as JsonObject), ...change } });

  it.each([
    { name: "parallelism may change", change: { parallelism: 2 }, fields: [] },
    { name: "suspend may change", change: { suspend: true }, fields: [] },
    { name: "the selector is immutable", change: { selector: { matchLabels: { a: "b" } } }, fields: ["spec.selector"] },
    { name: "the template is immutable", change: { template: { spec: { restartPolicy: "Never", containers: [{ ...container, image: "perl:2" }] } } }, fields: ["spec.template"] },
    { name: "completionMode is immutable", change: { completionMode: "Indexed" }, fields: ["spec.completionMode"] },
    { name: "completions is immutable", change: { completions: 4 }, fields: ["spec.completions"] },
  ])("$name", ({ change, fields }) => expectUpdate(stored, withSpec(change), fields));

  it("keeps the generated selector and labels when a manifest without them is written again", () => {
    const again = applyDefaults("Job", aJob({ completions: 3 }));
    expect(jobStrategy.validateUpdate!(key, jobStrategy.prepareForUpdate!(again, stored), stored)).toBeUndefined();
    expect((jobStrategy.prepareForUpdate!(again, stored)["spec"] as JsonObject)["selector"]).toEqual((stored["spec"] as JsonObject)["selector"]);
  });

  const templateWith = (job: JsonObject, podSpec: JsonObject, labels: Record<string, string> = {}) => {
    const template = (job["spec"] as JsonObject)["template"] as { metadata: JsonObject; spec: JsonObject };
    return { template: { metadata: { ...template.metadata, labels: { ...(template.metadata["labels"] as object), ...labels } }, spec: { ...template.spec, ...podSpec } } };
  };
  const suspended = created(aJob({ suspend: true }));
  const scheduling = { nodeSelector: { disk: "ssd" }, tolerations: [{ key: "batch", operator: "Exists", effect: "NoSchedule" }] };

  it.each([
    { name: "scheduling directives and labels of a suspended Job that never started", job: suspended, startTime: undefined, podSpec: scheduling, labels: { queue: "a" }, fields: [] },
    { name: "scheduling directives of a Job that started", job: suspended, startTime: "2026-01-01T00:00:00Z", podSpec: scheduling, labels: {}, fields: ["spec.template"] },
    { name: "scheduling directives of a running Job", job: stored, startTime: undefined, podSpec: scheduling, labels: {}, fields: ["spec.template"] },
    { name: "the containers of a suspended Job", job: suspended, startTime: undefined, podSpec: { containers: [{ ...container, image: "perl:2" }] }, labels: {}, fields: ["spec.template"] },
  ])("the template: $name", ({ job, startTime, podSpec, labels, fields }) => {
    const before = startTime ? { ...job, status: { startTime } } : job;
    expectUpdate(before, { ...job, spec: { ...(job["spec"] as JsonObject), ...templateWith(job, podSpec, labels) } }, fields);
  });

  it.each([
    { name: "in tandem with parallelism", change: { completions: 5, parallelism: 5 }, fields: [] },
    { name: "alone", change: { completions: 5 }, fields: ["spec.completions"] },
  ])("an Indexed Job's completions $name", ({ change, fields }) => {
    const indexed = created(aJob({ completionMode: "Indexed", completions: 3, parallelism: 3 }));
    expectUpdate(indexed, { ...indexed, spec: { ...(indexed["spec"] as JsonObject), ...change } }, fields);
  });
});

/** The update from `before` to `after` is refused at exactly `fields`, or accepted when none. */
function expectUpdate(before: JsonObject, after: JsonObject, fields: string[]): void {
  const error = jobStrategy.validateUpdate!(key, after, before);
  if (fields.length === 0) return expect(error).toBeUndefined();
  expect(isCapstanError(error, "Invalid")).toBe(true);
  expect((error as unknown as { fieldErrors: FieldError[] }).fieldErrors.map((e) => e.path)).toEqual(fields);
}
