/**
 * Deployment: its identity, defaults and rules (Kubernetes' pkg/registry/apps/deployment/strategy.go,
 * apps/v1 SetDefaults_Deployment, ValidateDeploymentSpec, ValidateDeploymentStatus).
 */
import { field, regexError, type FieldError } from "@capstan/apimachinery";
import {
  Deployment,
  DeploymentSpec,
  DeploymentStrategy,
  RollingUpdateDeployment,
  type DeploymentStatus,
} from "../../gen/capstan/v1/apps.js";
import { PodTemplateSpec } from "../../gen/capstan/v1/core.js";
import { nonNegative } from "../../field-validation.js";
import { isIntOrStringInt, percentOf } from "../../int-or-string.js";
import { validatePodTemplate, validateWorkloadSelector } from "../../pod-spec-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { deploymentDescriber } from "./describe.js";
import { deploymentPrinter } from "./printer.js";
import { defaultPodTemplate } from "../pod/defaults.js";
import { DEFAULT_REPLICAS, immutableSelector } from "../replica-set/strategy.js";

const { required, invalid, notSupported, forbidden } = field;

export const DEFAULT_MAX_SURGE = "25%";
export const DEFAULT_MAX_UNAVAILABLE = "25%";
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

const deploymentStrategyTypes = ["Recreate", "RollingUpdate"];
const percentFmt = "[0-9]+%";
const percentValue = new RegExp(`^${percentFmt}$`);

export const deploymentStrategy: KindStrategy<"Deployment"> = {
  kind: "Deployment",
  apiVersion: "apps/v1",
  group: "apps",
  namespaced: true,
  plural: "deployments",
  singular: "deployment",
  shortNames: ["deploy"],
  objectField: "deployment",
  messageFns: Deployment,
  protoTypeName: ".capstan.v1.Deployment",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: true,
  ...fieldsOf<Deployment>({
    "metadata.name": (d) => d.metadata?.name ?? "",
    "metadata.namespace": (d) => d.metadata?.namespace ?? "",
  }),

  defaults: defaultDeployment,
  validate: (deployment, written) => validateDeploymentSpec(deployment.spec, written.spec, "spec"),
  validateUpdate: immutableSelector,
  validateStatus: (deployment) => validateDeploymentStatus(deployment.status, "status"),

  printer: deploymentPrinter,
  describe: deploymentDescriber,
};

/**
 * apps/v1 SetDefaults_Deployment: one replica, a RollingUpdate of 25% surge and 25% unavailable, ten
 * old ReplicaSets kept, a 600s progress deadline, and the template's pod defaults.
 */
export function defaultDeployment(deployment: Deployment): Deployment {
  const out = Deployment.fromPartial(deployment);
  const spec = (out.spec ??= DeploymentSpec.create());
  spec.replicas ??= DEFAULT_REPLICAS;
  const strategy = (spec.strategy ??= DeploymentStrategy.create());
  strategy.type ||= "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = (strategy.rollingUpdate ??= RollingUpdateDeployment.create());
    rollingUpdate.maxUnavailable ??= DEFAULT_MAX_UNAVAILABLE;
    rollingUpdate.maxSurge ??= DEFAULT_MAX_SURGE;
  }
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  spec.progressDeadlineSeconds ??= DEFAULT_PROGRESS_DEADLINE_SECONDS;
  defaultPodTemplate((spec.template ??= PodTemplateSpec.create()));
  return out;
}

function validateDeploymentSpec(spec: DeploymentSpec | undefined, written: DeploymentSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [...nonNegative(`${path}.replicas`, spec?.replicas)];
  const matches = validateWorkloadSelector(spec?.selector, "deployment", `${path}.selector`, errs);
  errs.push(...validatePodTemplate(spec?.template, written?.template, matches, `${path}.template`));
  errs.push(...validateDeploymentStrategy(spec?.strategy, `${path}.strategy`));
  const minReady = spec?.minReadySeconds ?? 0;
  errs.push(...nonNegative(`${path}.minReadySeconds`, minReady), ...nonNegative(`${path}.revisionHistoryLimit`, spec?.revisionHistoryLimit));
  const deadline = spec?.progressDeadlineSeconds;
  if (deadline !== undefined) {
    const negative = nonNegative(`${path}.progressDeadlineSeconds`, deadline);
    errs.push(...negative);
    if (negative.length === 0 && deadline <= minReady) errs.push(invalid(`${path}.progressDeadlineSeconds`, deadline, "must be greater than minReadySeconds"));
  }
  return errs;
}

function validateDeploymentStrategy(strategy: DeploymentStrategy | undefined, path: string): FieldError[] {
  const type = strategy?.type ?? "";
  const rollingUpdate = strategy?.rollingUpdate;
  if (type === "Recreate") {
    return rollingUpdate ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
  }
  if (type !== "RollingUpdate") return [notSupported(`${path}.type`, type, deploymentStrategyTypes)];
  if (!rollingUpdate) return [required(`${path}.rollingUpdate`, "this should be defaulted and never be nil")];
  const p = `${path}.rollingUpdate`;
  const errs = [
    ...validateIntOrPercent(rollingUpdate.maxUnavailable, `${p}.maxUnavailable`),
    ...validateIntOrPercent(rollingUpdate.maxSurge, `${p}.maxSurge`),
  ];
  const unavailable = intOrPercentNumber(rollingUpdate.maxUnavailable);
  const surge = intOrPercentNumber(rollingUpdate.maxSurge);
  if (unavailable === 0 && surge === 0) errs.push(invalid(`${p}.maxUnavailable`, intOrStringShown(rollingUpdate.maxUnavailable), "may not be 0 when `maxSurge` is 0"));
  errs.push(...validateNotMoreThan100Percent(rollingUpdate.maxUnavailable, `${p}.maxUnavailable`));
  return errs;
}

/** An IntOrString as a message shows it: an integer as a number, anything else quoted. */
export function intOrStringShown(value: string | undefined): string | number {
  return value !== undefined && isIntOrStringInt(value) ? Number(value) : (value ?? 0);
}

function validateDeploymentStatus(status: DeploymentStatus | undefined, path: string): FieldError[] {
  if (!status) return [];
  const errs: FieldError[] = [];
  for (const name of ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "collisionCount"] as const) {
    errs.push(...nonNegative(`${path}.${name}`, status[name]));
  }
  const aboveReplicas = `cannot be greater than ${path}.replicas`;
  for (const name of ["updatedReplicas", "readyReplicas", "availableReplicas"] as const) {
    if (status[name] > status.replicas) errs.push(invalid(`${path}.${name}`, status[name], aboveReplicas));
  }
  if (status.availableReplicas > status.readyReplicas) errs.push(invalid(`${path}.availableReplicas`, status.availableReplicas, "cannot be greater than readyReplicas"));
  return errs;
}

/** An IntOrString count: a non-negative integer or a percentage (ValidatePositiveIntOrPercent). */
export function validateIntOrPercent(value: string | undefined, path: string): FieldError[] {
  if (value === undefined) return [];
  if (isIntOrStringInt(value)) return nonNegative(path, Number(value));
  if (!percentValue.test(value)) {
    return [invalid(path, value, regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, "1%", "93%"))];
  }
  return [];
}

/** A percentage of at most 100% (IsNotMoreThan100Percent); an integer passes. */
export function validateNotMoreThan100Percent(value: string | undefined, path: string): FieldError[] {
  return value !== undefined && !isIntOrStringInt(value) && (percentOf(value) ?? 0) > 100 ? [invalid(path, value, "must not be greater than 100%")] : [];
}

/** The integer or percentage an IntOrString count stands for; undefined when it is neither. */
export function intOrPercentNumber(value: string | undefined): number | undefined {
  if (value === undefined) return 0;
  return isIntOrStringInt(value) ? Number(value) : percentValue.test(value) ? percentOf(value) : undefined;
}
