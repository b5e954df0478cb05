/**
 * ReplicationController: its identity, defaults and rules (Kubernetes'
 * pkg/registry/core/replicationcontroller/strategy.go, ValidateReplicationControllerSpec).
 */
import { field, selectorFromSet, validateLabels, type FieldError } from "@capstan/apimachinery";
import { PodTemplateSpec, ReplicationController, ReplicationControllerSpec } from "../../gen/capstan/v1/core.js";
import { ObjectMeta } from "../../gen/capstan/v1/meta.js";
import { nonNegative } from "../../field-validation.js";
import { validatePodTemplate } from "../../pod-spec-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { replicationControllerDescriber, replicationControllerPrinter } from "./printer.js";
import { defaultPodTemplate } from "../pod/defaults.js";
import { DEFAULT_REPLICAS, validateReplicaCounts } from "../replica-set/strategy.js";

const { required } = field;

export const replicationControllerStrategy: KindStrategy<"ReplicationController"> = {
  kind: "ReplicationController",
  apiVersion: "v1",
  group: "",
  namespaced: true,
  plural: "replicationcontrollers",
  singular: "replicationcontroller",
  shortNames: ["rc"],
  objectField: "replicationController",
  messageFns: ReplicationController,
  protoTypeName: ".capstan.v1.ReplicationController",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: true,
  ...fieldsOf<ReplicationController>({
    "metadata.name": (rc) => rc.metadata?.name ?? "",
    "metadata.namespace": (rc) => rc.metadata?.namespace ?? "",
    "status.replicas": (rc) => String(rc.status?.replicas ?? 0),
  }),

  defaults: defaultReplicationController,
  validate: (rc, written) => validateReplicationControllerSpec(rc.spec, written.spec, "spec"),
  validateStatus: (rc) => validateReplicaCounts(rc.status, "status"),

  printer: replicationControllerPrinter,
  describe: replicationControllerDescriber,
};

/**
 * core/v1 SetDefaults_ReplicationController: the selector and, when it has none, the controller's own
 * labels come from the template's labels; one replica; the template's pod defaults.
 */
export function defaultReplicationController(rc: ReplicationController): ReplicationController {
  const out = ReplicationController.fromPartial(rc);
  const spec = (out.spec ??= ReplicationControllerSpec.create());
  const templateLabels = spec.template?.metadata?.labels ?? {};
  if (Object.keys(templateLabels).length > 0) {
    if (Object.keys(spec.selector).length === 0) spec.selector = { ...templateLabels };
    const meta = (out.metadata ??= ObjectMeta.create());
    if (Object.keys(meta.labels).length === 0) meta.labels = { ...templateLabels };
  }
  spec.replicas ??= DEFAULT_REPLICAS;
  defaultPodTemplate((spec.template ??= PodTemplateSpec.create()));
  return out;
}

/** A required, valid label selector that the template's labels match, and a pod template that always restarts. */
function validateReplicationControllerSpec(
  spec: ReplicationControllerSpec | undefined,
  written: ReplicationControllerSpec | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [...nonNegative(`${path}.replicas`, spec?.replicas), ...nonNegative(`${path}.minReadySeconds`, spec?.minReadySeconds)];
  const selector = spec?.selector ?? {};
  let matches: ((labels: Readonly<Record<string, string>>) => boolean) | undefined;
  if (Object.keys(selector).length === 0) {
    errs.push(required(`${path}.selector`));
  } else {
    const selectorErrs = validateLabels(selector, `${path}.selector`);
    errs.push(...selectorErrs);
    if (selectorErrs.length === 0) matches = (labels) => selectorFromSet(selector).matches(labels);
  }
  errs.push(...validatePodTemplate(spec?.template, written?.template, matches, `${path}.template`));
  return errs;
}
