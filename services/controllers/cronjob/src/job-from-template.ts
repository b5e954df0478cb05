/** The Jobs a CronJob makes and reads (Kubernetes' cronjob utils.go getJobFromTemplate2, IsJobFinished). */
import { itemsAt, jobFromCronJob, metaOf, statusOf } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import type { ChildJob } from "./cron-job-plan.js";

/** The scheduled time a CronJob's Job was started for, RFC 3339 in the CronJob's time zone. */
export const SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/** The Job for one scheduled time: the jobTemplate's labels, annotations and spec, controlled by the CronJob. */
export function jobFromTemplate(cronJob: JsonObject, name: string, scheduledTime: Date, timeZone: string): JsonObject {
  return jobFromCronJob(cronJob, name, { annotations: { [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339In(scheduledTime, timeZone) }, blockOwnerDeletion: true });
}

/** A Job as the plan reads it. */
export function childJobOf(job: JsonObject): ChildJob {
  const meta = metaOf(job);
  const status = statusOf(job);
  const finished = itemsAt(job, "status", "conditions").find((c) => (c["type"] === "Complete" || c["type"] === "Failed") && c["status"] === "True")?.["type"] as ChildJob["finished"];
  const time = (k: string) => (typeof status[k] === "string" && status[k] !== "" ? { [k]: new Date(status[k]) } : {});
  return { name: meta.name, namespace: meta.namespace, uid: meta.uid, ...(finished ? { finished } : {}), ...time("startTime"), ...time("completionTime") };
}

/** Go's time.RFC3339 of `date` in `timeZone`: 2026-03-01T12:05:00+01:00, or …Z at a zero offset. */
export function rfc3339In(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "longOffset",
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  const offset = part("timeZoneName").replace("GMT", "");
  const zone = offset === "" || offset === "+00:00" ? "Z" : offset;
  return `${part("year")}-${part("month")}-${part("day")}T${part("hour")}:${part("minute")}:${part("second")}${zone}`;
}

