import { CLAIM_BOUND, type NodeSelector, type PersistentVolume, type PersistentVolumeClaim } from "@capstan/api";
import { StateKey, type CycleState } from "../../framework/cycle-state.js";
import type { FilterPlugin, PreFilterPlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo } from "../../framework/pod-info.js";
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from "../../framework/status.js";
import { termMatches } from "../node-affinity/node-affinity.js";

export const NAME = "VolumeBinding";
export const ERR_REASON_BIND_CONFLICT = "pod has unbound immediate PersistentVolumeClaims";
export const ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
const nodeConflict = unresolvable(ERR_REASON_NODE_CONFLICT);

/** The claims and volumes the scheduler watches (kube-scheduler's PVC and PV listers). */
export interface VolumeListers {
  persistentVolumeClaim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  persistentVolume(name: string): PersistentVolume | undefined;
}

/** The required node affinity of each bound volume that has one (local volumes). */
const volumeNodeAffinities = new StateKey<readonly NodeSelector[]>(`PreFilter${NAME}`);

/**
 * PreFilter: every claim the pod names must exist and be bound (claims bind immediately, by the
 * pv-binder; there is no WaitForFirstConsumer without StorageClasses). Filter: the node must satisfy the
 * node affinity of each bound volume. No dynamic provisioning, so no Reserve/PreBind.
 */
export class VolumeBinding implements PreFilterPlugin, FilterPlugin {
  readonly name = NAME;

  constructor(private readonly listers: VolumeListers) {}

  preFilter(state: CycleState, pod: PodInfo): Status {
    const claimNames = podClaimNames(pod);
    if (claimNames.length === 0) return SKIP;
    const affinities: NodeSelector[] = [];
    for (const claimName of claimNames) {
      const claim = this.listers.persistentVolumeClaim(pod.namespace, claimName);
      if (!claim) return unresolvable(`persistentvolumeclaim "${claimName}" not found`);
      if (claim.metadata?.deletionTimestamp !== undefined) return unresolvable(`persistentvolumeclaim "${claimName}" is being deleted`);
      const volumeName = claim.spec?.volumeName ?? "";
      if (volumeName === "" || claim.status?.phase !== CLAIM_BOUND) return unschedulable(ERR_REASON_BIND_CONFLICT);
      const volume = this.listers.persistentVolume(volumeName);
      if (!volume) return unresolvable(`persistentvolume "${volumeName}" not found`);
      const required = volume.spec?.nodeAffinity?.required;
      if (required) affinities.push(required);
    }
    state.write(volumeNodeAffinities, affinities);
    return SUCCESS;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    for (const required of state.read(volumeNodeAffinities) ?? []) {
      // The terms are ORed, as a pod's required node affinity.
      if (!required.nodeSelectorTerms.some((t) => termMatches(t, node.name, node.node.labels))) return nodeConflict;
    }
    return SUCCESS;
  }
}

/** The claims the pod's volumes name, in order. */
export function podClaimNames(pod: PodInfo): string[] {
  const volumes = (pod.object["spec"] as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } | undefined)?.volumes ?? [];
  return volumes.flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
}

export const createVolumeBinding = (listers: VolumeListers): VolumeBinding => new VolumeBinding(listers);
