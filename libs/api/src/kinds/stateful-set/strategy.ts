/**
 * StatefulSet: its identity, defaults and rules (Kubernetes' pkg/registry/apps/statefulset/strategy.go,
 * apps/v1 SetDefaults_StatefulSet, ValidateStatefulSetSpec, ValidateStatefulSetUpdate).
 */
import { isDeepStrictEqual } from "node:util";
import { field, InvalidError, type FieldError, type ObjectKey } from "@capstan/apimachinery";
import {
  StatefulSet,
  StatefulSetPersistentVolumeClaimRetentionPolicy,
  StatefulSetSpec,
  StatefulSetUpdateStrategy,
  RollingUpdateStatefulSetStrategy,
  type StatefulSetStatus,
} from "../../gen/capstan/v1/apps.js";
import { PodTemplateSpec, Volume, type PersistentVolumeClaim } from "../../gen/capstan/v1/core.js";
import { nonNegative } from "../../field-validation.js";
import { isIntOrStringInt, percentOf } from "../../int-or-string.js";
import { validatePodTemplate, validateWorkloadSelector } from "../../pod-spec-validation.js";
import { specOf } from "../../object-view.js";
import { fieldsOf, type JsonObject, type KindStrategy } from "../kind-strategy.js";
import { defaultPodTemplate } from "../pod/defaults.js";
import { DEFAULT_REPLICAS } from "../replica-set/strategy.js";
import { statefulSetDescriber, statefulSetPrinter } from "./printer.js";

const { required, invalid, notSupported, forbidden } = field;

export const DEFAULT_STATEFUL_SET_REVISION_HISTORY_LIMIT = 10;
const podManagementPolicies = ["OrderedReady", "Parallel"];
const updateStrategyTypes = ["RollingUpdate", "OnDelete"];
const retentionPolicies = ["Retain", "Delete"];

export const statefulSetStrategy: KindStrategy<"StatefulSet"> = {
  kind: "StatefulSet",
  apiVersion: "apps/v1",
  group: "apps",
  namespaced: true,
  plural: "statefulsets",
  singular: "statefulset",
  shortNames: ["sts"],
  objectField: "statefulSet",
  messageFns: StatefulSet,
  protoTypeName: ".capstan.v1.StatefulSet",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: true,
  ...fieldsOf<StatefulSet>({
    "metadata.name": (s) => s.metadata?.name ?? "",
    "metadata.namespace": (s) => s.metadata?.namespace ?? "",
  }),

  defaults: defaultStatefulSet,
  validate: (sts, written) => validateStatefulSetSpec(sts.spec, written.spec, "spec"),
  validateUpdate: validateStatefulSetUpdate,
  validateStatus: (sts) => validateStatefulSetStatus(sts.status, "status"),

  printer: statefulSetPrinter,
  describe: statefulSetDescriber,
};

/**
 * apps/v1 SetDefaults_StatefulSet: one replica, OrderedReady, a RollingUpdate from partition 0, claims
 * retained, ten revisions kept, and the template's pod defaults.
 */
export function defaultStatefulSet(sts: StatefulSet): StatefulSet {
  const out = StatefulSet.fromPartial(sts);
  const spec = (out.spec ??= StatefulSetSpec.create());
  spec.replicas ??= DEFAULT_REPLICAS;
  spec.podManagementPolicy ||= "OrderedReady";
  const strategy = (spec.updateStrategy ??= StatefulSetUpdateStrategy.create());
  strategy.type ||= "RollingUpdate";
  if (strategy.type === "RollingUpdate") (strategy.rollingUpdate ??= RollingUpdateStatefulSetStrategy.create()).partition ??= 0;
  const retention = (spec.persistentVolumeClaimRetentionPolicy ??= StatefulSetPersistentVolumeClaimRetentionPolicy.create());
  retention.whenDeleted ||= "Retain";
  retention.whenScaled ||= "Retain";
  spec.revisionHistoryLimit ??= DEFAULT_STATEFUL_SET_REVISION_HISTORY_LIMIT;
  defaultPodTemplate((spec.template ??= PodTemplateSpec.create()));
  return out;
}

function validateStatefulSetSpec(spec: StatefulSetSpec | undefined, written: StatefulSetSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [
    ...nonNegative(`${path}.replicas`, spec?.replicas),
    ...nonNegative(`${path}.minReadySeconds`, spec?.minReadySeconds),
    ...nonNegative(`${path}.revisionHistoryLimit`, spec?.revisionHistoryLimit),
    ...nonNegative(`${path}.ordinals.start`, spec?.ordinals?.start),
  ];
  const policy = spec?.podManagementPolicy ?? "";
  if (!podManagementPolicies.includes(policy)) errs.push(policy ? notSupported(`${path}.podManagementPolicy`, policy, podManagementPolicies) : required(`${path}.podManagementPolicy`));
  errs.push(...validateUpdateStrategy(spec?.updateStrategy, `${path}.updateStrategy`));
  const retention = spec?.persistentVolumeClaimRetentionPolicy;
  for (const name of ["whenDeleted", "whenScaled"] as const) {
    const value = retention?.[name] ?? "";
    if (!retentionPolicies.includes(value)) errs.push(notSupported(`${path}.persistentVolumeClaimRetentionPolicy.${name}`, value, retentionPolicies));
  }
  spec?.volumeClaimTemplates.forEach((t, i) => {
    if (!t.metadata?.name) errs.push(required(`${path}.volumeClaimTemplates[${i}].metadata.name`));
  });
  const matches = validateWorkloadSelector(spec?.selector, "statefulset", `${path}.selector`, errs);
  const claims = spec?.volumeClaimTemplates ?? [];
  errs.push(...validatePodTemplate(withClaimVolumes(spec?.template, claims), withClaimVolumes(written?.template, claims), matches, `${path}.template`));
  return errs;
}

/**
 * The template as its pods get it, a volume per claim template: containers mount those by name, so the
 * pod rules (every mount names a volume) judge the union, as Kubernetes' validation means to.
 */
function withClaimVolumes(template: PodTemplateSpec | undefined, claims: readonly PersistentVolumeClaim[]): PodTemplateSpec | undefined {
  if (!template?.spec || claims.length === 0) return template;
  const own = new Set(template.spec.volumes.map((v) => v.name));
  const volumes = claims
    .map((c) => c.metadata?.name ?? "")
    .filter((name) => name && !own.has(name))
    .map((name) => Volume.fromPartial({ name, persistentVolumeClaim: { claimName: name } }));
  return { ...template, spec: { ...template.spec, volumes: [...template.spec.volumes, ...volumes] } };
}

function validateUpdateStrategy(strategy: StatefulSetUpdateStrategy | undefined, path: string): FieldError[] {
  const type = strategy?.type ?? "";
  const rollingUpdate = strategy?.rollingUpdate;
  if (type === "OnDelete") return rollingUpdate ? [forbidden(`${path}.rollingUpdate`, "only allowed for updateStrategy 'RollingUpdate'")] : [];
  if (type !== "RollingUpdate") return [type ? notSupported(`${path}.type`, type, updateStrategyTypes) : required(`${path}.type`)];
  if (!rollingUpdate) return [];
  const p = `${path}.rollingUpdate`;
  const errs = nonNegative(`${p}.partition`, rollingUpdate.partition);
  const maxUnavailable = rollingUpdate.maxUnavailable;
  if (maxUnavailable !== undefined) {
    const n = isIntOrStringInt(maxUnavailable) ? Number(maxUnavailable) : percentOf(maxUnavailable);
    if (n === undefined) errs.push(invalid(`${p}.maxUnavailable`, maxUnavailable, "must be an integer or a percentage"));
    else if (n <= 0) errs.push(invalid(`${p}.maxUnavailable`, isIntOrStringInt(maxUnavailable) ? n : maxUnavailable, "must be greater than 0"));
    else if (!isIntOrStringInt(maxUnavailable) && n > 100) errs.push(invalid(`${p}.maxUnavailable`, maxUnavailable, "must not be greater than 100%"));
  }
  return errs;
}

/** The spec fields an update may change (ValidateStatefulSetUpdate); any other change is forbidden. */
const updatableSpecFields = ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

function validateStatefulSetUpdate(key: ObjectKey, after: JsonObject, before: JsonObject): Error | undefined {
  const fixed = (o: JsonObject) => Object.fromEntries(Object.entries(specOf(o)).filter(([k]) => !updatableSpecFields.includes(k)));
  if (isDeepStrictEqual(fixed(after), fixed(before))) return undefined;
  return new InvalidError(`StatefulSet "${key.name}"`, [
    forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"),
  ]);
}

function validateStatefulSetStatus(status: StatefulSetStatus | undefined, path: string): FieldError[] {
  if (!status) return [];
  const errs: FieldError[] = [];
  for (const name of ["observedGeneration", "replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas", "collisionCount"] as const) {
    errs.push(...nonNegative(`${path}.${name}`, status[name]));
  }
  for (const name of ["readyReplicas", "currentReplicas", "updatedReplicas"] as const) {
    if (status[name] > status.replicas) errs.push(invalid(`${path}.${name}`, status[name], `cannot be greater than ${path}.replicas`));
  }
  if (status.availableReplicas > status.readyReplicas) errs.push(invalid(`${path}.availableReplicas`, status.availableReplicas, `cannot be greater than ${path}.readyReplicas`));
  return errs;
}
