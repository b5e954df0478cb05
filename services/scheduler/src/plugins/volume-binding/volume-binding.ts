import {
  BINDING_WAIT_FOR_FIRST_CONSUMER,
  CLAIM_BOUND,
  topologyAllows,
  type NodeSelector,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
  type TopologySelectorTerm,
} from "@capstan/api";
import { StateKey, type CycleState } from "../../framework/cycle-state.js";
import type { FilterPlugin, PreBindPlugin, PreFilterPlugin, ReservePlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo } from "../../framework/pod-info.js";
import { SKIP, SUCCESS, errorStatus, unresolvable, unschedulable, type Status } from "../../framework/status.js";
import { termMatches } from "../node-affinity/node-affinity.js";

export const NAME = "VolumeBinding";
export const ERR_REASON_BIND_CONFLICT = "pod has unbound immediate PersistentVolumeClaims";
export const ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
/** A claim to provision cannot be provisioned on the node (another node is selected, or the class's topology excludes it). */
export const ERR_REASON_NO_VOLUMES = "node(s) didn't find available persistent volumes to bind";
const nodeConflict = unresolvable(ERR_REASON_NODE_CONFLICT);
const noVolumes = unresolvable(ERR_REASON_NO_VOLUMES);

/** kube-scheduler's VolumeBindingArgs: how long PreBind waits for the claims to bind (600 s by default). */
export interface VolumeBindingArgs {
  readonly bindTimeoutSeconds?: number;
}
const DEFAULT_BIND_TIMEOUT_SECONDS = 600;

/** The claims, volumes and classes the scheduler watches (kube-scheduler's PVC, PV and StorageClass listers). */
export interface VolumeListers {
  persistentVolumeClaim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  persistentVolume(name: string): PersistentVolume | undefined;
  storageClass(name: string): StorageClass | undefined;
  /** The node a claim's volume is to be provisioned on: its annotation, or one assumed in Reserve; "" for none. */
  selectedNode(namespace: string, name: string): string;
}

/**
 * What Reserve assumes and PreBind writes and waits for (kube-scheduler's SchedulerVolumeBinder:
 * AssumePodVolumes, RevertAssumedPodVolumes, BindPodVolumes).
 */
export interface ClaimBinder {
  /** Until the claim's annotation shows it, later pods see the node as selected (so they go there too). */
  assumeSelectedNode(namespace: string, name: string, nodeName: string): void;
  revertSelectedNode(namespace: string, name: string): void;
  /** Annotates the claim with the node its volume is to be provisioned on. */
  selectNode(namespace: string, name: string, nodeName: string): Promise<void>;
  /** Resolves true once the claim is Bound, false when it is deleted or `timeoutMs` passes first. */
  waitForBound(namespace: string, name: string, timeoutMs: number): Promise<boolean>;
}

/** A claim of a WaitForFirstConsumer class not bound yet: its volume is made once the pod has a node. */
interface ClaimToProvision {
  readonly name: string;
  readonly selectedNode: string;
  readonly allowedTopologies: readonly TopologySelectorTerm[];
}

interface PodVolumes {
  /** The required node affinity of each bound volume that has one (local volumes). */
  readonly affinities: readonly NodeSelector[];
  readonly toProvision: readonly ClaimToProvision[];
}

const podVolumes = new StateKey<PodVolumes>(`PreFilter${NAME}`);
/** The claims Reserve assumed a node for, so Unreserve reverts exactly those. */
const assumedClaims = new StateKey<readonly string[]>(`Reserve${NAME}`);

/**
 * PreFilter: every claim the pod names must exist and be bound, except a claim of a WaitForFirstConsumer
 * class, which waits for the pod's node. Filter: the node must satisfy the node affinity of each bound
 * volume, and be one the claims to provision may be provisioned on. Reserve: the node is assumed selected
 * for those claims, so pods sharing a claim that follow go to the same node. PreBind: the claims get the
 * node as volume.kubernetes.io/selected-node, and the pod is bound only once they are Bound.
 */
export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin {
  readonly name = NAME;
  private readonly bindTimeoutMs: number;

  constructor(
    private readonly listers: VolumeListers,
    private readonly binder: ClaimBinder,
    args: VolumeBindingArgs = {},
  ) {
    this.bindTimeoutMs = (args.bindTimeoutSeconds ?? DEFAULT_BIND_TIMEOUT_SECONDS) * 1000;
  }

  preFilter(state: CycleState, pod: PodInfo): Status {
    const claimNames = podClaimNames(pod);
    if (claimNames.length === 0) return SKIP;
    const affinities: NodeSelector[] = [];
    const toProvision: ClaimToProvision[] = [];
    for (const claimName of claimNames) {
      const claim = this.listers.persistentVolumeClaim(pod.namespace, claimName);
      if (!claim) return unresolvable(`persistentvolumeclaim "${claimName}" not found`);
      if (claim.metadata?.deletionTimestamp !== undefined) return unresolvable(`persistentvolumeclaim "${claimName}" is being deleted`);
      const volumeName = claim.spec?.volumeName ?? "";
      if (volumeName === "" || claim.status?.phase !== CLAIM_BOUND) {
        const sc = this.delayedBindingClass(claim);
        if (!sc) return unschedulable(ERR_REASON_BIND_CONFLICT);
        toProvision.push({ name: claimName, selectedNode: this.listers.selectedNode(pod.namespace, claimName), allowedTopologies: sc.allowedTopologies });
        continue;
      }
      const volume = this.listers.persistentVolume(volumeName);
      if (!volume) return unresolvable(`persistentvolume "${volumeName}" not found`);
      const required = volume.spec?.nodeAffinity?.required;
      if (required) affinities.push(required);
    }
    state.write(podVolumes, { affinities, toProvision });
    return SUCCESS;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    const volumes = state.read(podVolumes);
    if (!volumes) return SUCCESS;
    for (const required of volumes.affinities) {
      // The terms are ORed, as a pod's required node affinity.
      if (!required.nodeSelectorTerms.some((t) => termMatches(t, node.name, node.node.labels))) return nodeConflict;
    }
    for (const claim of volumes.toProvision) {
      if (claim.selectedNode !== "" && claim.selectedNode !== node.name) return noVolumes;
      if (!topologyAllows(claim.allowedTopologies, node.node.labels)) return noVolumes;
    }
    return SUCCESS;
  }

  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    const unselected = (state.read(podVolumes)?.toProvision ?? []).filter((c) => c.selectedNode === "").map((c) => c.name);
    for (const name of unselected) this.binder.assumeSelectedNode(pod.namespace, name, nodeName);
    state.write(assumedClaims, unselected);
    return SUCCESS;
  }

  unreserve(state: CycleState, pod: PodInfo): void {
    for (const name of state.read(assumedClaims) ?? []) this.binder.revertSelectedNode(pod.namespace, name);
  }

  async preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    const toProvision = state.read(podVolumes)?.toProvision ?? [];
    if (toProvision.length === 0) return SKIP;
    for (const claim of toProvision) {
      if (claim.selectedNode !== nodeName) await this.binder.selectNode(pod.namespace, claim.name, nodeName);
    }
    for (const claim of toProvision) {
      if (!(await this.binder.waitForBound(pod.namespace, claim.name, this.bindTimeoutMs))) {
        return errorStatus(`binding volumes: persistentvolumeclaim "${claim.name}" was not bound in time`);
      }
    }
    return SUCCESS;
  }

  /** The claim's class when it delays binding to the first pod (WaitForFirstConsumer). */
  private delayedBindingClass(claim: PersistentVolumeClaim): StorageClass | undefined {
    const className = claim.spec?.storageClassName ?? "";
    const sc = className === "" ? undefined : this.listers.storageClass(className);
    return sc?.volumeBindingMode === BINDING_WAIT_FOR_FIRST_CONSUMER ? sc : undefined;
  }
}

/** The claims the pod's volumes name, in order. */
export function podClaimNames(pod: PodInfo): string[] {
  const volumes = (pod.object["spec"] as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } | undefined)?.volumes ?? [];
  return volumes.flatMap((v) => (v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []));
}

export const createVolumeBinding = (listers: VolumeListers, binder: ClaimBinder, args?: VolumeBindingArgs): VolumeBinding => new VolumeBinding(listers, binder, args);
