/**
 * One scheduling attempt for one pod over a snapshot, after kube-scheduler's schedulePod: PreFilter,
 * Filter over a sample of the nodes, PostFilter when none fits, then PreScore, Score and a pick among
 * the best. It decides; reserving, assuming and binding are the caller's.
 */
import { CycleState } from "./cycle-state.js";
import { allNodesKey, type Framework } from "./framework.js";
import type { NodeInfo } from "./node-info.js";
import type { PodInfo } from "./pod-info.js";
import { snapshotKey, type Snapshot } from "./snapshot.js";
import { isSuccess, type Status } from "./status.js";

export interface ScheduleResult {
  readonly nodeName: string;
  /** How many nodes Filter looked at, and how many of them fit. */
  readonly evaluatedNodes: number;
  readonly feasibleNodes: number;
  readonly state: CycleState;
}

export interface Diagnosis {
  /** Why each rejected node was rejected. */
  readonly nodeToStatus: ReadonlyMap<string, Status>;
  readonly unschedulablePlugins: ReadonlySet<string>;
  readonly preFilterMsg?: string;
  readonly postFilterMsg?: string;
}

/** No node can run the pod: an expected outcome, returned (not thrown). */
export class FitError {
  constructor(
    readonly pod: PodInfo,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
    /** Where PostFilter (preemption) made room for the pod; "" clears the nomination, undefined keeps it. */
    readonly nominatedNodeName?: string,
  ) {}

  /**
   * kube-scheduler's wording: `0/5 nodes are available: 2 Insufficient cpu, 3 node(s) were unschedulable.`
   * Each reason is counted over the nodes, and the "count reason" strings are sorted as strings (so
   * "2 node(s) had untolerated taint {k: v}" comes before "3 Insufficient cpu", as in kube-scheduler).
   */
  get message(): string {
    if (this.numAllNodes === 0) return "no nodes available to schedule pods";
    let msg = `0/${this.numAllNodes} nodes are available:`;
    const { preFilterMsg, postFilterMsg } = this.diagnosis;
    if (preFilterMsg) msg += ` ${preFilterMsg}.`;
    else {
      const counts = new Map<string, number>();
      for (const s of this.diagnosis.nodeToStatus.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
      const histogram = [...counts].map(([reason, n]) => `${n} ${reason}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (histogram.length > 0) msg += ` ${histogram.join(", ")}.`;
    }
    // A nested FitError message (preemption's) already ends with a period.
    if (postFilterMsg) msg += ` ${postFilterMsg}${postFilterMsg.endsWith(".") ? "" : "."}`;
    return msg;
  }
}

/** kube-scheduler's bounds for sampling: always look at 100 nodes, and at least 5% of a large cluster. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes to find before Filter stops. `percentage` 0 (the default) is adaptive:
 * 50% of the nodes, less 1% per 125 nodes, never under 5%; small clusters are always searched in full.
 */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAllNodes;
  let p = percentage;
  if (p <= 0) p = Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
  const n = Math.trunc((numAllNodes * p) / 100);
  return Math.max(n, MIN_FEASIBLE_NODES_TO_FIND);
}

export interface PodSchedulerOptions {
  /** 0 for the adaptive default; otherwise 1..100. */
  readonly percentageOfNodesToScore: number;
  /** In [0, 1); breaks ties between the best nodes. */
  readonly random?: () => number;
}

/**
 * The nodes Filter rejected in one attempt, with why, in the order it met them: two arrays reused from
 * attempt to attempt, since a successful attempt (the common case) never reads them.
 */
class Rejections {
  private readonly nodes: NodeInfo[] = [];
  private readonly statuses: Status[] = [];
  size = 0;

  clear(): void {
    this.size = 0;
  }

  add(node: NodeInfo, status: Status): void {
    this.nodes[this.size] = node;
    this.statuses[this.size] = status;
    this.size++;
  }

  *entries(): Generator<{ node: NodeInfo; status: Status }> {
    for (let i = 0; i < this.size; i++) yield { node: this.nodes[i]!, status: this.statuses[i]! };
  }
}

/** Holds what persists between attempts: where the next Filter pass starts, so sampling rotates. */
export class PodScheduler {
  private nextStartNodeIndex = 0;
  private readonly rejected = new Rejections();
  private readonly random: () => number;

  constructor(
    readonly framework: Framework,
    private readonly opts: PodSchedulerOptions,
  ) {
    this.random = opts.random ?? Math.random;
  }

  scheduleOne(pod: PodInfo, snapshot: Snapshot): ScheduleResult | FitError {
    const state = new CycleState();
    const nodes = snapshot.nodes;
    const fwk = this.framework;
    const nodeToStatus = new Map<string, Status>();
    const unschedulablePlugins = new Set<string>();
    if (nodes.length === 0) return new FitError(pod, 0, { nodeToStatus, unschedulablePlugins });
    state.write(allNodesKey, nodes);
    state.write(snapshotKey, snapshot);

    const pre = fwk.runPreFilter(state, pod, nodes);
    if (!isSuccess(pre)) {
      for (const n of nodes) nodeToStatus.set(n.name, pre);
      if (pre.plugin) unschedulablePlugins.add(pre.plugin);
      return new FitError(pod, nodes.length, { nodeToStatus, unschedulablePlugins, preFilterMsg: pre.reasons.join(", ") });
    }

    const feasible = this.findNodesThatPassFilters(state, pod, nodes);
    const rejected = this.rejected;
    if (feasible.length === 0) {
      for (const { node, status } of rejected.entries()) {
        nodeToStatus.set(node.name, status);
        if (status.plugin) unschedulablePlugins.add(status.plugin);
      }
      const post = fwk.runPostFilter(state, pod, nodeToStatus);
      const postFilterMsg = isSuccess(post.status) ? undefined : post.status.reasons.join(", ");
      return new FitError(
        pod,
        nodes.length,
        { nodeToStatus, unschedulablePlugins, ...(postFilterMsg ? { postFilterMsg } : {}) },
        post.nominatedNodeName,
      );
    }
    const evaluatedNodes = feasible.length + rejected.size;
    if (feasible.length === 1) return { nodeName: feasible[0]!.name, evaluatedNodes, feasibleNodes: 1, state };

    const preScore = fwk.runPreScore(state, pod, feasible);
    if (!isSuccess(preScore)) throw new Error(`prescore plugin ${preScore.plugin ?? ""}: ${preScore.reasons.join(", ")}`);
    const scores = fwk.runScore(state, pod, feasible);
    return { nodeName: this.selectHost(scores), evaluatedNodes, feasibleNodes: feasible.length, state };
  }

  /**
   * Filter from where the last pass stopped, until enough nodes fit or every node was looked at. The
   * rejections are kept in `rejected`; the diagnosis is built from them only when no node fits.
   */
  private findNodesThatPassFilters(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): NodeInfo[] {
    const n = nodes.length;
    const want = numFeasibleNodesToFind(this.opts.percentageOfNodesToScore, n);
    const feasible: NodeInfo[] = [];
    this.rejected.clear();
    let processed = 0;
    for (; processed < n && feasible.length < want; processed++) {
      const node = nodes[(this.nextStartNodeIndex + processed) % n]!;
      const s = this.framework.runFilterWithNominatedPods(state, pod, node);
      if (s.code === "Success") feasible.push(node);
      else if (s.code === "Error") throw new Error(`filter plugin ${s.plugin ?? ""} on node ${node.name}: ${s.reasons.join(", ")}`);
      else this.rejected.add(node, s);
    }
    this.nextStartNodeIndex = n === 0 ? 0 : (this.nextStartNodeIndex + processed) % n;
    return feasible;
  }

  /** The highest total; among equals, each is equally likely (reservoir sampling, as kube-scheduler). */
  private selectHost(scores: readonly { name: string; score: number }[]): string {
    let best = scores[0]!;
    let ties = 1;
    for (let i = 1; i < scores.length; i++) {
      const s = scores[i]!;
      if (s.score > best.score) {
        best = s;
        ties = 1;
      } else if (s.score === best.score) {
        ties++;
        if (Math.floor(this.random() * ties) === 0) best = s;
      }
    }
    return best.name;
  }
}
