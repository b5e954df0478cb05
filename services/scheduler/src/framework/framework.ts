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
  type PreBindPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScorePlugin,
} from "./interface.js";
import type { PodNominator } from "../queue/nominator.js";
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
  readonly preBind: readonly PreBindPlugin[];
  readonly bind: readonly BindPlugin[];
}

/**
 * The Filter and Score plugins this attempt runs: those whose PreFilter / PreScore said Skip are left
 * out once, so the per-node loops do no lookups.
 */
const activeFilters = new StateKey<readonly FilterPlugin[]>("framework/active-filters");
const activeScores = new StateKey<readonly WeightedScorePlugin[]>("framework/active-scores");

/** Every node of the attempt's snapshot, for plugins that count beyond the feasible nodes at PreScore. */
export const allNodesKey = new StateKey<readonly NodeInfo[]>("framework/all-nodes");

export class Framework {
  /** Each plugin's rejections tagged with its name, built once per distinct status (plugins reuse theirs). */
  private readonly tagged = new WeakMap<Status, Status>();
  /** Reused by runScore for each plugin's raw scores: no allocation per node and plugin. */
  private readonly scratch: NodeScore[] = [];

  constructor(
    readonly schedulerName: string,
    readonly plugins: FrameworkPlugins,
    private readonly nominator?: PodNominator,
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
    state.write(activeFilters, this.plugins.filter.filter((p) => !skipped.has(p.name)));
    return SUCCESS;
  }

  /** The first plugin that rejects the node decides; the rest do not run. */
  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const filters = state.read(activeFilters) ?? this.plugins.filter;
    for (let i = 0; i < filters.length; i++) {
      const p = filters[i]!;
      const s = p.filter(state, pod, node);
      if (s.code !== "Success") return this.tag(s, p.name);
    }
    return SUCCESS;
  }

  /**
   * kube-scheduler's RunFilterPluginsWithNominatedPods: on a node with pods nominated to it, the pod must
   * fit both with the nominated pods of no lower priority (their room is promised) and without them
   * (they may land elsewhere, and a pod that needs them gone, for anti-affinity, must not count on it).
   * Only NodeInfo-based filters (resources, pod count, host ports) see the added pods: PreFilter state
   * (topology spread, inter-pod affinity) has no AddPod extension here.
   */
  runFilterWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const nominated = this.nominator?.nominatedPodsForNode(node.name);
    const withNominated = nominated && addNominatedPods(pod, node, nominated);
    if (withNominated) {
      const s = this.runFilter(state, pod, withNominated);
      if (!isSuccess(s)) return s;
    }
    return this.runFilter(state, pod, node);
  }

  private tag(s: Status, plugin: string): Status {
    if (s.plugin === plugin) return s;
    const cached = this.tagged.get(s);
    if (cached?.plugin === plugin) return cached;
    const t = withPlugin(s, plugin);
    this.tagged.set(s, t);
    return t;
  }

  /** The first success wins; when all fail, the last nomination said (a clearing "" included) still counts. */
  runPostFilter(state: CycleState, pod: PodInfo, filtered: ReadonlyMap<string, Status>): { status: Status; nominatedNodeName?: string } {
    let last: Status = { code: "Unschedulable", reasons: [] };
    let nominatedNodeName: string | undefined;
    for (const p of this.plugins.postFilter) {
      const r = p.postFilter(state, pod, filtered);
      if (isSuccess(r.status) || r.status.code === "Error") return { ...r, status: withPlugin(r.status, p.name) };
      last = withPlugin(r.status, p.name);
      nominatedNodeName = r.nominatedNodeName ?? nominatedNodeName;
    }
    return { status: last, ...(nominatedNodeName === undefined ? {} : { nominatedNodeName }) };
  }

  runPreScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    const skipped = new Set<string>();
    for (const p of this.plugins.preScore) {
      const s = p.preScore(state, pod, nodes);
      if (s.code === "Skip") skipped.add(p.name);
      else if (!isSuccess(s)) return withPlugin(s, p.name);
    }
    state.write(activeScores, this.plugins.score.filter(({ plugin }) => !skipped.has(plugin.name)));
    return SUCCESS;
  }

  /** Each plugin scores every node, normalizes, and adds score × weight to the node's total. */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): NodeScore[] {
    const n = nodes.length;
    const totals: NodeScore[] = new Array<NodeScore>(n);
    for (let i = 0; i < n; i++) totals[i] = { name: nodes[i]!.name, score: 0 };
    const scores = this.scratch;
    for (let i = scores.length; i < n; i++) scores.push({ name: "", score: 0 });
    // A list of exactly the nodes for NormalizeScore; the pooled entries are overwritten below.
    scores.length = n;
    for (const { plugin, weight } of state.read(activeScores) ?? this.plugins.score) {
      for (let i = 0; i < n; i++) {
        const entry = scores[i]!;
        const node = nodes[i]!;
        entry.name = node.name;
        entry.score = plugin.score(state, pod, node);
      }
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < n; i++) {
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

  /** Each in order; the first that does not succeed (a Skip counts as success) stops the bind. */
  async runPreBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.plugins.preBind) {
      const s = await p.preBind(state, pod, nodeName);
      if (!isSuccess(s) && s.code !== SKIP.code) return withPlugin(s, p.name);
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

/** The node with the nominated pods the pod must leave room for, or undefined when there are none. */
function addNominatedPods(pod: PodInfo, node: NodeInfo, nominated: ReadonlyMap<string, PodInfo>): NodeInfo | undefined {
  let out: NodeInfo | undefined;
  for (const p of nominated.values()) {
    if (p.priority < pod.priority || p.key === pod.key) continue;
    out ??= node.clone();
    out.addPod(p);
  }
  return out;
}

export { CycleState };
