import type { Selector } from "@capstan/apimachinery";
import { StateKey, type CycleState } from "../../framework/cycle-state.js";
import type { FilterPlugin, NodeScore, PreFilterPlugin, PreScorePlugin, ScorePlugin } from "../../framework/interface.js";
import { MAX_NODE_SCORE } from "../../framework/interface.js";
import { selectorOf } from "../../framework/label-selector.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo, TopologySpreadConstraint } from "../../framework/pod-info.js";
import { snapshotOf } from "../../framework/snapshot.js";
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from "../../framework/status.js";
import { podMatchesNodeSelectorAndAffinity } from "../node-affinity/node-affinity.js";
import { findUntoleratedTaint, isNoScheduleOrNoExecute } from "../taint-toleration/taint-toleration.js";

export const NAME = "PodTopologySpread";
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
const HOSTNAME = "kubernetes.io/hostname";

interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly minDomains: number;
  readonly selector: Selector;
  readonly honorNodeAffinity: boolean;
  readonly honorNodeTaints: boolean;
}

interface FilterState {
  readonly constraints: readonly Constraint[];
  /** Matching pods per constraint, per domain (topology value). */
  readonly counts: readonly Map<string, number>[];
  /** Per constraint: the lowest count over the domains (0 below minDomains), and 1 if the pod matches its own selector. */
  readonly minMatches: readonly number[];
  readonly selfMatches: readonly number[];
}

interface ScoreState {
  readonly constraints: readonly Constraint[];
  readonly counts: readonly Map<string, number>[];
  readonly weights: readonly number[];
  /** Feasible nodes missing a topology key: they score 0. */
  readonly ignored: ReadonlySet<string>;
}

const preFilterKey = new StateKey<FilterState>(`PreFilter${NAME}`);
const preScoreKey = new StateKey<ScoreState>(`PreScore${NAME}`);

/** One status per reason: the filter runs per node and allocates nothing. */
const rejectedForLabel = unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
const rejectedForSkew = unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);

/**
 * Spreads matching pods across topology domains (spec.topologySpreadConstraints). Filter, for
 * DoNotSchedule constraints: placing the pod must keep (count in the node's domain + 1 − the lowest
 * count) within maxSkew. Score, for ScheduleAnyway constraints: fewer matching pods in the node's domain
 * is better. Kubernetes' cluster-level default constraints (from a pod's Services and ReplicaSets) are
 * not applied: a pod without constraints is not spread. Matching pods are counted through the
 * snapshot's label index, not by walking every pod on every node.
 */
export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    const constraints = constraintsOf(pod, "DoNotSchedule");
    if (constraints.length === 0) return SKIP;
    const snapshot = snapshotOf(state, nodes);
    const counts = constraints.map(() => new Map<string, number>());
    // Every eligible node's domain is counted, with or without matching pods: the lowest count bounds the skew.
    if (constraints.every((c) => countsEveryNode(c, pod))) {
      domainsOf(snapshot.nodes, constraints).forEach((domains, i) => {
        for (const domain of domains) counts[i]!.set(domain, 0);
      });
    } else {
      for (const node of snapshot.nodes) {
        if (!hasTopologyKeys(constraints, node)) continue;
        for (let i = 0; i < constraints.length; i++) {
          const c = constraints[i]!;
          if (countsNode(c, pod, node)) counts[i]!.set(node.node.labels[c.topologyKey]!, 0);
        }
      }
    }
    const namespaces = new Set([pod.namespace]);
    constraints.forEach((c, i) => {
      snapshot.forEachPodMatching(namespaces, c.selector, (existing, node) => {
        if (existing.terminating || !hasTopologyKeys(constraints, node) || !countsNode(c, pod, node)) return;
        const domain = node.node.labels[c.topologyKey]!;
        counts[i]!.set(domain, counts[i]!.get(domain)! + 1);
      });
    });
    state.write(preFilterKey, {
      constraints,
      counts,
      minMatches: constraints.map((c, i) => minMatch(counts[i]!, c.minDomains)),
      selfMatches: constraints.map((c) => (c.selector.matches(pod.labels) ? 1 : 0)),
    });
    return SUCCESS;
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    const s = state.read(preFilterKey);
    if (!s) return SUCCESS;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const domain = node.node.labels[c.topologyKey];
      if (domain === undefined) return rejectedForLabel;
      const skew = (s.counts[i]!.get(domain) ?? 0) + s.selfMatches[i]! - s.minMatches[i]!;
      if (skew > c.maxSkew) return rejectedForSkew;
    }
    return SUCCESS;
  }

  preScore(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): Status {
    const constraints = constraintsOf(pod, "ScheduleAnyway");
    if (constraints.length === 0) return SKIP;
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    for (const node of feasible) {
      if (!constraints.every((c) => Object.hasOwn(node.node.labels, c.topologyKey))) {
        ignored.add(node.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey !== HOSTNAME) counts[i]!.set(node.node.labels[c.topologyKey]!, 0);
      });
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME ? feasible.length - ignored.size : counts[i]!.size) + 2));
    // Domains are those of the feasible nodes; the pods counted in them are on any eligible node.
    const snapshot = snapshotOf(state, feasible);
    const namespaces = new Set([pod.namespace]);
    constraints.forEach((c, i) => {
      if (c.topologyKey === HOSTNAME) return;
      snapshot.forEachPodMatching(namespaces, c.selector, (existing, node) => {
        const domain = node.node.labels[c.topologyKey];
        if (existing.terminating || domain === undefined || !counts[i]!.has(domain) || !countsNode(c, pod, node)) return;
        counts[i]!.set(domain, counts[i]!.get(domain)! + 1);
      });
    });
    state.write(preScoreKey, { constraints, counts, weights, ignored });
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const s = state.read(preScoreKey);
    if (!s || s.ignored.has(node.name)) return 0;
    let score = 0;
    s.constraints.forEach((c, i) => {
      const domain = node.node.labels[c.topologyKey];
      if (domain === undefined) return;
      const count = c.topologyKey === HOSTNAME ? countMatching(node, c.selector, pod.namespace) : (s.counts[i]!.get(domain) ?? 0);
      score += count * s.weights[i]! + (c.maxSkew - 1);
    });
    return Math.round(score);
  }

  /** Fewer matching pods scores higher: 100 × (max + min − score) / max; ignored nodes score 0. */
  normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    const ignored = state.read(preScoreKey)?.ignored ?? new Set<string>();
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (ignored.has(s.name)) continue;
      min = Math.min(min, s.score);
      max = Math.max(max, s.score);
    }
    for (const s of scores) {
      if (ignored.has(s.name)) s.score = 0;
      else if (max === 0) s.score = MAX_NODE_SCORE;
      else s.score = Math.floor((MAX_NODE_SCORE * (max + min - s.score)) / max);
    }
  }
}

function constraintsOf(pod: PodInfo, whenUnsatisfiable: string): Constraint[] {
  return pod.topologySpreadConstraints
    .filter((c) => c.whenUnsatisfiable === whenUnsatisfiable)
    .map((c) => {
      // matchLabelKeys: the pod's own values for these keys narrow the selector (e.g. pod-template-hash).
      const extra = (c.matchLabelKeys ?? []).filter((k) => Object.hasOwn(pod.labels, k)).map((k) => ({ key: k, operator: "In", values: [pod.labels[k]!] }));
      const labelSelector = c.labelSelector && extra.length ? { ...c.labelSelector, matchExpressions: [...(c.labelSelector.matchExpressions ?? []), ...extra] } : c.labelSelector;
      return {
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        minDomains: c.minDomains ?? 1,
        selector: selectorOf(labelSelector),
        honorNodeAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
        honorNodeTaints: c.nodeTaintsPolicy === "Honor",
      };
    });
}

/** Whether a node's pods count toward the spread, per nodeAffinityPolicy (Honor) and nodeTaintsPolicy (Ignore). */
function countsNode(c: Constraint, pod: PodInfo, node: NodeInfo): boolean {
  if (c.honorNodeAffinity && !podMatchesNodeSelectorAndAffinity(pod, node.name, node.node.labels)) return false;
  if (c.honorNodeTaints && findUntoleratedTaint(node.node.taints, pod.tolerations, isNoScheduleOrNoExecute)) return false;
  return true;
}

/** Whether every node with the topology keys counts, whatever its labels and taints (the common case). */
function countsEveryNode(c: Constraint, pod: PodInfo): boolean {
  const selects = Object.keys(pod.nodeSelector).length > 0 || pod.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
  return !(c.honorNodeAffinity && selects) && !c.honorNodeTaints;
}

/**
 * Per constraint, the domains of the nodes that carry all the constraints' topology keys. Remembered per
 * node list (the cache makes a new one whenever a node changes), so a pod whose spread counts every node
 * does not walk all of them on each attempt.
 */
const domainsByNodeList = new WeakMap<readonly NodeInfo[], Map<string, readonly (readonly string[])[]>>();

function domainsOf(nodes: readonly NodeInfo[], constraints: readonly Constraint[]): readonly (readonly string[])[] {
  const memoKey = constraints.map((c) => c.topologyKey).join("\u0000");
  let byKeys = domainsByNodeList.get(nodes);
  if (!byKeys) domainsByNodeList.set(nodes, (byKeys = new Map()));
  let domains = byKeys.get(memoKey);
  if (!domains) {
    const sets = constraints.map(() => new Set<string>());
    for (const node of nodes) {
      if (!hasTopologyKeys(constraints, node)) continue;
      constraints.forEach((c, i) => sets[i]!.add(node.node.labels[c.topologyKey]!));
    }
    domains = sets.map((set) => [...set]);
    byKeys.set(memoKey, domains);
  }
  return domains;
}

function hasTopologyKeys(constraints: readonly Constraint[], node: NodeInfo): boolean {
  for (const c of constraints) if (!Object.hasOwn(node.node.labels, c.topologyKey)) return false;
  return true;
}

function countMatching(node: NodeInfo, selector: Selector, namespace: string): number {
  let n = 0;
  for (const p of node.pods.values()) if (!p.terminating && p.namespace === namespace && selector.matches(p.labels)) n++;
  return n;
}

/** The lowest count over the domains; 0 while there are fewer domains than minDomains. */
function minMatch(counts: ReadonlyMap<string, number>, minDomains: number): number {
  if (counts.size < minDomains) return 0;
  let min = Infinity;
  for (const v of counts.values()) min = Math.min(min, v);
  return min === Infinity ? 0 : min;
}

export const createPodTopologySpread = (): PodTopologySpread => new PodTopologySpread();
