/**
 * The pod a DaemonSet runs on a node (Kubernetes' pkg/controller/daemon/util): its template, pinned to
 * the node through required node affinity so the scheduler places it, tolerating what a daemon must.
 */
import { Pod, TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, type Affinity, type DaemonSet, type OwnerReference, type Toleration } from "@capstan/api";

/** The label a daemon pod carries its template's revision hash in (apps.ControllerRevisionHashLabelKey). */
export const CONTROLLER_REVISION_HASH_POD_LABEL = "controller-revision-hash";

const exists = (key: string, effect: string): Toleration => ({ key, operator: "Exists", value: "", effect });

/**
 * AddOrUpdateDaemonPodTolerations: a daemon stays on a node that is not ready or unreachable, and is
 * placed on one under disk, memory or pid pressure or cordoned. (network-unavailable is for hostNetwork
 * pods, which Capstan's PodSpec does not have yet.)
 */
export const DAEMON_POD_TOLERATIONS: readonly Toleration[] = [
  exists(TAINT_NODE_NOT_READY, "NoExecute"),
  exists(TAINT_NODE_UNREACHABLE, "NoExecute"),
  exists("node.kubernetes.io/disk-pressure", "NoSchedule"),
  exists("node.kubernetes.io/memory-pressure", "NoSchedule"),
  exists("node.kubernetes.io/pid-pressure", "NoSchedule"),
  exists("node.kubernetes.io/unschedulable", "NoSchedule"),
];

const sameToleration = (a: Toleration, b: Toleration) => a.key === b.key && a.operator === b.operator && a.value === b.value && a.effect === b.effect;

/** AddOrUpdateTolerationInPodSpec for each daemon toleration: an equal one is replaced, others appended. */
export function withDaemonTolerations(tolerations: readonly Toleration[]): Toleration[] {
  const out = [...tolerations];
  for (const t of DAEMON_POD_TOLERATIONS) {
    const i = out.findIndex((o) => sameToleration(o, t));
    if (i >= 0) out[i] = { ...t };
    else out.push({ ...t });
  }
  return out;
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the required node selector becomes one term,
 * metadata.name In [node] (the controller has already checked the template's own terms); preferred terms stay.
 */
export function pinnedToNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term = { matchExpressions: [], matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] };
  return {
    ...affinity,
    nodeAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [],
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] },
    },
  } as Affinity;
}

/** The node a daemon pod is for: spec.nodeName once bound, else its metadata.name matchFields (GetTargetNodeName). */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const r of term.matchFields) if (r.key === "metadata.name" && r.operator === "In" && r.values.length === 1) return r.values[0];
  }
  return undefined;
}

/** The reference that makes the DaemonSet the controller of its pods and revisions. */
export function daemonSetRef(ds: DaemonSet): OwnerReference {
  const meta = ds.metadata!;
  return { apiVersion: "apps/v1", kind: "DaemonSet", name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true };
}

/** NewPod: the DaemonSet's template for `nodeName` at revision `hash`, owned by the DaemonSet. */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string): Pod {
  const meta = ds.metadata!;
  const template = ds.spec?.template;
  const spec = template?.spec;
  return Pod.fromPartial({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${meta.name}-`,
      namespace: meta.namespace,
      labels: { ...template?.metadata?.labels, [CONTROLLER_REVISION_HASH_POD_LABEL]: hash },
      annotations: { ...template?.metadata?.annotations },
      ownerReferences: [daemonSetRef(ds)],
    },
    spec: { ...spec, affinity: pinnedToNode(spec?.affinity, nodeName), tolerations: withDaemonTolerations(spec?.tolerations ?? []) },
  });
}
