/**
 * CronJob: its identity, defaults and rules (Kubernetes' pkg/registry/batch/cronjob/strategy.go, batch/v1
 * SetDefaults_CronJob, ValidateCronJobCreate, ValidateCronJobSpec).
 */
import { field, type FieldError } from "@capstan/apimachinery";
import { CronJob, CronJobSpec, JobSpec, JobTemplateSpec } from "../../gen/capstan/v1/batch.js";
import { PodTemplateSpec } from "../../gen/capstan/v1/core.js";
import { nonNegative } from "../../field-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { validateJobSpec } from "../job/strategy.js";
import { defaultPodTemplate } from "../pod/defaults.js";
import { cronJobDescriber } from "./describe.js";
import { cronJobPrinter } from "./printer.js";
import { isKnownTimeZone, parseCronSchedule } from "./schedule.js";

const { required, invalid, notSupported } = field;

export const DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT = 3;
export const DEFAULT_FAILED_JOBS_HISTORY_LIMIT = 1;
export const concurrencyPolicies = ["Allow", "Forbid", "Replace"];
/** A Job's name is the CronJob's and an 11-character suffix, and must stay a 63-character label. */
const MAX_NAME_LENGTH = 52;
/** Go's time.LoadLocation takes these characters in each part of a zone name (validTimeZoneCharacters). */
const timeZonePart = /^[A-Za-z.\-_0-9+]{1,14}$/;

export const cronJobStrategy: KindStrategy<"CronJob"> = {
  kind: "CronJob",
  apiVersion: "batch/v1",
  group: "batch",
  namespaced: true,
  plural: "cronjobs",
  singular: "cronjob",
  shortNames: ["cj"],
  objectField: "cronJob",
  messageFns: CronJob,
  protoTypeName: ".capstan.v1.CronJob",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: true,
  ...fieldsOf<CronJob>({
    "metadata.name": (c) => c.metadata?.name ?? "",
    "metadata.namespace": (c) => c.metadata?.namespace ?? "",
  }),

  defaults: defaultCronJob,
  validate: (cronJob, written) => [...validateCronJobName(cronJob.metadata?.name ?? ""), ...validateCronJobSpec(cronJob.spec, written.spec, "spec")],

  printer: cronJobPrinter,
  describe: cronJobDescriber,
};

/** batch/v1 SetDefaults_CronJob: Allow, not suspended, 3 successful and 1 failed Job kept; the pod defaults. */
export function defaultCronJob(cronJob: CronJob): CronJob {
  const out = CronJob.fromPartial(cronJob);
  const spec = (out.spec ??= CronJobSpec.create());
  spec.concurrencyPolicy ||= "Allow";
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT;
  spec.failedJobsHistoryLimit ??= DEFAULT_FAILED_JOBS_HISTORY_LIMIT;
  const jobSpec = ((spec.jobTemplate ??= JobTemplateSpec.create()).spec ??= JobSpec.create());
  defaultPodTemplate((jobSpec.template ??= PodTemplateSpec.create()));
  return out;
}

function validateCronJobName(name: string): FieldError[] {
  return name.length > MAX_NAME_LENGTH ? [invalid("metadata.name", name, `must be no more than ${MAX_NAME_LENGTH} characters`)] : [];
}

function validateCronJobSpec(spec: CronJobSpec | undefined, written: CronJobSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = spec?.schedule ?? "";
  if (schedule === "") errs.push(required(`${path}.schedule`, ""));
  else errs.push(...validateScheduleFormat(schedule, `${path}.schedule`));
  errs.push(...nonNegative(`${path}.startingDeadlineSeconds`, spec?.startingDeadlineSeconds));
  const policy = spec?.concurrencyPolicy ?? "";
  if (policy === "") errs.push(required(`${path}.concurrencyPolicy`, ""));
  else if (!concurrencyPolicies.includes(policy)) errs.push(notSupported(`${path}.concurrencyPolicy`, policy, concurrencyPolicies));
  const jobSpec = spec?.jobTemplate?.spec;
  errs.push(...validateJobSpec(jobSpec, written?.jobTemplate?.spec, `${path}.jobTemplate.spec`, { generatesSelector: jobSpec?.manualSelector !== true }));
  errs.push(...nonNegative(`${path}.successfulJobsHistoryLimit`, spec?.successfulJobsHistoryLimit));
  errs.push(...nonNegative(`${path}.failedJobsHistoryLimit`, spec?.failedJobsHistoryLimit));
  errs.push(...validateTimeZone(spec?.timeZone, `${path}.timeZone`));
  return errs;
}

/** validateScheduleFormat on create: the cron syntax, and no TZ= or CRON_TZ= (spec.timeZone says it). */
function validateScheduleFormat(schedule: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const parsed = parseCronSchedule(schedule);
  if (!parsed.ok) errs.push(invalid(path, schedule, parsed.reason));
  if (schedule.includes("TZ")) errs.push(invalid(path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  return errs;
}

/** validateTimeZone: unset, or an explicit name the tz database knows. */
function validateTimeZone(timeZone: string | undefined, path: string): FieldError[] {
  if (timeZone === undefined) return [];
  if (timeZone === "") return [invalid(path, timeZone, "timeZone must be nil or non-empty string")];
  for (const part of timeZone.split("/")) {
    if (part === "." || part === ".." || part.startsWith("-") || !timeZonePart.test(part)) {
      return [invalid(path, timeZone, `unknown time zone, must be a valid location name matching ${timeZonePart.source}`)];
    }
  }
  if (timeZone.toLowerCase() === "local") return [invalid(path, timeZone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones")];
  if (!isKnownTimeZone(timeZone)) return [invalid(path, timeZone, `unknown time zone ${timeZone}`)];
  return [];
}
