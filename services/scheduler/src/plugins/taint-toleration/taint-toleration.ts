import { CycleState, StateKey } from "../../framework/cycle-state.js";
import { defaultNormalizeScore, type FilterPlugin, type NodeScore, type PreScorePlugin, type ScorePlugin } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo, Taint, Toleration } from "../../framework/pod-info.js";
import { SUCCESS, unresolvable, type Status } from "../../framework/status.js";

export const NAME = "TaintToleration";

const preferNoScheduleTolerations = new StateKey<readonly Toleration[]>(`${NAME}/prescore`);

export const isNoScheduleOrNoExecute = (t: Taint): boolean => t.effect === "NoSchedule" || t.effect === "NoExecute";

/** One status per node taint, built on first rejection: the filter runs per node and allocates nothing. */
const rejections = new WeakMap<Taint, Status>();
function rejectedFor(taint: Taint): Status {
  let s = rejections.get(taint);
  if (!s) rejections.set(taint, (s = unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value}}`)));
  return s;
}

/**
 * Filter: the node must carry no NoSchedule or NoExecute taint the pod does not tolerate.
 * Score: fewer untolerated PreferNoSchedule taints is better (normalized in reverse).
 */
export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const taints = node.node.taints;
    if (taints.length === 0) return SUCCESS;
    const taint = findUntoleratedTaint(taints, pod.tolerations, isNoScheduleOrNoExecute);
    return taint ? rejectedFor(taint) : SUCCESS;
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
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  applies: (t: Taint) => boolean,
): Taint | undefined {
  for (const t of taints) if (applies(t) && !tolerationsTolerateTaint(tolerations, t)) return t;
  return undefined;
}

export function countIntolerableTaintsPreferNoSchedule(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  let n = 0;
  for (const t of taints) if (t.effect === "PreferNoSchedule" && !tolerationsTolerateTaint(tolerations, t)) n++;
  return n;
}

export const createTaintToleration = (): TaintToleration => new TaintToleration();
