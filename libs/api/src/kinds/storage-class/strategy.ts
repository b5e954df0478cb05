/**
 * StorageClass: its identity, defaults and rules (Kubernetes' pkg/registry/storage/storageclass/strategy.go,
 * SetDefaults_StorageClass, pkg/apis/storage/validation ValidateStorageClass and ValidateStorageClassUpdate).
 */
import { InvalidError, field, validateLabelKey, validateQualifiedName, type FieldError, type JsonObject, type ObjectKey } from "@capstan/apimachinery";
import { StorageClass, type TopologySelectorTerm } from "../../gen/capstan/v1/storage.js";
import { RECLAIM_RETAIN } from "../../volume-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { storageClassAdmission } from "./default-storage-class.js";
import { storageClassDescriber } from "./describe.js";
import { storageClassPrinter } from "./printer.js";
import { BINDING_IMMEDIATE, RECLAIM_DELETE, volumeBindingModes } from "./storage-classes.js";

const { required, invalid, notSupported, forbidden, tooLong } = field;

const reclaimPolicies = [RECLAIM_DELETE, RECLAIM_RETAIN];
/** Kubernetes' maxProvisionerParameterSize: the parameters' keys and values, in bytes. */
const MAX_PARAMETERS_BYTES = 256 * 1024;

export const storageClassStrategy: KindStrategy<"StorageClass"> = {
  kind: "StorageClass",
  apiVersion: "storage.k8s.io/v1",
  group: "storage.k8s.io",
  namespaced: false,
  plural: "storageclasses",
  singular: "storageclass",
  shortNames: ["sc"],
  objectField: "storageClass",
  messageFns: StorageClass,
  protoTypeName: ".capstan.v1.StorageClass",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: false,
  ...fieldsOf<StorageClass>({
    "metadata.name": (sc) => sc.metadata?.name ?? "",
  }),

  defaults: defaultStorageClass,
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  admission: storageClassAdmission,

  printer: storageClassPrinter,
  describe: storageClassDescriber,
};

/** SetDefaults_StorageClass: volumes are deleted with their claim, and bound at once. */
export function defaultStorageClass(sc: StorageClass): StorageClass {
  const out = StorageClass.fromPartial(sc);
  out.reclaimPolicy ??= RECLAIM_DELETE;
  out.volumeBindingMode ??= BINDING_IMMEDIATE;
  return out;
}

function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  if (sc.provisioner === "") errs.push(required("provisioner"));
  else errs.push(...validateQualifiedName(sc.provisioner.toLowerCase()).map((m) => invalid("provisioner", sc.provisioner, m)));
  const bytes = Object.entries(sc.parameters).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (bytes > MAX_PARAMETERS_BYTES) errs.push(tooLong("parameters", `must have at most ${MAX_PARAMETERS_BYTES} bytes`));
  if (sc.reclaimPolicy !== undefined && !reclaimPolicies.includes(sc.reclaimPolicy)) errs.push(notSupported("reclaimPolicy", sc.reclaimPolicy, reclaimPolicies));
  if (sc.volumeBindingMode === undefined) errs.push(required("volumeBindingMode"));
  else if (!volumeBindingModes.includes(sc.volumeBindingMode)) errs.push(notSupported("volumeBindingMode", sc.volumeBindingMode, volumeBindingModes));
  sc.allowedTopologies.forEach((term, i) => errs.push(...validateTopologyTerm(term, field.index("allowedTopologies", i))));
  return errs;
}

/** ValidateTopologySelectorTerm: at least one requirement, each a label key with at least one value. */
function validateTopologyTerm(term: TopologySelectorTerm, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (term.matchLabelExpressions.length === 0) errs.push(required(path, "must have at least one label requirement"));
  term.matchLabelExpressions.forEach((r, i) => {
    const at = field.index(`${path}.matchLabelExpressions`, i);
    errs.push(...validateLabelKey(r.key).map((m) => invalid(`${at}.key`, r.key, m)));
    if (r.values.length === 0) errs.push(required(`${at}.values`, "must specify as least one value"));
  });
  return errs;
}

/** What provisioning depends on never changes: provisioner, parameters, reclaimPolicy, volumeBindingMode. */
function validateStorageClassUpdate(key: ObjectKey, after: JsonObject, before: JsonObject): Error | undefined {
  const was = defaultStorageClass(StorageClass.fromJSON(before));
  const now = defaultStorageClass(StorageClass.fromJSON(after));
  const errs: FieldError[] = [];
  if (JSON.stringify(Object.entries(now.parameters).sort()) !== JSON.stringify(Object.entries(was.parameters).sort())) {
    errs.push(forbidden("parameters", "updates to parameters are forbidden."));
  }
  if (now.provisioner !== was.provisioner) errs.push(forbidden("provisioner", "updates to provisioner are forbidden."));
  if (now.reclaimPolicy !== was.reclaimPolicy) errs.push(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  if (now.volumeBindingMode !== was.volumeBindingMode) errs.push(invalid("volumeBindingMode", now.volumeBindingMode, "field is immutable"));
  return errs.length > 0 ? new InvalidError(`StorageClass "${key.name}"`, errs) : undefined;
}
