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

  constructor(args: BalancedAllocationArgs = {}) {
    this.resources = args.resources ?? DEFAULT_RESOURCES;
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const fractions: number[] = [];
    for (const { name } of this.resources) {
      const allocatable = allocatableOf(name, node);
      if (allocatable === 0) continue;
      fractions.push(Math.min(requestedForScore(name, pod, node, true) / allocatable, 1));
    }
    return balancedScore(fractions);
  }
}

export function balancedScore(fractions: readonly number[]): number {
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    const variance = fractions.reduce((a, f) => a + (f - mean) ** 2, 0);
    std = Math.sqrt(variance / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export const createNodeResourcesBalancedAllocation = (args?: BalancedAllocationArgs): NodeResourcesBalancedAllocation =>
  new NodeResourcesBalancedAllocation(args);
