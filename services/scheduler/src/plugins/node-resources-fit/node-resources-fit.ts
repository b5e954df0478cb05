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
    const req = state.read(preFilterRequests) ?? pod.requests;
    const shortOf = insufficientScalarResources(req, node);
    if (shortOf === 0 && req.scalar.size === 0) return SUCCESS;
    const extended = req.scalar.size === 0 ? [] : insufficientExtendedResources(req, node);
    if (extended.length > 0) return unschedulable(...scalarReasons(shortOf), ...extended);
    return shortOf === 0 ? SUCCESS : scalarStatus(shortOf);
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    let score = 0;
    let weightSum = 0;
    for (const { name, weight } of this.resources) {
      const allocatable = allocatableOf(name, node);
      if (allocatable === 0) continue;
      score += this.scorer(requestedForScore(name, pod, node, false), allocatable) * weight;
      weightSum += weight;
    }
    return weightSum === 0 ? 0 : Math.floor(score / weightSum);
  }
}

/** The shortfalls of kube-scheduler's fitsRequest that every node has, as bits: a rejection allocates nothing. */
const TOO_MANY_PODS = 1;
const CPU = 2;
const MEMORY = 4;
const EPHEMERAL_STORAGE = 8;
const SCALAR_REASONS: readonly [number, string][] = [
  [TOO_MANY_PODS, "Too many pods"],
  [CPU, "Insufficient cpu"],
  [MEMORY, "Insufficient memory"],
  [EPHEMERAL_STORAGE, "Insufficient ephemeral-storage"],
];
const scalarReasons = (shortOf: number): string[] => SCALAR_REASONS.filter(([bit]) => shortOf & bit).map(([, reason]) => reason);
const statusByShortfall: Status[] = [];
const scalarStatus = (shortOf: number): Status => (statusByShortfall[shortOf] ??= unschedulable(...scalarReasons(shortOf)));

function insufficientScalarResources(req: Resource, node: NodeInfo): number {
  const alloc = node.node.allocatable;
  const used = node.requested;
  let shortOf = 0;
  if (node.pods.size + 1 > node.node.allowedPodNumber) shortOf |= TOO_MANY_PODS;
  if (req.milliCpu > 0 && req.milliCpu > alloc.milliCpu - used.milliCpu) shortOf |= CPU;
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) shortOf |= MEMORY;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) shortOf |= EPHEMERAL_STORAGE;
  return shortOf;
}

function insufficientExtendedResources(req: Resource, node: NodeInfo): string[] {
  const alloc = node.node.allocatable;
  const used = node.requested;
  const reasons: string[] = [];
  for (const [name, v] of req.scalar) {
    if (v > 0 && v > (alloc.scalar.get(name) ?? 0) - (used.scalar.get(name) ?? 0)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/** kube-scheduler's fitsRequest: every resource the node lacks, in its words. */
export function insufficientResources(req: Resource, node: NodeInfo): string[] {
  return [...scalarReasons(insufficientScalarResources(req, node)), ...insufficientExtendedResources(req, node)];
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
  return amountOf(name, node.node.allocatable);
}

/**
 * The node's requests plus the pod's for one resource. `useRequested` takes the plain requests (as
 * BalancedAllocation does); otherwise cpu and memory count the non-zero defaults.
 */
export function requestedForScore(name: string, pod: PodInfo, node: NodeInfo, useRequested: boolean): number {
  if (!useRequested && name === "cpu") return node.nonZeroRequested.milliCpu + pod.nonZeroRequests.milliCpu;
  if (!useRequested && name === "memory") return node.nonZeroRequested.memory + pod.nonZeroRequests.memory;
  return amountOf(name, node.requested) + amountOf(name, pod.requests);
}

function amountOf(name: string, r: Resource): number {
  if (name === "cpu") return r.milliCpu;
  if (name === "memory") return r.memory;
  if (name === "ephemeral-storage") return r.ephemeralStorage;
  return r.scalar.get(name) ?? 0;
}

export const createNodeResourcesFit = (args?: NodeResourcesFitArgs): NodeResourcesFit => new NodeResourcesFit(args);
