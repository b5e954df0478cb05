import { CycleState, StateKey } from "../../framework/cycle-state.js";
import { defaultNormalizeScore, type FilterPlugin, type NodeScore, type PreScorePlugin, type ScorePlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo, Taint, Toleration } from "../../framework/pod-info.js";
import { SUCCESS, unresolvable, type Status } from "../../framework/status.js";

export const NAME = "TaintToleration";

const preferNoScheduleTolerations = new StateKey<readonly Toleration[]>(`${NAME}/prescore`);

/**
 * Filter: the node must carry no NoSchedule or NoExecute taint the pod does not tolerate.
 * Score: fewer untolerated PreferNoSchedule taints is better (normalized in reverse).
 */
export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const taint = findUntoleratedTaint(node.node.taints, pod.tolerations, (t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    return taint ? unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value}}`) : SUCCESS;
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    state.write(preferNoScheduleTolerations, pod.tolerations.filter((t) => !t.effect || t.effect === "PreferNoSchedule"));
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const tolerations = state.read(preferNoScheduleTolerations) ?? pod.tolerations;
    return countIntolerableTaintsPreferNoSchedule(node.node.taints, tolerations);
  }

  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, true);
  }
}

/** Kubernetes' Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "") {
    case "":
    case "Equal":
      return (t.value ?? "") === taint.value;
    case "Exists":
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  applies: (t: Taint) => boolean,
): Taint | undefined {
  return taints.find((t) => applies(t) && !tolerationsTolerateTaint(tolerations, t));
}

export function countIntolerableTaintsPreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  let n = 0;
  for (const t of taints) if (t.effect === "PreferNoSchedule" && !tolerationsTolerateTaint(tolerations, t)) n++;
  return n;
}

export const createTaintToleration = (): TaintToleration => new TaintToleration();
