/**
 * PersistentVolumeClaim: its identity, defaults and rules (Kubernetes'
 * pkg/registry/core/persistentvolumeclaim/strategy.go, ValidatePersistentVolumeClaimSpec).
 */
import { field, parseQuantity, validateLabelSelector, type FieldError } from "@capstan/apimachinery";
import { PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimStatus } from "../../gen/capstan/v1/core.js";
import {
  CLAIM_PENDING,
  RESOURCE_STORAGE,
  VOLUME_MODE_FILESYSTEM,
  validateAccessModes,
  validateClassName,
  validateStorageQuantity,
  validateVolumeMode,
} from "../../volume-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { defaultStorageClassAdmission } from "../storage-class/default-storage-class.js";
import { persistentVolumeClaimPrinter } from "./printer.js";

const { required, invalid } = field;

export const persistentVolumeClaimStrategy: KindStrategy<"PersistentVolumeClaim"> = {
  kind: "PersistentVolumeClaim",
  apiVersion: "v1",
  group: "",
  namespaced: true,
  plural: "persistentvolumeclaims",
  singular: "persistentvolumeclaim",
  shortNames: ["pvc"],
  objectField: "persistentVolumeClaim",
  messageFns: PersistentVolumeClaim,
  protoTypeName: ".capstan.v1.PersistentVolumeClaim",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: true,
  ...fieldsOf<PersistentVolumeClaim>({
    "metadata.name": (pvc) => pvc.metadata?.name ?? "",
    "metadata.namespace": (pvc) => pvc.metadata?.namespace ?? "",
  }),

  defaults: defaultPersistentVolumeClaim,
  validate: (pvc) => validatePersistentVolumeClaimSpec(pvc.spec, "spec"),
  admission: defaultStorageClassAdmission,

  printer: persistentVolumeClaimPrinter,
};

/** A defaulted copy of a PersistentVolumeClaim: Filesystem, and Pending until it is bound. */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): PersistentVolumeClaim {
  const out = PersistentVolumeClaim.fromPartial(pvc);
  const spec = (out.spec ??= PersistentVolumeClaimSpec.create());
  spec.volumeMode ??= VOLUME_MODE_FILESYSTEM;
  const status = (out.status ??= PersistentVolumeClaimStatus.create());
  status.phase ||= CLAIM_PENDING;
  return out;
}

function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: string): FieldError[] {
  const s = spec ?? PersistentVolumeClaimSpec.create();
  const errs: FieldError[] = [];
  if (s.accessModes.length === 0) errs.push(required(`${path}.accessModes`, "at least 1 access mode is required"));
  errs.push(...validateAccessModes(s.accessModes, `${path}.accessModes`), ...validateLabelSelector(s.selector, `${path}.selector`));

  const storagePath = `${path}.resources[${RESOURCE_STORAGE}]`;
  const storage = s.resources?.requests[RESOURCE_STORAGE];
  if (storage === undefined) errs.push(required(storagePath));
  else {
    const invalidQuantity = validateStorageQuantity(storage, storagePath);
    if (invalidQuantity.length > 0) errs.push(...invalidQuantity);
    else if (parseQuantity(storage).sign() <= 0) errs.push(invalid(storagePath, storage, "must be greater than zero"));
  }
  errs.push(...validateClassName(s.storageClassName, `${path}.storageClassName`), ...validateVolumeMode(s.volumeMode, `${path}.volumeMode`));
  return errs;
}
