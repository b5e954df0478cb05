/**
 * PersistentVolume and PersistentVolumeClaim: their constants, defaults and validation with Kubernetes'
 * rules and wording (pkg/apis/core/validation ValidatePersistentVolumeSpec, ValidatePersistentVolumeClaimSpec;
 * pkg/apis/core/v1/defaults.go SetDefaults_PersistentVolume).
 */
import { field, parseQuantity, validateDNS1123Subdomain, validateLabelSelector, validateQuantity, type FieldError } from "@capstan/apimachinery";
import {
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  PersistentVolumeClaimStatus,
  PersistentVolumeSpec,
  PersistentVolumeStatus,
} from "./gen/capstan/v1/core.js";
import { validateNodeSelector } from "./scheduling-validation.js";

const { required, invalid, notSupported, forbidden } = field;

export const READ_WRITE_ONCE = "ReadWriteOnce";
export const READ_ONLY_MANY = "ReadOnlyMany";
export const READ_WRITE_MANY = "ReadWriteMany";
export const READ_WRITE_ONCE_POD = "ReadWriteOncePod";
const accessModes = [READ_ONLY_MANY, READ_WRITE_MANY, READ_WRITE_ONCE, READ_WRITE_ONCE_POD];

export const RECLAIM_RETAIN = "Retain";
const reclaimPolicies = ["Delete", "Recycle", RECLAIM_RETAIN];

export const VOLUME_MODE_FILESYSTEM = "Filesystem";
const volumeModes = ["Block", VOLUME_MODE_FILESYSTEM];

/** PersistentVolume phases. */
export const VOLUME_PENDING = "Pending";
export const VOLUME_AVAILABLE = "Available";
export const VOLUME_BOUND = "Bound";
export const VOLUME_RELEASED = "Released";
/** PersistentVolumeClaim phases. */
export const CLAIM_PENDING = "Pending";
export const CLAIM_BOUND = "Bound";

export const RESOURCE_STORAGE = "storage";

/** A defaulted copy of a PersistentVolume: Retain, Filesystem, and Pending until the pv-binder sees it. */
export function defaultPersistentVolume(pv: PersistentVolume): PersistentVolume {
  const out = PersistentVolume.fromPartial(pv);
  const spec = (out.spec ??= PersistentVolumeSpec.create());
  spec.persistentVolumeReclaimPolicy ||= RECLAIM_RETAIN;
  spec.volumeMode ??= VOLUME_MODE_FILESYSTEM;
  const status = (out.status ??= PersistentVolumeStatus.create());
  status.phase ||= VOLUME_PENDING;
  return out;
}

/** A defaulted copy of a PersistentVolumeClaim: Filesystem, and Pending until it is bound. */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): PersistentVolumeClaim {
  const out = PersistentVolumeClaim.fromPartial(pvc);
  const spec = (out.spec ??= PersistentVolumeClaimSpec.create());
  spec.volumeMode ??= VOLUME_MODE_FILESYSTEM;
  const status = (out.status ??= PersistentVolumeClaimStatus.create());
  status.phase ||= CLAIM_PENDING;
  return out;
}

function validateAccessModes(modes: readonly string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const mode of modes) if (!accessModes.includes(mode)) errs.push(notSupported(path, mode, accessModes));
  if (modes.includes(READ_WRITE_ONCE_POD) && modes.length > 1) errs.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  return errs;
}

function validateStorageQuantity(q: string, path: string): FieldError[] {
  const syntax = validateQuantity(q);
  if (syntax.length > 0) return syntax.map((m) => invalid(path, q, m));
  return parseQuantity(q).sign() < 0 ? [invalid(path, q, "must be greater than or equal to 0")] : [];
}

function validateClassName(name: string | undefined, path: string): FieldError[] {
  return name ? validateDNS1123Subdomain(name).map((m) => invalid(path, name, m)) : [];
}

function validateVolumeMode(mode: string | undefined, path: string): FieldError[] {
  return mode !== undefined && !volumeModes.includes(mode) ? [notSupported(path, mode, volumeModes)] : [];
}

export function validatePersistentVolumeSpec(spec: PersistentVolumeSpec | undefined, path: string): FieldError[] {
  const s = spec ?? PersistentVolumeSpec.create();
  const errs: FieldError[] = [];
  if (s.accessModes.length === 0) errs.push(required(`${path}.accessModes`));
  errs.push(...validateAccessModes(s.accessModes, `${path}.accessModes`));

  const capacityPath = `${path}.capacity`;
  const resources = Object.keys(s.capacity);
  if (resources.length === 0) errs.push(required(capacityPath));
  else if (!resources.includes(RESOURCE_STORAGE) || resources.length > 1) errs.push(notSupported(capacityPath, s.capacity, [RESOURCE_STORAGE]));
  for (const [name, q] of Object.entries(s.capacity)) errs.push(...validateStorageQuantity(q, `${capacityPath}[${name}]`));

  if (!reclaimPolicies.includes(s.persistentVolumeReclaimPolicy)) {
    errs.push(notSupported(`${path}.persistentVolumeReclaimPolicy`, s.persistentVolumeReclaimPolicy, reclaimPolicies));
  }
  errs.push(...validateClassName(s.storageClassName, `${path}.storageClassName`), ...validateVolumeMode(s.volumeMode, `${path}.volumeMode`));

  const sources = [s.hostPath && "hostPath", s.local && "local"].filter((x): x is string => typeof x === "string");
  if (sources.length === 0) errs.push(required(path, "must specify a volume type"));
  for (const extra of sources.slice(1)) errs.push(forbidden(`${path}.${extra}`, "may not specify more than 1 volume type"));
  if (s.hostPath) {
    const p = s.hostPath.path;
    if (p === "") errs.push(required(`${path}.hostPath.path`));
    else if (p.split("/").includes("..")) errs.push(invalid(`${path}.hostPath.path`, p, "must not contain '..'"));
  }
  if (s.local) {
    const p = s.local.path;
    if (p === "") errs.push(required(`${path}.local.path`));
    else if (!p.startsWith("/")) errs.push(invalid(`${path}.local.path`, p, "must be an absolute path"));
    else if (p.split("/").includes("..")) errs.push(invalid(`${path}.local.path`, p, "must not contain '..'"));
    if (!s.nodeAffinity?.required) errs.push(required(`${path}.nodeAffinity`, "Local volume requires node affinity"));
  }
  if (s.nodeAffinity) {
    const requiredPath = `${path}.nodeAffinity.required`;
    if (!s.nodeAffinity.required) errs.push(required(requiredPath, "must specify required node constraints"));
    else errs.push(...validateNodeSelector(s.nodeAffinity.required, requiredPath));
  }
  return errs;
}

export function validatePersistentVolumeClaimSpec(spec: PersistentVolumeClaimSpec | undefined, path: string): FieldError[] {
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
