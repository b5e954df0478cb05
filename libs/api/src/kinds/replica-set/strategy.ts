/**
 * ReplicaSet: its identity, defaults and rules (Kubernetes' pkg/registry/apps/replicaset/strategy.go,
 * ValidateReplicaSetSpec, ValidateReplicaSetStatus).
 */
import { isDeepStrictEqual } from "node:util";
import { field, InvalidError, type FieldError, type JsonObject, type ObjectKey } from "@capstan/apimachinery";
import { ReplicaSet, ReplicaSetSpec, type ReplicaSetStatus } from "../../gen/capstan/v1/apps.js";
import { PodTemplateSpec, type ReplicationControllerStatus } from "../../gen/capstan/v1/core.js";
import { nonNegative } from "../../field-validation.js";
import { validatePodTemplate, validateWorkloadSelector } from "../../pod-spec-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { specOf } from "../../object-view.js";
import { replicaSetDescriber, replicaSetPrinter } from "./printer.js";
import { defaultPodTemplate } from "../pod/defaults.js";

const { invalid } = field;

/** The replicas of a ReplicaSet, Deployment or ReplicationController that does not say. */
export const DEFAULT_REPLICAS = 1;

export const replicaSetStrategy: KindStrategy<"ReplicaSet"> = {
  kind: "ReplicaSet",
  apiVersion: "apps/v1",
  group: "apps",
  namespaced: true,
  plural: "replicasets",
  singular: "replicaset",
  shortNames: ["rs"],
  objectField: "replicaSet",
  messageFns: ReplicaSet,
  protoTypeName: ".capstan.v1.ReplicaSet",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: true,
  ...fieldsOf<ReplicaSet>({
    "metadata.name": (rs) => rs.metadata?.name ?? "",
    "metadata.namespace": (rs) => rs.metadata?.namespace ?? "",
    "status.replicas": (rs) => String(rs.status?.replicas ?? 0),
  }),

  defaults: defaultReplicaSet,
  validate: (rs, written) => validateReplicaSetSpec(rs.spec, written.spec, "spec"),
  validateStatus: (rs) => validateReplicaCounts(rs.status, "status"),
  validateUpdate: immutableSelector,

  printer: replicaSetPrinter,
  describe: replicaSetDescriber,
};

/** apps/v1 fixes spec.selector at creation (ReplicaSet, Deployment), so a controller never loses its pods. */
export function immutableSelector(key: ObjectKey, after: JsonObject, before: JsonObject): Error | undefined {
  const selectorOf = (o: JsonObject) => specOf(o)["selector"];
  const selector = selectorOf(after);
  if (isDeepStrictEqual(selectorOf(before), selector)) return undefined;
  return new InvalidError(`${key.kind} "${key.name}"`, [field.invalid("spec.selector", selector ?? null, "field is immutable")]);
}

/** apps/v1 SetDefaults_ReplicaSet: one replica, and the template's pod defaults. */
export function defaultReplicaSet(rs: ReplicaSet): ReplicaSet {
  const out = ReplicaSet.fromPartial(rs);
  const spec = (out.spec ??= ReplicaSetSpec.create());
  spec.replicas ??= DEFAULT_REPLICAS;
  defaultPodTemplate((spec.template ??= PodTemplateSpec.create()));
  return out;
}

function validateReplicaSetSpec(spec: ReplicaSetSpec | undefined, written: ReplicaSetSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [...nonNegative(`${path}.replicas`, spec?.replicas), ...nonNegative(`${path}.minReadySeconds`, spec?.minReadySeconds)];
  const matches = validateWorkloadSelector(spec?.selector, "replicaset", `${path}.selector`, errs);
  errs.push(...validatePodTemplate(spec?.template, written?.template, matches, `${path}.template`));
  return errs;
}

/** ValidateReplicaSetStatus (also ReplicationController's): counts never negative nor above what contains them. */
export function validateReplicaCounts(status: ReplicaSetStatus | ReplicationControllerStatus | undefined, path: string): FieldError[] {
  if (!status) return [];
  const errs: FieldError[] = [];
  for (const name of ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"] as const) {
    errs.push(...nonNegative(`${path}.${name}`, status[name]));
  }
  const aboveReplicas = `cannot be greater than ${path}.replicas`;
  for (const name of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] as const) {
    if (status[name] > status.replicas) errs.push(invalid(`${path}.${name}`, status[name], aboveReplicas));
  }
  if (status.availableReplicas > status.readyReplicas) errs.push(invalid(`${path}.availableReplicas`, status.availableReplicas, "cannot be greater than readyReplicas"));
  return errs;
}
