/** `capctl describe cronjob` (kubectl's describe.go describeCronJob, describeJobTemplate, printActiveJobs). */
import { itemsAt, NONE, selectorText, valueAt } from "../../printing/cells.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import { objectOf, type JsonObject } from "../../object-view.js";
import type { KindDescriber } from "../kind-printer.js";
import { describePodTemplate } from "../pod/describe.js";

const UNSET = "<unset>";
const orUnset = (value: unknown, unit = "") => (value === undefined ? UNSET : `${String(value)}${unit}`);
const boolPtr = (value: unknown) => (value === undefined ? UNSET : value === true ? "True" : "False");
/** Go's time.RFC1123Z, in UTC: Sun, 01 Mar 2026 11:05:00 +0000. */
const rfc1123z = (iso: string) => new Date(iso).toUTCString().replace("GMT", "+0000");

function describeCronJob(o: JsonObject): readonly string[] {
  const w = new DescribeWriter();
  w.objectMeta(o);
  const spec = (name: string) => valueAt(o, "spec", name);
  w.field(0, "Schedule", spec("schedule"));
  w.field(0, "Concurrency Policy", spec("concurrencyPolicy"));
  w.field(0, "Suspend", boolPtr(spec("suspend")));
  w.field(0, "Successful Job History Limit", orUnset(spec("successfulJobsHistoryLimit")));
  w.field(0, "Failed Job History Limit", orUnset(spec("failedJobsHistoryLimit")));
  w.field(0, "Starting Deadline Seconds", orUnset(spec("startingDeadlineSeconds"), "s"));
  const jobSpec = (name: string) => valueAt(o, "spec", "jobTemplate", "spec", name);
  w.field(0, "Selector", jobSpec("selector") === undefined ? UNSET : selectorText(jobSpec("selector")));
  w.field(0, "Parallelism", orUnset(jobSpec("parallelism")));
  w.field(0, "Completions", orUnset(jobSpec("completions")));
  if (jobSpec("activeDeadlineSeconds") !== undefined) w.field(0, "Active Deadline Seconds", `${String(jobSpec("activeDeadlineSeconds"))}s`);
  describePodTemplate(w, objectOf(jobSpec("template")));
  const last = valueAt(o, "status", "lastScheduleTime");
  w.field(0, "Last Schedule Time", typeof last === "string" && last !== "" ? rfc1123z(last) : UNSET);
  const active = itemsAt(o, "status", "active").map((r) => String(r["name"] ?? ""));
  w.field(0, "Active Jobs", active.length > 0 ? active.join(", ") : NONE);
  return w.lines;
}

export const cronJobDescriber: KindDescriber = { sections: describeCronJob };
