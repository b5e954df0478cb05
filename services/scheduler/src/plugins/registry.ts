/**
 * The in-tree plugins by name, and the default profile: kube-scheduler's default plugins (in its order,
 * with its score weights) for those that exist here.
 */
import type { PluginFactory, PluginRef } from "../framework/profile.js";
import { createDefaultPreemption, NAME as DefaultPreemption, type PreemptionHandle } from "./default-preemption/default-preemption.js";
import { createDefaultBinder, NAME as DefaultBinder, type BindFn } from "./default-binder/default-binder.js";
import { createImageLocality, NAME as ImageLocality } from "./image-locality/image-locality.js";
import { createInterPodAffinity, NAME as InterPodAffinity } from "./inter-pod-affinity/inter-pod-affinity.js";
import { createNodeAffinity, NAME as NodeAffinity } from "./node-affinity/node-affinity.js";
import { createNodeName, NAME as NodeName } from "./node-name/node-name.js";
import { createNodePorts, NAME as NodePorts } from "./node-ports/node-ports.js";
import { createNodeReady, NAME as NodeReady } from "./node-ready/node-ready.js";
import {
  createNodeResourcesBalancedAllocation,
  NAME as NodeResourcesBalancedAllocation,
  type BalancedAllocationArgs,
} from "./node-resources-balanced-allocation/node-resources-balanced-allocation.js";
import { createNodeResourcesFit, NAME as NodeResourcesFit, type NodeResourcesFitArgs } from "./node-resources-fit/node-resources-fit.js";
import { createNodeUnschedulable, NAME as NodeUnschedulable } from "./node-unschedulable/node-unschedulable.js";
import { createPodTopologySpread, NAME as PodTopologySpread } from "./pod-topology-spread/pod-topology-spread.js";
import { createPrioritySort, NAME as PrioritySort } from "./priority-sort/priority-sort.js";
import { createTaintToleration, NAME as TaintToleration } from "./taint-toleration/taint-toleration.js";
import { createVolumeBinding, NAME as VolumeBinding, type ClaimBinder, type VolumeBindingArgs, type VolumeListers } from "./volume-binding/volume-binding.js";

/** What plugins may ask of the scheduler that runs them (one per profile: runFilter is that profile's). */
export interface Handle extends PreemptionHandle {
  readonly bindPod: BindFn;
  /** Nodes in the current snapshot (ImageLocality scales by it). */
  readonly nodeCount: () => number;
  /** Claims, volumes and classes (VolumeBinding reads them). */
  readonly volumes: VolumeListers;
  /** What VolumeBinding's PreBind writes and waits for. */
  readonly claimBinder: ClaimBinder;
}

export const registry: ReadonlyMap<string, PluginFactory<Handle>> = new Map<string, PluginFactory<Handle>>([
  [PrioritySort, () => createPrioritySort()],
  [NodeReady, () => createNodeReady()],
  [NodeUnschedulable, () => createNodeUnschedulable()],
  [NodeName, () => createNodeName()],
  [TaintToleration, () => createTaintToleration()],
  [NodeAffinity, () => createNodeAffinity()],
  [NodePorts, () => createNodePorts()],
  [NodeResourcesFit, (args) => createNodeResourcesFit((args ?? {}) as NodeResourcesFitArgs)],
  [NodeResourcesBalancedAllocation, (args) => createNodeResourcesBalancedAllocation((args ?? {}) as BalancedAllocationArgs)],
  [VolumeBinding, (args, handle) => createVolumeBinding(handle.volumes, handle.claimBinder, (args ?? {}) as VolumeBindingArgs)],
  [PodTopologySpread, () => createPodTopologySpread()],
  [InterPodAffinity, () => createInterPodAffinity()],
  [ImageLocality, (_args, handle) => createImageLocality(handle.nodeCount)],
  [DefaultPreemption, (_args, handle) => createDefaultPreemption(handle)],
  [DefaultBinder, (_args, handle) => createDefaultBinder(handle.bindPod)],
]);

export const DEFAULT_PLUGINS: readonly PluginRef[] = [
  { name: PrioritySort },
  { name: NodeReady },
  { name: NodeUnschedulable },
  { name: NodeName },
  { name: TaintToleration, weight: 3 },
  { name: NodeAffinity, weight: 2 },
  { name: NodePorts },
  { name: NodeResourcesFit, weight: 1 },
  { name: VolumeBinding },
  { name: PodTopologySpread, weight: 2 },
  { name: InterPodAffinity, weight: 2 },
  { name: DefaultPreemption },
  { name: NodeResourcesBalancedAllocation, weight: 1 },
  { name: ImageLocality, weight: 1 },
  { name: DefaultBinder },
];
