/**
 * PersistentVolume: its identity, defaults and rules (Kubernetes' pkg/registry/core/persistentvolume/strategy.go,
 * SetDefaults_PersistentVolume, ValidatePersistentVolumeSpec).
 */
import { field, type FieldError } from "@capstan/apimachinery";
import { PersistentVolume, PersistentVolumeSpec, PersistentVolumeStatus } from "../../gen/capstan/v1/core.js";
import { validateNodeSelector } from "../../scheduling-validation.js";
import {
  RECLAIM_RETAIN,
  RESOURCE_STORAGE,
  VOLUME_MODE_FILESYSTEM,
  VOLUME_PENDING,
  validateAccessModes,
  validateClassName,
  validateStorageQuantity,
  validateVolumeMode,
} from "../../volume-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { persistentVolumePrinter } from "./printer.js";

const { required, invalid, notSupported, forbidden } = field;

const reclaimPolicies = ["Delete", "Recycle", RECLAIM_RETAIN];

export const persistentVolumeStrategy: KindStrategy<"PersistentVolume"> = {
  kind: "PersistentVolume",
  apiVersion: "v1",
  group: "",
  namespaced: false,
  plural: "persistentvolumes",
  singular: "persistentvolume",
  shortNames: ["pv"],
  objectField: "persistentVolume",
  messageFns: PersistentVolume,
  protoTypeName: ".capstan.v1.PersistentVolume",
  nameRule: "DNS1123Subdomain",
  // A new volume starts Pending (Kubernetes' PrepareForCreate); the pv-binder makes it Available.
  createClearsStatus: true,
  ...fieldsOf<PersistentVolume>({
    "metadata.name": (pv) => pv.metadata?.name ?? "",
  }),

  defaults: defaultPersistentVolume,
  validate: (pv) => validatePersistentVolumeSpec(pv.spec, "spec"),

  printer: persistentVolumePrinter,
};

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

function validatePersistentVolumeSpec(spec: PersistentVolumeSpec | undefined, path: string): FieldError[] {
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
