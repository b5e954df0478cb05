/** `capctl get` and `describe` for a Job (printers.go printJob, describe.go describeJob). */
import { age, humanDuration } from "@capstan/apimachinery";
import { itemsAt, selectorText, textOr, valueAt } from "../../printing/cells.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import { templateContainers } from "../../printing/workload.js";
import { workloadView, type JsonObject } from "../../object-view.js";
import type { KindDescriber, KindPrinter } from "../kind-printer.js";
import { describePodTemplate } from "../pod/describe.js";

const hasCondition = (job: JsonObject, type: string): boolean => itemsAt(job, "status", "conditions").some((c) => c["type"] === type && c["status"] === "True");

/** kubectl 1.32's STATUS: a finished Job's outcome, else Terminating, Suspended, or Running. */
export function jobStatusText(job: JsonObject): string {
  if (hasCondition(job, "Complete")) return "Complete";
  if (hasCondition(job, "Failed")) return "Failed";
  if (valueAt(job, "metadata", "deletionTimestamp") !== undefined) return "Terminating";
  for (const type of ["Suspended", "FailureTarget", "SuccessCriteriaMet"]) if (hasCondition(job, type)) return type;
  return "Running";
}

/** succeeded/completions; a work queue (no completions) with parallelism above one says "of N". */
function completionsText(job: JsonObject): string {
  const succeeded = Number(valueAt(job, "status", "succeeded") ?? 0);
  const completions = valueAt(job, "spec", "completions");
  if (completions !== undefined) return `${succeeded}/${String(completions)}`;
  const parallelism = Number(valueAt(job, "spec", "parallelism") ?? 1);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** From startTime to completionTime, or to now while it runs; "" before it started. */
function durationText(job: JsonObject, now: number): string {
  const start = valueAt(job, "status", "startTime");
  if (typeof start !== "string" || start === "") return "";
  const end = valueAt(job, "status", "completionTime");
  return humanDuration((typeof end === "string" && end !== "" ? Date.parse(end) : now) - Date.parse(start));
}

export const jobPrinter: KindPrinter = {
  headers: ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
  wideHeaders: ["CONTAINERS", "IMAGES", "SELECTOR"],
  row: (o, now) => [textOr(valueAt(o, "metadata", "name")), jobStatusText(o), completionsText(o), durationText(o, now), age(valueAt(o, "metadata", "creationTimestamp"), now)],
  wide: (o) => [...templateContainers(o), selectorText(valueAt(o, "spec", "selector"))],
};

/** kubectl's describeJob: the spec's settings, when it ran, and its pods' counts from the status. */
export const jobDescriber: KindDescriber = {
  sections(o: JsonObject) {
    const w = new DescribeWriter();
    const spec = (name: string) => valueAt(o, "spec", name);
    const status = (name: string) => valueAt(o, "status", name);
    w.field(0, "Name", valueAt(o, "metadata", "name"));
    w.field(0, "Namespace", valueAt(o, "metadata", "namespace"));
    w.field(0, "Selector", selectorText(spec("selector")));
    w.map(0, "Labels", valueAt(o, "metadata", "labels"));
    w.annotations(0, valueAt(o, "metadata", "annotations"));
    const owner = itemsAt(o, "metadata", "ownerReferences").find((r) => r["controller"] === true);
    if (owner) w.field(0, "Controlled By", `${String(owner["kind"])}/${String(owner["name"])}`);
    w.field(0, "Parallelism", spec("parallelism"));
    w.field(0, "Completions", spec("completions") ?? "<unset>");
    w.field(0, "Completion Mode", spec("completionMode"));
    w.field(0, "Suspend", spec("suspend") ?? false);
    w.field(0, "Backoff Limit", spec("backoffLimit"));
    if (spec("ttlSecondsAfterFinished") !== undefined) w.field(0, "TTL Seconds After Finished", spec("ttlSecondsAfterFinished"));
    if (status("startTime")) w.field(0, "Start Time", status("startTime"));
    if (status("completionTime")) w.field(0, "Completed At", status("completionTime"));
    if (status("startTime") && status("completionTime")) w.field(0, "Duration", durationText(o, Date.now()));
    if (spec("activeDeadlineSeconds") !== undefined) w.field(0, "Active Deadline Seconds", `${String(spec("activeDeadlineSeconds"))}s`);
    const count = (name: string) => Number(status(name) ?? 0);
    w.field(0, "Pods Statuses", `${count("active")} Active (${count("ready")} Ready) / ${count("succeeded")} Succeeded / ${count("failed")} Failed`);
    if (spec("completionMode") === "Indexed") w.field(0, "Completed Indexes", status("completedIndexes"));
    describePodTemplate(w, workloadView(o).template);
    return w.lines;
  },
};
