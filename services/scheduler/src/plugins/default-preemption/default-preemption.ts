import type { CycleState } from "../../framework/cycle-state.js";
import { allNodesKey } from "../../framework/framework.js";
import type { PostFilterPlugin } from "../../framework/interface.js";
import { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo } from "../../framework/pod-info.js";
import { FitError } from "../../framework/schedule-one.js";
import { SUCCESS, isSuccess, unresolvable, unschedulable, type Status } from "../../framework/status.js";
import type { PodNominator } from "../../queue/nominator.js";

export const NAME = "DefaultPreemption";

/**
 * What preemption needs from the scheduler: the profile's filters (with nominated pods, as
 * kube-scheduler's RunFilterPluginsWithNominatedPods), the nominations, and a way to evict a victim.
 */
export interface PreemptionHandle {
  readonly runFilter: (state: CycleState, pod: PodInfo, node: NodeInfo) => Status;
  readonly nominator: PodNominator;
  readonly evictPod: (victim: PodInfo, preemptor: PodInfo, nodeName: string) => void;
  /** Told of each preemption attempt, with the victims it evicted (none when it found no candidate). */
  readonly preempted?: (victims: number) => void;
}

export interface Candidate {
  readonly nodeName: string;
  readonly victims: readonly PodInfo[];
}

/**
 * When no node fits, finds a node where evicting lower-priority pods would let the pod in, evicts the
 * fewest and least important such pods, and nominates the node; the pod is tried again once they are
 * gone. The scheduler records the nomination (its nominator and status.nominatedNodeName), which keeps
 * pods of lower priority off the freed room. Simplified from kube-scheduler: no PodDisruptionBudgets;
 * lower-priority pods nominated to the chosen node keep their nomination; and PreFilter state (topology
 * spread, pod affinity counts) is not updated for the removed pods.
 */
export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;

  constructor(private readonly handle: PreemptionHandle) {}

  postFilter(state: CycleState, pod: PodInfo, filtered: ReadonlyMap<string, Status>): { status: Status; nominatedNodeName?: string } {
    const nodes = state.read(allNodesKey) ?? [];
    const notEligible = this.notEligibleReason(pod, nodes);
    // Not eligible keeps the pod's nomination (its victims may still be terminating); no candidate clears it.
    if (notEligible) return { status: unschedulable(`preemption: ${notEligible}`) };
    // Counted past the eligibility check, where kube-scheduler's preemption begins its work.

    const statuses = new Map<string, Status>();
    const candidates: Candidate[] = [];
    for (const node of nodes) {
      const rejected = filtered.get(node.name);
      if (!rejected) continue;
      if (rejected.code === "UnschedulableAndUnresolvable") {
        statuses.set(node.name, unresolvable("Preemption is not helpful for scheduling"));
        continue;
      }
      const r = this.selectVictimsOnNode(state, pod, node);
      if ("status" in r) statuses.set(node.name, r.status);
      else if (r.victims.length > 0) candidates.push({ nodeName: node.name, victims: r.victims });
    }
    const best = pickOneNodeForPreemption(candidates);
    this.handle.preempted?.(best?.victims.length ?? 0);
    if (!best) {
      const fit = new FitError(pod, statuses.size, { nodeToStatus: statuses, unschedulablePlugins: new Set() });
      return { status: unschedulable(`preemption: ${fit.message}`), nominatedNodeName: "" };
    }
    for (const victim of best.victims) this.handle.evictPod(victim, pod, best.nodeName);
    return { status: SUCCESS, nominatedNodeName: best.nodeName };
  }

  /** Kubernetes' PodEligibleToPreemptOthers. */
  private notEligibleReason(pod: PodInfo, nodes: readonly NodeInfo[]): string | undefined {
    if (pod.preemptionPolicy === "Never") return "not eligible due to preemptionPolicy=Never.";
    const nominated = this.handle.nominator.nominatedNodeOf(pod.key);
    const node = nominated === undefined ? undefined : nodes.find((n) => n.name === nominated);
    if (node && [...node.pods.values()].some((p) => p.terminating && p.priority < pod.priority)) {
      return "not eligible due to a terminating pod on the nominated node.";
    }
    return undefined;
  }

  /**
   * Removes every lower-priority pod; if the pod then fits, adds them back most important first,
   * keeping as victims only those that must go.
   */
  private selectVictimsOnNode(state: CycleState, pod: PodInfo, node: NodeInfo): { victims: PodInfo[] } | { status: Status } {
    const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority).sort((a, b) => (moreImportant(a, b) ? -1 : 1));
    // Nothing to remove: the node is as Filter saw it.
    if (lower.length === 0) return { status: unresolvable("No preemption victims found for incoming pod") };
    const trial = new NodeInfo(node.node);
    for (const p of node.pods.values()) if (p.priority >= pod.priority) trial.addPod(p);
    const fits = this.handle.runFilter(state, pod, trial);
    if (!isSuccess(fits)) return { status: fits };
    const victims: PodInfo[] = [];
    for (const p of lower) {
      trial.addPod(p);
      if (!isSuccess(this.handle.runFilter(state, pod, trial))) {
        trial.removePod(p.key);
        victims.push(p);
      }
    }
    return { victims };
  }
}

/** Higher priority, then the older pod, is more important (kept first). */
function moreImportant(a: PodInfo, b: PodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return a.creationTimestamp < b.creationTimestamp;
}

/**
 * kube-scheduler's order, less PodDisruptionBudgets and start times: the lowest highest-priority
 * victim, then the lowest sum of priorities, then the fewest victims, then the first node.
 */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  const offset = 2 ** 31; // as kube-scheduler, so that negative priorities still add up to more victims costing more
  const key = (c: Candidate) => [
    Math.max(...c.victims.map((v) => v.priority)),
    c.victims.reduce((sum, v) => sum + v.priority + offset, 0),
    c.victims.length,
  ];
  let best: Candidate | undefined;
  let bestKey: number[] = [];
  for (const c of candidates) {
    const k = key(c);
    if (!best || lexicographicLess(k, bestKey)) {
      best = c;
      bestKey = k;
    }
  }
  return best;
}

function lexicographicLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

export const createDefaultPreemption = (handle: PreemptionHandle): DefaultPreemption => new DefaultPreemption(handle);
