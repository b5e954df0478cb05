/**
 * DaemonSet: its identity, defaults and rules (Kubernetes' pkg/registry/apps/daemonset/strategy.go,
 * apps/v1 SetDefaults_DaemonSet, ValidateDaemonSetSpec, ValidateDaemonSetStatus).
 */
import { field, type FieldError } from "@capstan/apimachinery";
import { DaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy, RollingUpdateDaemonSet, type DaemonSetStatus } from "../../gen/capstan/v1/apps.js";
import { PodTemplateSpec } from "../../gen/capstan/v1/core.js";
import { nonNegative } from "../../field-validation.js";
import { validatePodTemplate, validateWorkloadSelector } from "../../pod-spec-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { DEFAULT_REVISION_HISTORY_LIMIT, intOrPercentNumber, intOrStringShown, validateIntOrPercent, validateNotMoreThan100Percent } from "../deployment/strategy.js";
import { defaultPodTemplate } from "../pod/defaults.js";
import { immutableSelector } from "../replica-set/strategy.js";
import { daemonSetDescriber, daemonSetPrinter } from "./printer.js";

const { required, invalid, notSupported, forbidden } = field;

export const DEFAULT_DAEMON_SET_MAX_UNAVAILABLE = "1";
export const DEFAULT_DAEMON_SET_MAX_SURGE = "0";

const updateStrategyTypes = ["OnDelete", "RollingUpdate"];

export const daemonSetStrategy: KindStrategy<"DaemonSet"> = {
  kind: "DaemonSet",
  apiVersion: "apps/v1",
  group: "apps",
  namespaced: true,
  plural: "daemonsets",
  singular: "daemonset",
  shortNames: ["ds"],
  objectField: "daemonSet",
  messageFns: DaemonSet,
  protoTypeName: ".capstan.v1.DaemonSet",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: true,
  ...fieldsOf<DaemonSet>({
    "metadata.name": (ds) => ds.metadata?.name ?? "",
    "metadata.namespace": (ds) => ds.metadata?.namespace ?? "",
  }),

  defaults: defaultDaemonSet,
  validate: (ds, written) => validateDaemonSetSpec(ds.spec, written.spec, "spec"),
  validateUpdate: immutableSelector,
  validateStatus: (ds) => validateDaemonSetStatus(ds.status, "status"),

  printer: daemonSetPrinter,
  describe: daemonSetDescriber,
};

/** apps/v1 SetDefaults_DaemonSet: a RollingUpdate of one unavailable and no surge, ten revisions kept. */
export function defaultDaemonSet(ds: DaemonSet): DaemonSet {
  const out = DaemonSet.fromPartial(ds);
  const spec = (out.spec ??= DaemonSetSpec.create());
  const strategy = (spec.updateStrategy ??= DaemonSetUpdateStrategy.create());
  strategy.type ||= "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const rollingUpdate = (strategy.rollingUpdate ??= RollingUpdateDaemonSet.create());
    rollingUpdate.maxUnavailable ??= DEFAULT_DAEMON_SET_MAX_UNAVAILABLE;
    rollingUpdate.maxSurge ??= DEFAULT_DAEMON_SET_MAX_SURGE;
  }
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  defaultPodTemplate((spec.template ??= PodTemplateSpec.create()));
  return out;
}

function validateDaemonSetSpec(spec: DaemonSetSpec | undefined, written: DaemonSetSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const matches = validateWorkloadSelector(spec?.selector, "daemonset", `${path}.selector`, errs);
  errs.push(...validatePodTemplate(spec?.template, written?.template, matches, `${path}.template`));
  errs.push(...nonNegative(`${path}.minReadySeconds`, spec?.minReadySeconds), ...nonNegative(`${path}.revisionHistoryLimit`, spec?.revisionHistoryLimit));
  errs.push(...validateUpdateStrategy(spec?.updateStrategy, `${path}.updateStrategy`));
  return errs;
}

/** ValidateDaemonSetUpdateStrategy and ValidateRollingUpdateDaemonSet: exactly one of maxUnavailable, maxSurge non-zero. */
function validateUpdateStrategy(strategy: DaemonSetUpdateStrategy | undefined, path: string): FieldError[] {
  const type = strategy?.type ?? "";
  if (type === "OnDelete") return strategy?.rollingUpdate ? [forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'OnDelete'")] : [];
  if (type !== "RollingUpdate") return [notSupported(`${path}.type`, type, updateStrategyTypes)];
  const rollingUpdate = strategy?.rollingUpdate;
  if (!rollingUpdate) return [required(`${path}.rollingUpdate`, "this should be defaulted and never be nil")];
  const p = `${path}.rollingUpdate`;
  const errs: FieldError[] = [];
  const isNonZero = (value: string | undefined, name: string): boolean => {
    if (value === undefined || intOrPercentNumber(value) === 0) return false;
    errs.push(...validateIntOrPercent(value, `${p}.${name}`));
    errs.push(...validateNotMoreThan100Percent(value, `${p}.${name}`));
    return true;
  };
  const hasUnavailable = isNonZero(rollingUpdate.maxUnavailable, "maxUnavailable");
  const hasSurge = isNonZero(rollingUpdate.maxSurge, "maxSurge");
  if (hasUnavailable && hasSurge) errs.push(invalid(`${p}.maxSurge`, intOrStringShown(rollingUpdate.maxSurge), "may not be set when maxUnavailable is non-zero"));
  if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, "cannot be 0 when maxSurge is 0"));
  return errs;
}

function validateDaemonSetStatus(status: DaemonSetStatus | undefined, path: string): FieldError[] {
  if (!status) return [];
  const errs: FieldError[] = [];
  const counts = [
    "currentNumberScheduled",
    "numberMisscheduled",
    "desiredNumberScheduled",
    "numberReady",
    "observedGeneration",
    "updatedNumberScheduled",
    "numberAvailable",
    "numberUnavailable",
    "collisionCount",
  ] as const;
  for (const name of counts) errs.push(...nonNegative(`${path}.${name}`, status[name]));
  return errs;
}
