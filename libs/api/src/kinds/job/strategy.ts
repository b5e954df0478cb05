/**
 * Job: its identity, defaults and rules (Kubernetes' pkg/registry/batch/job/strategy.go, batch/v1
 * SetDefaults_Job, ValidateJob, ValidateJobSpecUpdate, ValidateJobStatus).
 */
import { isDeepStrictEqual } from "node:util";
import { field, InvalidError, type FieldError, type JsonObject, type ObjectKey } from "@capstan/apimachinery";
import { Job, JobSpec, type JobStatus } from "../../gen/capstan/v1/batch.js";
import { PodTemplateSpec } from "../../gen/capstan/v1/core.js";
import { nonNegative } from "../../field-validation.js";
import { validatePodTemplate, validateWorkloadSelector } from "../../pod-spec-validation.js";
import { childObject, metaOf, objectOf, specOf, statusOf } from "../../object-view.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { defaultPodTemplate } from "../pod/defaults.js";
import { jobDescriber, jobPrinter } from "./printer.js";

const { required, invalid, notSupported } = field;

/** The label that ties a Job's pods to it alone: its uid (batch.kubernetes.io/controller-uid). */
export const CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
/** The labels Kubernetes set before 1.27, still set beside the new ones. */
const LEGACY_CONTROLLER_UID_LABEL = "controller-uid";
const LEGACY_JOB_NAME_LABEL = "job-name";
/** An Indexed Job's pod's index: the key of both its annotation and its label. */
export const JOB_COMPLETION_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index";

export const DEFAULT_BACKOFF_LIMIT = 6;
export const completionModes = ["NonIndexed", "Indexed"];
const jobRestartPolicies = ["OnFailure", "Never"];
/** Indexed Jobs keep every index in status, so Kubernetes bounds completions and parallelism. */
const MAX_INDEXED_COMPLETIONS = 100_000;

export const jobStrategy: KindStrategy<"Job"> = {
  kind: "Job",
  apiVersion: "batch/v1",
  group: "batch",
  namespaced: true,
  plural: "jobs",
  singular: "job",
  shortNames: [],
  objectField: "job",
  messageFns: Job,
  protoTypeName: ".capstan.v1.Job",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: true,
  ...fieldsOf<Job>({
    "metadata.name": (j) => j.metadata?.name ?? "",
    "metadata.namespace": (j) => j.metadata?.namespace ?? "",
    "status.successful": (j) => String(j.status?.succeeded ?? 0),
  }),

  defaults: defaultJob,
  validate: (job, written) => validateJobSpec(job.spec, written.spec, "spec", { generatesSelector: job.spec?.manualSelector !== true }),
  prepareForCreate: generateSelector,
  prepareForUpdate: keepGeneratedSelector,
  validateUpdate: validateJobUpdate,
  validateStatus: (job) => validateJobStatus(job.status, "status"),

  printer: jobPrinter,
  describe: jobDescriber,
};

/**
 * batch/v1 SetDefaults_Job: one completion and one pod at a time when neither is said, parallelism 1,
 * six retries, NonIndexed, not suspended, the selector not manual, and the template's pod defaults.
 */
export function defaultJob(job: Job): Job {
  const out = Job.fromPartial(job);
  const spec = (out.spec ??= JobSpec.create());
  defaultJobSpec(spec);
  return out;
}

/** SetDefaults_Job on a spec alone, for a CronJob's jobTemplate too. */
export function defaultJobSpec(spec: JobSpec): void {
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= DEFAULT_BACKOFF_LIMIT;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  defaultPodTemplate((spec.template ??= PodTemplateSpec.create()));
}

export interface JobSpecValidationOptions {
  /** The selector is generated at create (manualSelector unset), so it may be absent until then. */
  readonly generatesSelector: boolean;
}

/** ValidateJobSpec: counts never negative, a known completion mode, a template that never restarts Always. */
export function validateJobSpec(spec: JobSpec | undefined, written: JobSpec | undefined, path: string, opts: JobSpecValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  for (const name of ["parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"] as const) {
    const value = spec?.[name];
    errs.push(...nonNegative(`${path}.${name}`, value === undefined ? undefined : Number(value)));
  }
  const mode = spec?.completionMode ?? "NonIndexed";
  if (!completionModes.includes(mode)) errs.push(notSupported(`${path}.completionMode`, mode, completionModes));
  if (mode === "Indexed") {
    if (spec?.completions === undefined) errs.push(required(`${path}.completions`, "when completion mode is Indexed"));
    else if (spec.completions > MAX_INDEXED_COMPLETIONS) errs.push(invalid(`${path}.completions`, spec.completions, `must be less than or equal to ${MAX_INDEXED_COMPLETIONS} when completion mode is Indexed`));
    if ((spec?.parallelism ?? 0) > MAX_INDEXED_COMPLETIONS) errs.push(invalid(`${path}.parallelism`, spec?.parallelism, `must be less than or equal to ${MAX_INDEXED_COMPLETIONS} when completion mode is Indexed`));
  }
  const selectorPending = opts.generatesSelector && spec?.selector === undefined;
  const matches = selectorPending ? undefined : validateWorkloadSelector(spec?.selector, "job", `${path}.selector`, errs);
  errs.push(...validatePodTemplate(spec?.template, written?.template, matches, `${path}.template`, jobRestartPolicies));
  return errs;
}

/**
 * PrepareForCreate's generateSelector: unless manualSelector, the template carries the Job's name and uid
 * as labels and the selector selects the uid, so its pods are its own alone.
 */
export function generateSelector(object: JsonObject): JsonObject {
  const copy = structuredClone(object);
  const spec = childObject(copy, "spec");
  if (spec["manualSelector"] === true) return object;
  const { name, uid } = metaOf(copy);
  const labels = childObject(childObject(childObject(spec, "template"), "metadata"), "labels");
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[key] ??= uid;
  childObject(childObject(spec, "selector"), "matchLabels")[CONTROLLER_UID_LABEL] ??= uid;
  return copy;
}

/**
 * An update that leaves out the selector generated at create (a manifest applied again, as kubectl apply's
 * merge keeps what the server set) keeps it, and its template the labels that go with it.
 */
export function keepGeneratedSelector(requested: JsonObject, current: JsonObject): JsonObject {
  const spec = specOf(requested);
  if (spec["manualSelector"] === true || spec["selector"] !== undefined) return requested;
  return { ...generateSelector({ ...requested, metadata: { ...metaOf(requested).json, uid: metaOf(current).uid } }), metadata: metaOf(requested).json };
}

/**
 * ValidateJobSpecUpdate: the selector, the completion mode and the pod template are fixed at creation,
 * except that a Job suspended before it ever started may take new scheduling directives, labels and
 * annotations (to place it before it runs); completions may change only for an Indexed Job, in tandem
 * with parallelism (an elastic Indexed Job).
 */
export function validateJobUpdate(key: ObjectKey, after: JsonObject, before: JsonObject): Error | undefined {
  const errs: FieldError[] = [];
  const [spec, was] = [specOf(after), specOf(before)];
  for (const name of ["selector", "completionMode"]) {
    if (!isDeepStrictEqual(was[name], spec[name])) errs.push(invalid(`spec.${name}`, spec[name] ?? null, "field is immutable"));
  }
  const neverStarted = was["suspend"] === true && !statusOf(before)["startTime"];
  const template = neverStarted ? withSchedulingOf(spec["template"], was["template"]) : spec["template"];
  if (!isDeepStrictEqual(was["template"], template)) errs.push(invalid("spec.template", spec["template"] ?? null, "field is immutable"));
  if (spec["completions"] !== was["completions"]) {
    if (spec["completionMode"] !== "Indexed") errs.push(invalid("spec.completions", spec["completions"] ?? null, "field is immutable"));
    else if (spec["completions"] !== undefined && spec["completions"] !== spec["parallelism"]) {
      errs.push(invalid("spec.completions", spec["completions"], "can only be modified in tandem with spec.parallelism"));
    }
  }
  return errs.length > 0 ? new InvalidError(`${key.kind} "${key.name}"`, errs) : undefined;
}

/** The template with the fields a never-started suspended Job may change taken from `before`'s. */
function withSchedulingOf(template: unknown, before: unknown): JsonObject {
  const copy = structuredClone(objectOf(template) ?? {});
  const old = objectOf(before) ?? {};
  const assign = (target: JsonObject, from: JsonObject, name: string) => {
    if (from[name] === undefined) delete target[name];
    else target[name] = from[name];
  };
  const meta = childObject(copy, "metadata");
  const oldMeta = objectOf(old["metadata"]) ?? {};
  for (const name of ["labels", "annotations"]) assign(meta, oldMeta, name);
  const podSpec = childObject(copy, "spec");
  const oldSpec = objectOf(old["spec"]) ?? {};
  for (const name of ["nodeSelector", "tolerations", "affinity", "schedulingGates"]) assign(podSpec, oldSpec, name);
  if (Object.keys(meta).length === 0 && old["metadata"] === undefined) delete copy["metadata"];
  return copy;
}

/** ValidateJobStatus: counts never negative. */
export function validateJobStatus(status: JobStatus | undefined, path: string): FieldError[] {
  if (!status) return [];
  return (["active", "succeeded", "failed", "ready", "terminating"] as const).flatMap((name) => nonNegative(`${path}.${name}`, status[name]));
}
