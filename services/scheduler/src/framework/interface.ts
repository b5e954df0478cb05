/**
 * One interface per extension point of the scheduling framework, in the order a pod meets them.
 * A plugin implements the points it needs; `Profile` decides which plugins run and with what weight.
 */
import type { CycleState } from "./cycle-state.js";
import type { NodeInfo } from "./node-info.js";
import type { PodInfo } from "./pod-info.js";
import type { Status } from "./status.js";

export const MAX_NODE_SCORE = 100;

export interface Plugin {
  readonly name: string;
}

/** Orders the pods waiting to be scheduled: `less(a, b)` puts a first. */
export interface QueueSortPlugin extends Plugin {
  less(a: PodInfo, b: PodInfo): boolean;
}

/** Computes what Filter and Score will read, once per attempt. `Skip` leaves the plugin's Filter out. */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status;
}

/** Can this node run the pod? */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

/**
 * Runs when no node passed Filter, e.g. to preempt; may nominate a node. kube-scheduler's nominating
 * modes: a node name nominates it, "" clears the pod's nomination, undefined leaves it as it is.
 */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, filtered: ReadonlyMap<string, Status>): { status: Status; nominatedNodeName?: string };
}

/** Prepares scoring over the feasible nodes. `Skip` leaves the plugin's Score out. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status;
}

/** Mutable so runScore can reuse one list for every plugin instead of allocating per node. */
export interface NodeScore {
  name: string;
  score: number;
}

/** Ranks a feasible node, 0..MAX_NODE_SCORE after NormalizeScore; the profile's weight multiplies it. */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rescales all nodes' raw scores into 0..MAX_NODE_SCORE (kube-scheduler's ScoreExtensions). */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): void;
}

/** Claims or releases what the pod will use on the chosen node (volumes, in Kubernetes). */
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** Approves or denies the binding (Wait, for gang scheduling, is not supported yet: it denies). */
export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: PodInfo, nodeName: string): Status;
}

/**
 * Readies what the binding needs before it is written (kube-scheduler's PreBind: VolumeBinding has the
 * pod's claims provisioned on the node and waits for them to bind). Any status but Success stops the bind.
 */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

/** Binds the pod to the node. `Skip` passes it to the next binder. */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

export const isQueueSort = (p: Plugin): p is QueueSortPlugin => typeof (p as Partial<QueueSortPlugin>).less === "function";
export const isPreFilter = (p: Plugin): p is PreFilterPlugin => typeof (p as Partial<PreFilterPlugin>).preFilter === "function";
export const isFilter = (p: Plugin): p is FilterPlugin => typeof (p as Partial<FilterPlugin>).filter === "function";
export const isPostFilter = (p: Plugin): p is PostFilterPlugin => typeof (p as Partial<PostFilterPlugin>).postFilter === "function";
export const isPreScore = (p: Plugin): p is PreScorePlugin => typeof (p as Partial<PreScorePlugin>).preScore === "function";
export const isScore = (p: Plugin): p is ScorePlugin => typeof (p as Partial<ScorePlugin>).score === "function";
export const isReserve = (p: Plugin): p is ReservePlugin => typeof (p as Partial<ReservePlugin>).reserve === "function";
export const isPermit = (p: Plugin): p is PermitPlugin => typeof (p as Partial<PermitPlugin>).permit === "function";
export const isPreBind = (p: Plugin): p is PreBindPlugin => typeof (p as Partial<PreBindPlugin>).preBind === "function";
export const isBind = (p: Plugin): p is BindPlugin => typeof (p as Partial<BindPlugin>).bind === "function";

/** kube-scheduler's helper.DefaultNormalizeScore: scale to the highest, optionally reversed. */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean, max = MAX_NODE_SCORE): void {
  let highest = 0;
  for (const s of scores) if (s.score > highest) highest = s.score;
  if (highest === 0) {
    if (reverse) for (const s of scores) s.score = max;
    return;
  }
  for (const s of scores) {
    const scaled = Math.floor((max * s.score) / highest);
    s.score = reverse ? max - scaled : scaled;
  }
}
