/**
 * Validation of an object as it will be stored, with Kubernetes' rules and wording
 * (pkg/apis/core/validation). It checks the defaulted object, so a field a user may leave out is never
 * reported missing, and it returns every violation at once, each at its field path. The metadata rules
 * are the same for every kind; the rest is the kind's strategy (kinds/<kind>/strategy.ts).
 */
import {
  field,
  validateAnnotations,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabels,
  validateQualifiedName,
  type FieldError,
} from "@capstan/apimachinery";
import type { ObjectMeta } from "./gen/capstan/v1/meta.js";
import { messages } from "./field-validation.js";
import { findKind, unsupportedKindError, type AnyKindInfo, type KindInfo, type NameRule } from "./kinds.js";

const { required, invalid, forbidden } = field;

/**
 * Every rule the object breaks; empty when it may be stored. Its size is not one of them: the event store
 * refuses any write that leaves an object larger than the bus carries, status updates included.
 */
export function validateObject(kind: string, json: unknown): FieldError[] {
  const strategy: KindInfo | undefined = findKind(kind);
  if (!strategy) return [unsupportedKindError(kind)];
  const written = strategy.messageFns.fromJSON(json);
  const defaulted = strategy.defaults?.(written, {}) ?? written;
  return [...validateObjectMeta(defaulted.metadata, strategy), ...(strategy.validate?.(defaulted, written) ?? [])];
}

/**
 * Every rule a status written through UpdateStatus breaks (the counts of ReplicaSet, Deployment and
 * ReplicationController, as ValidateReplicaSetStatus and ValidateDeploymentStatus); empty for kinds
 * whose status has no such rules.
 */
export function validateStatus(kind: string, json: unknown): FieldError[] {
  const strategy: KindInfo | undefined = findKind(kind);
  if (!strategy) return [unsupportedKindError(kind)];
  return strategy.validateStatus?.(strategy.messageFns.fromJSON(json)) ?? [];
}

function nameRule(rule: NameRule): (value: string) => string[] {
  return rule === "DNS1123Label" ? validateDNS1123Label : validateDNS1123Subdomain;
}

/** ObjectMeta rules every kind shares; the kind says how names are formed and whether it is namespaced. */
export function validateObjectMeta(meta: ObjectMeta | undefined, info: Pick<AnyKindInfo, "nameRule" | "namespaced">): FieldError[] {
  const errs: FieldError[] = [];
  const validateName = nameRule(info.nameRule);
  const name = meta?.name ?? "";
  const generateName = meta?.generateName ?? "";
  if (generateName !== "") {
    // A prefix may end in '-', since random characters follow it.
    const masked = generateName.endsWith("-") ? `${generateName.slice(0, -1)}a` : generateName;
    errs.push(...messages("metadata.generateName", generateName, validateName(masked)));
  }
  if (name === "") {
    if (generateName === "") errs.push(required("metadata.name", "name or generateName is required"));
  } else {
    errs.push(...messages("metadata.name", name, validateName(name)));
  }

  const namespace = meta?.namespace ?? "";
  if (!info.namespaced && namespace !== "") errs.push(forbidden("metadata.namespace", "not allowed on this type"));
  if (info.namespaced && namespace !== "") errs.push(...messages("metadata.namespace", namespace, validateDNS1123Label(namespace)));

  errs.push(...validateLabels(meta?.labels, "metadata.labels"), ...validateAnnotations(meta?.annotations, "metadata.annotations"));

  const controllers: string[] = [];
  (meta?.ownerReferences ?? []).forEach((ref, i) => {
    const path = `metadata.ownerReferences[${i}]`;
    if (ref.apiVersion === "") errs.push(required(`${path}.apiVersion`, "version must not be empty"));
    if (ref.kind === "") errs.push(required(`${path}.kind`, "kind must not be empty"));
    if (ref.name === "") errs.push(required(`${path}.name`, "name must not be empty"));
    if (ref.uid === "") errs.push(required(`${path}.uid`, "uid must not be empty"));
    if (ref.controller) controllers.push(`${ref.kind}/${ref.name}`);
  });
  if (controllers.length > 1) {
    errs.push(invalid("metadata.ownerReferences", controllers.join(", "), "Only one reference can have Controller set to true"));
  }
  (meta?.finalizers ?? []).forEach((f, i) => errs.push(...messages(`metadata.finalizers[${i}]`, f, validateQualifiedName(f))));
  if ((meta?.generation ?? 0) < 0) errs.push(invalid("metadata.generation", meta?.generation, "must be greater than or equal to 0"));
  // Kubernetes' ValidateManagedFields: what the field manager can read back.
  (meta?.managedFields ?? []).forEach((entry, i) => {
    const path = `metadata.managedFields[${i}]`;
    if (entry.operation !== "Apply" && entry.operation !== "Update") errs.push(invalid(`${path}.operation`, entry.operation, "must be `Apply` or `Update`"));
    if (entry.fieldsType !== "" && entry.fieldsType !== "FieldsV1") errs.push(invalid(`${path}.fieldsType`, entry.fieldsType, "must be `FieldsV1`"));
  });
  return errs;
}
