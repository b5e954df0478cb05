import type { CycleState } from "../../framework/cycle-state.js";
import { MAX_NODE_SCORE, type ScorePlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo } from "../../framework/pod-info.js";
import { DEFAULT_RESOURCES, allocatableOf, requestedForScore, type ResourceSpec } from "../node-resources-fit/node-resources-fit.js";

export const NAME = "NodeResourcesBalancedAllocation";

export interface BalancedAllocationArgs {
  readonly resources?: readonly ResourceSpec[];
}

/**
 * Favors nodes whose resources would be used in equal shares after placing the pod: the score is
 * (1 − standard deviation of the requested/allocatable fractions) × 100.
 */
export class NodeResourcesBalancedAllocation implements ScorePlugin {
  readonly name = NAME;
  private readonly resources: readonly ResourceSpec[];
  /** Reused for every node: scoring allocates nothing. */
  private readonly fractions: Float64Array;

  constructor(args: BalancedAllocationArgs = {}) {
    this.resources = args.resources ?? DEFAULT_RESOURCES;
    this.fractions = new Float64Array(this.resources.length);
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    let n = 0;
    for (const { name } of this.resources) {
      const allocatable = allocatableOf(name, node);
      if (allocatable === 0) continue;
      this.fractions[n++] = Math.min(requestedForScore(name, pod, node, true) / allocatable, 1);
    }
    return balancedScore(this.fractions, n);
  }
}

/** The score for the first `n` fractions (all by default). */
export function balancedScore(fractions: ArrayLike<number>, n = fractions.length): number {
  let std = 0;
  if (n === 2) std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  else if (n > 2) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += fractions[i]!;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (fractions[i]! - mean) ** 2;
    std = Math.sqrt(variance / n);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export const createNodeResourcesBalancedAllocation = (args?: BalancedAllocationArgs): NodeResourcesBalancedAllocation =>
  new NodeResourcesBalancedAllocation(args);
