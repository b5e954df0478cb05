/**
 * Runs a profile's plugins at each extension point, in the order the profile lists them. Which plugins
 * and weights come from `Profile`; what to do with the outcome is `scheduleOne`'s and the scheduler's.
 */
import { CycleState, StateKey } from "./cycle-state.js";
import {
  MAX_NODE_SCORE,
  type BindPlugin,
  type FilterPlugin,
  type NodeScore,
  type PermitPlugin,
  type PostFilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
} from "./interface.js";
import type { NodeInfo } from "./node-info.js";
import type { PodInfo } from "./pod-info.js";
import { SKIP, SUCCESS, errorStatus, isSuccess, withPlugin, type Status } from "./status.js";

export interface WeightedScorePlugin {
  readonly plugin: ScorePlugin;
  readonly weight: number;
}

/** The plugins of one profile, per extension point, in run order. */
export interface FrameworkPlugins {
  readonly queueSort?: QueueSortPlugin;
  readonly preFilter: readonly PreFilterPlugin[];
  readonly filter: readonly FilterPlugin[];
  readonly postFilter: readonly PostFilterPlugin[];
  readonly preScore: readonly PreScorePlugin[];
  readonly score: readonly WeightedScorePlugin[];
  readonly reserve: readonly ReservePlugin[];
  readonly permit: readonly PermitPlugin[];
  readonly bind: readonly BindPlugin[];
}

/** Plugins whose PreFilter / PreScore said Skip, so their Filter / Score is left out this attempt. */
const skipFilter = new StateKey<ReadonlySet<string>>("framework/skip-filter");
const skipScore = new StateKey<ReadonlySet<string>>("framework/skip-score");

/** Every node of the attempt's snapshot, for plugins that count beyond the feasible nodes at PreScore. */
export const allNodesKey = new StateKey<readonly NodeInfo[]>("framework/all-nodes");

export class Framework {
  constructor(
    readonly schedulerName: string,
    readonly plugins: FrameworkPlugins,
  ) {}

  /** Whether pod a should be tried before pod b (queue order; FIFO without a QueueSort plugin). */
  less(a: PodInfo, b: PodInfo): boolean {
    return this.plugins.queueSort?.less(a, b) ?? false;
  }

  /** The first rejection wins; it applies to every node. */
  runPreFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    const skipped = new Set<string>();
    for (const p of this.plugins.preFilter) {
      const s = p.preFilter(state, pod, nodes);
      if (s.code === "Skip") skipped.add(p.name);
      else if (!isSuccess(s)) return withPlugin(s, p.name);
    }
    state.write(skipFilter, skipped);
    return SUCCESS;
  }

  /** The first plugin that rejects the node decides; the rest do not run. */
  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const skipped = state.read(skipFilter);
    for (const p of this.plugins.filter) {
      if (skipped?.has(p.name)) continue;
      const s = p.filter(state, pod, node);
      if (!isSuccess(s)) return withPlugin(s, p.name);
    }
    return SUCCESS;
  }

  runPostFilter(state: CycleState, pod: PodInfo, filtered: ReadonlyMap<string, Status>): { status: Status; nominatedNodeName?: string } {
    let last: Status = { code: "Unschedulable", reasons: [] };
    for (const p of this.plugins.postFilter) {
      const r = p.postFilter(state, pod, filtered);
      if (isSuccess(r.status) || r.status.code === "Error") return { ...r, status: withPlugin(r.status, p.name) };
      last = withPlugin(r.status, p.name);
    }
    return { status: last };
  }

  runPreScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    const skipped = new Set<string>();
    for (const p of this.plugins.preScore) {
      const s = p.preScore(state, pod, nodes);
      if (s.code === "Skip") skipped.add(p.name);
      else if (!isSuccess(s)) return withPlugin(s, p.name);
    }
    state.write(skipScore, skipped);
    return SUCCESS;
  }

  /** Each plugin scores every node, normalizes, and adds score × weight to the node's total. */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): NodeScore[] {
    const totals: NodeScore[] = nodes.map((n) => ({ name: n.name, score: 0 }));
    const skipped = state.read(skipScore);
    for (const { plugin, weight } of this.plugins.score) {
      if (skipped?.has(plugin.name)) continue;
      const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i]!.score;
        if (s < 0 || s > MAX_NODE_SCORE) throw new Error(`plugin ${plugin.name} scored node ${scores[i]!.name} ${s}, outside 0..${MAX_NODE_SCORE}`);
        totals[i]!.score += s * weight;
      }
    }
    return totals;
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.plugins.reserve) {
      const s = p.reserve(state, pod, nodeName);
      if (!isSuccess(s)) return withPlugin(s, p.name);
    }
    return SUCCESS;
  }

  /** In reverse order, as kube-scheduler does, so each plugin undoes after those reserved later. */
  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const p of [...this.plugins.reserve].reverse()) p.unreserve(state, pod, nodeName);
  }

  runPermit(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.plugins.permit) {
      const s = p.permit(state, pod, nodeName);
      if (s.code === "Wait") return withPlugin({ code: "Unschedulable", reasons: ["waiting on permit is not supported"] }, p.name);
      if (!isSuccess(s)) return withPlugin(s, p.name);
    }
    return SUCCESS;
  }

  /** The first binder that does not Skip binds. */
  async runBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.plugins.bind) {
      const s = await p.bind(state, pod, nodeName);
      if (s.code !== SKIP.code) return withPlugin(s, p.name);
    }
    return errorStatus("no bind plugin bound the pod");
  }
}

export { CycleState };
