/**
 * The strategic-merge-patch metadata of the Kubernetes types Capstan serves, transcribed from the Go struct
 * tags (`patchStrategy:"merge" patchMergeKey:"name"`) in k8s.io/api core/v1, apps/v1, batch/v1 and
 * k8s.io/apimachinery meta/v1 types.go. It is keyed by Kubernetes type name (the proto message name), so
 * one entry for PodSpec serves a Pod, every workload's template and a CronJob's jobTemplate.
 *
 * A field is listed only if it carries a tag or leads to a type that does: an unlisted map merges key by
 * key and an unlisted list is replaced whole (atomic), as upstream does for untagged fields
 * (tolerations, args, containerStatuses, volumeClaimTemplates, …). The OpenAPI document's
 * x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key read the same table, and server-side apply reads
 * its list and map types (the `+listType`, `+listMapKey`, `+mapType`, `+structType` markers) from it.
 */
import type { KindName } from "../kinds/kind-map.js";

/** The `patchStrategy` tag, verbatim. `retainKeys` only tells clients to send `$retainKeys`. */
export type PatchStrategy = "merge" | "retainKeys" | "merge,retainKeys";

export interface FieldPatchMeta {
  readonly patchStrategy?: PatchStrategy;
  readonly patchMergeKey?: string;
  /** The field's type (a list's element type) when that type has tagged fields of its own. */
  readonly type?: string;
  /** `+listType`, only where it is not what the patch tags imply (see listTypeOf). */
  readonly listType?: ListType;
  /** `+listMapKey`, only where there is more than the patchMergeKey. */
  readonly listMapKeys?: readonly string[];
  /** Defaults of key fields (`+default`), which identify an item that leaves them out. */
  readonly listMapKeyDefaults?: Readonly<Record<string, string>>;
  /** `+mapType=atomic` / `+structType=atomic`: server-side apply owns and replaces the map whole. */
  readonly mapType?: "atomic";
}

export type ListType = "atomic" | "set" | "map";

export type TypePatchMeta = Readonly<Record<string, FieldPatchMeta>>;

const metadata: FieldPatchMeta = { type: "ObjectMeta" };
const conditions: FieldPatchMeta = { patchStrategy: "merge", patchMergeKey: "type" };
const template: FieldPatchMeta = { type: "PodTemplateSpec" };
/** A workload's LabelSelector (`+structType=atomic`), and a ReplicationController's map (`+mapType=atomic`). */
const selector: FieldPatchMeta = { mapType: "atomic" };

/** Container and EphemeralContainer (EphemeralContainerCommon) carry the same tags. */
const containerFields: TypePatchMeta = {
  ports: { patchStrategy: "merge", patchMergeKey: "containerPort", listMapKeys: ["containerPort", "protocol"], listMapKeyDefaults: { protocol: "TCP" } },
  env: { patchStrategy: "merge", patchMergeKey: "name" },
  volumeMounts: { patchStrategy: "merge", patchMergeKey: "mountPath" },
  volumeDevices: { patchStrategy: "merge", patchMergeKey: "devicePath" },
};

/** Types below the kinds, by Kubernetes type name. */
export const PATCH_META_BY_TYPE: Readonly<Record<string, TypePatchMeta>> = {
  ObjectMeta: {
    ownerReferences: { patchStrategy: "merge", patchMergeKey: "uid" },
    finalizers: { patchStrategy: "merge" },
  },
  PodTemplateSpec: { metadata, spec: { type: "PodSpec" } },
  PodSpec: {
    volumes: { patchStrategy: "merge,retainKeys", patchMergeKey: "name" },
    initContainers: { patchStrategy: "merge", patchMergeKey: "name", type: "Container" },
    containers: { patchStrategy: "merge", patchMergeKey: "name", type: "Container" },
    ephemeralContainers: { patchStrategy: "merge", patchMergeKey: "name", type: "EphemeralContainer" },
    imagePullSecrets: { patchStrategy: "merge", patchMergeKey: "name" },
    hostAliases: { patchStrategy: "merge", patchMergeKey: "ip" },
    topologySpreadConstraints: { patchStrategy: "merge", patchMergeKey: "topologyKey", listMapKeys: ["topologyKey", "whenUnsatisfiable"] },
    schedulingGates: { patchStrategy: "merge", patchMergeKey: "name" },
    resourceClaims: { patchStrategy: "merge,retainKeys", patchMergeKey: "name" },
    nodeSelector: { mapType: "atomic" },
  },
  Container: containerFields,
  EphemeralContainer: containerFields,
  PodStatus: {
    conditions,
    hostIPs: { patchStrategy: "merge", patchMergeKey: "ip", listType: "atomic" },
    podIPs: { patchStrategy: "merge", patchMergeKey: "ip" },
    resourceClaimStatuses: { patchStrategy: "merge,retainKeys", patchMergeKey: "name" },
  },
  ServiceSpec: {
    ports: { patchStrategy: "merge", patchMergeKey: "port", listMapKeys: ["port", "protocol"], listMapKeyDefaults: { protocol: "TCP" } },
    selector,
  },
  ServiceStatus: { conditions },
  NodeSpec: { podCIDRs: { patchStrategy: "merge" } },
  NodeStatus: { conditions, addresses: { patchStrategy: "merge", patchMergeKey: "type" } },
  NamespaceStatus: { conditions },
  PersistentVolumeClaimStatus: { conditions },
  ReplicationControllerSpec: { template, selector },
  DeploymentSpec: { template, selector, strategy: { patchStrategy: "retainKeys" } },
  ReplicaSetSpec: { template, selector },
  StatefulSetSpec: { template, selector },
  DaemonSetSpec: { template, selector },
  JobSpec: { template, selector },
  JobTemplateSpec: { metadata, spec: { type: "JobSpec" } },
  CronJobSpec: { jobTemplate: { type: "JobTemplateSpec" } },
  ReplicationControllerStatus: { conditions },
  DeploymentStatus: { conditions },
  ReplicaSetStatus: { conditions },
  StatefulSetStatus: { conditions },
  DaemonSetStatus: { conditions },
  JobStatus: { conditions: { ...conditions, listType: "atomic" } },
  // policy/v1 tags the selector patchStrategy=replace: a patch's selector replaces it whole.
  PodDisruptionBudgetSpec: { selector },
  PodDisruptionBudgetStatus: { conditions: { ...conditions, listType: "map" } },
};

/** Each kind's top-level fields; a Record over KindName, so a new kind without an entry does not compile. */
export const PATCH_META_BY_KIND: Readonly<Record<KindName, TypePatchMeta>> = {
  Namespace: { metadata, status: { type: "NamespaceStatus" } },
  Pod: { metadata, spec: { type: "PodSpec" }, status: { type: "PodStatus" } },
  Node: { metadata, spec: { type: "NodeSpec" }, status: { type: "NodeStatus" } },
  ReplicaSet: { metadata, spec: { type: "ReplicaSetSpec" }, status: { type: "ReplicaSetStatus" } },
  ReplicationController: { metadata, spec: { type: "ReplicationControllerSpec" }, status: { type: "ReplicationControllerStatus" } },
  Deployment: { metadata, spec: { type: "DeploymentSpec" }, status: { type: "DeploymentStatus" } },
  ControllerRevision: { metadata },
  StatefulSet: { metadata, spec: { type: "StatefulSetSpec" }, status: { type: "StatefulSetStatus" } },
  DaemonSet: { metadata, spec: { type: "DaemonSetSpec" }, status: { type: "DaemonSetStatus" } },
  PodDisruptionBudget: { metadata, spec: { type: "PodDisruptionBudgetSpec" }, status: { type: "PodDisruptionBudgetStatus" } },
  Job: { metadata, spec: { type: "JobSpec" }, status: { type: "JobStatus" } },
  CronJob: { metadata, spec: { type: "CronJobSpec" } },
  Service: { metadata, spec: { type: "ServiceSpec" }, status: { type: "ServiceStatus" } },
  Endpoints: { metadata },
  EndpointSlice: { metadata },
  ConfigMap: { metadata },
  Secret: { metadata },
  Event: { metadata },
  PersistentVolume: { metadata },
  PersistentVolumeClaim: { metadata, status: { type: "PersistentVolumeClaimStatus" } },
  StorageClass: { metadata },
  PriorityClass: { metadata },
  ResourceQuota: { metadata },
  LimitRange: { metadata },
};

/**
 * A list's server-side-apply type: declared, or implied by its patch tags as upstream's markers agree
 * (merge by key → map on that key, merge of primitives → set, untagged → atomic).
 */
export function listTypeOf(meta: FieldPatchMeta | undefined): { listType: ListType; keys: readonly string[] } {
  const merges = meta?.patchStrategy === "merge" || meta?.patchStrategy === "merge,retainKeys";
  const implied: ListType = !merges ? "atomic" : meta?.patchMergeKey === undefined ? "set" : "map";
  const listType = meta?.listType ?? implied;
  const keys = listType !== "map" ? [] : (meta?.listMapKeys ?? (meta?.patchMergeKey === undefined ? [] : [meta.patchMergeKey]));
  return { listType, keys };
}

/** The fields of a type named in a FieldPatchMeta; undefined for a type without tagged fields. */
export function patchMetaOfType(type: string | undefined): TypePatchMeta | undefined {
  return type !== undefined && Object.hasOwn(PATCH_META_BY_TYPE, type) ? PATCH_META_BY_TYPE[type] : undefined;
}

/** One field's metadata; own properties only, since field names come from user input ("constructor"). */
export function fieldPatchMeta(fields: TypePatchMeta | undefined, name: string): FieldPatchMeta | undefined {
  return fields !== undefined && Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/**
 * The patch metadata of the field at `path` (field names from the object's root; list elements are
 * skipped, so `["spec", "containers", "env"]` is every container's env), or undefined for an untagged
 * field. `patchMetaFor("Deployment", ["spec", "template", "spec", "containers"])` is
 * `{ patchStrategy: "merge", patchMergeKey: "name", type: "Container" }`.
 */
export function patchMetaFor(kind: KindName, path: readonly string[]): FieldPatchMeta | undefined {
  let fields: TypePatchMeta | undefined = PATCH_META_BY_KIND[kind];
  let meta: FieldPatchMeta | undefined;
  for (const name of path) {
    meta = fieldPatchMeta(fields, name);
    if (meta === undefined) return undefined;
    fields = patchMetaOfType(meta.type);
  }
  return meta;
}
