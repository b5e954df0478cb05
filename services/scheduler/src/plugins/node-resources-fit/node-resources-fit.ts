import { StateKey, type CycleState } from "../../framework/cycle-state.js";
import { MAX_NODE_SCORE, type FilterPlugin, type PreFilterPlugin, type ScorePlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo, Resource } from "../../framework/pod-info.js";
import { SUCCESS, unschedulable, type Status } from "../../framework/status.js";

export const NAME = "NodeResourcesFit";

export type ScoringStrategyType = "LeastAllocated" | "MostAllocated";

export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

export interface NodeResourcesFitArgs {
  readonly scoringStrategy?: { readonly type?: ScoringStrategyType; readonly resources?: readonly ResourceSpec[] };
}

export const DEFAULT_RESOURCES: readonly ResourceSpec[] = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];

const preFilterRequests = new StateKey<Resource>(`PreFilter${NAME}`);

/**
 * Filter: the node's allocatable, less what its pods request, must cover the pod's requests (cpu,
 * memory, ephemeral-storage, extended resources) and leave room for one more pod; every shortfall is a
 * reason. Score: LeastAllocated (default, spreads) or MostAllocated (packs), over the configured
 * resources, counting 100m / 200Mi for containers that request nothing.
 */
export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, ScorePlugin {
  readonly name = NAME;
  private readonly scorer: (requested: number, capacity: number) => number;
  private readonly resources: readonly ResourceSpec[];

  constructor(args: NodeResourcesFitArgs = {}) {
    const type = args.scoringStrategy?.type ?? "LeastAllocated";
    if (type !== "LeastAllocated" && type !== "MostAllocated") throw new Error(`${NAME}: unknown scoring strategy ${String(type)}`);
    this.scorer = type === "MostAllocated" ? mostRequestedScore : leastRequestedScore;
    this.resources = args.scoringStrategy?.resources ?? DEFAULT_RESOURCES;
  }

  preFilter(state: CycleState, pod: PodInfo): Status {
    state.write(preFilterRequests, pod.requests);
    return SUCCESS;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const reasons = insufficientResources(state.read(preFilterRequests) ?? pod.requests, node);
    return reasons.length === 0 ? SUCCESS : unschedulable(...reasons);
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    return resourceAllocationScore(this.resources, this.scorer, (name) => {
      const requested = requestedForScore(name, pod, node, false);
      return [requested, allocatableOf(name, node)];
    });
  }
}

/** kube-scheduler's fitsRequest: every resource the node lacks, in its words. */
export function insufficientResources(req: Resource, node: NodeInfo): string[] {
  const reasons: string[] = [];
  const alloc = node.node.allocatable;
  const used = node.requested;
  if (node.pods.size + 1 > node.node.allowedPodNumber) reasons.push("Too many pods");
  if (req.milliCpu > 0 && req.milliCpu > alloc.milliCpu - used.milliCpu) reasons.push("Insufficient cpu");
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) reasons.push("Insufficient memory");
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    reasons.push("Insufficient ephemeral-storage");
  }
  for (const [name, v] of req.scalar) {
    if (v > 0 && v > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.floor((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

export function allocatableOf(name: string, node: NodeInfo): number {
  const a = node.node.allocatable;
  if (name === "cpu") return a.milliCpu;
  if (name === "memory") return a.memory;
  if (name === "ephemeral-storage") return a.ephemeralStorage;
  return a.scalar.get(name) ?? 0;
}

/**
 * The node's requests plus the pod's for one resource. `useRequested` takes the plain requests (as
 * BalancedAllocation does); otherwise cpu and memory count the non-zero defaults.
 */
export function requestedForScore(name: string, pod: PodInfo, node: NodeInfo, useRequested: boolean): number {
  const ofResource = (r: Resource): number =>
    name === "cpu" ? r.milliCpu : name === "memory" ? r.memory : name === "ephemeral-storage" ? r.ephemeralStorage : (r.scalar.get(name) ?? 0);
  if (!useRequested && name === "cpu") return node.nonZeroRequested.milliCpu + pod.nonZeroRequests.milliCpu;
  if (!useRequested && name === "memory") return node.nonZeroRequested.memory + pod.nonZeroRequests.memory;
  return ofResource(node.requested) + ofResource(pod.requests);
}

/** The weighted mean of per-resource scores, skipping resources the node does not have. */
export function resourceAllocationScore(
  resources: readonly ResourceSpec[],
  scorer: (requested: number, capacity: number) => number,
  amounts: (name: string) => [requested: number, allocatable: number],
): number {
  let score = 0;
  let weightSum = 0;
  for (const { name, weight } of resources) {
    const [requested, allocatable] = amounts(name);
    if (allocatable === 0) continue;
    score += scorer(requested, allocatable) * weight;
    weightSum += weight;
  }
  return weightSum === 0 ? 0 : Math.floor(score / weightSum);
}

export const createNodeResourcesFit = (args?: NodeResourcesFitArgs): NodeResourcesFit => new NodeResourcesFit(args);
