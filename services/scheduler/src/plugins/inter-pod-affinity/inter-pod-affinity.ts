import { StateKey, type CycleState } from "../../framework/cycle-state.js";
import { MAX_NODE_SCORE, type FilterPlugin, type NodeScore, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from "../../framework/interface.js";
import { affinityTermsOf, termMatches, type AffinityTerm } from "../../framework/affinity-terms.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodInfo } from "../../framework/pod-info.js";
import { snapshotOf } from "../../framework/snapshot.js";
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from "../../framework/status.js";

export const NAME = "InterPodAffinity";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

/** kube-scheduler's hardPodAffinityWeight default: an existing pod's required affinity, as a preference. */
const HARD_POD_AFFINITY_WEIGHT = 1;

/** Matched terms per topology key and value: kube-scheduler's topologyToMatchedTermCount. */
type Counts = Map<string, Map<string, number>>;

interface FilterState {
  readonly affinity: readonly AffinityTerm[];
  readonly antiAffinity: readonly AffinityTerm[];
  readonly affinityCounts: Counts;
  readonly antiAffinityCounts: Counts;
  readonly existingAntiAffinityCounts: Counts;
}

const preFilterKey = new StateKey<FilterState>(`PreFilter${NAME}`);
const preScoreKey = new StateKey<Counts>(`PreScore${NAME}`);

/** One status per reason: the filter runs per node and allocates nothing. */
const rejectedByExistingAntiAffinity = unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
const rejectedByAffinity = unresolvable(ERR_REASON_AFFINITY);
const rejectedByAntiAffinity = unschedulable(ERR_REASON_ANTI_AFFINITY);

/**
 * Places a pod relative to other pods by their labels within a topology domain
 * (spec.affinity.podAffinity / podAntiAffinity). Filter: existing pods' required anti-affinity, then the
 * pod's required affinity (the first of a self-affine group may go anywhere), then its required
 * anti-affinity. Score: preferred terms of both the pod and the existing pods. A term's non-empty
 * namespaceSelector is not supported (the scheduler has no namespace cache): it adds no namespaces.
 * PreFilter and PreScore count through the snapshot's indexes: the pods a term selects, and the nodes
 * whose pods have terms of their own.
 */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    const snapshot = snapshotOf(state, nodes);
    const { requiredAffinity: affinity, requiredAntiAffinity: antiAffinity } = affinityTermsOf(pod);
    const existingAntiAffinityCounts: Counts = new Map();
    snapshot.forEachAffinityTermMatching(pod, (t, node) => {
      if (t.kind === "requiredAntiAffinity") bump(existingAntiAffinityCounts, node, t.term.topologyKey, 1);
    });
    const affinityCounts: Counts = new Map();
    const [first, ...rest] = affinity;
    if (first) {
      snapshot.forEachPodMatching(first.namespaces, first.selector, (existing, node) => {
        if (rest.every((term) => termMatches(term, existing))) for (const term of affinity) bump(affinityCounts, node, term.topologyKey, 1);
      });
    }
    const antiAffinityCounts: Counts = new Map();
    for (const term of antiAffinity) {
      snapshot.forEachPodMatching(term.namespaces, term.selector, (_existing, node) => bump(antiAffinityCounts, node, term.topologyKey, 1));
    }
    if (affinity.length === 0 && antiAffinity.length === 0 && existingAntiAffinityCounts.size === 0) return SKIP;
    state.write(preFilterKey, { affinity, antiAffinity, affinityCounts, antiAffinityCounts, existingAntiAffinityCounts });
    return SUCCESS;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const s = state.read(preFilterKey);
    if (!s) return SUCCESS;
    const labels = node.node.labels;
    for (const [key, byValue] of s.existingAntiAffinityCounts) {
      const value = labels[key];
      if (value !== undefined && (byValue.get(value) ?? 0) > 0) return rejectedByExistingAntiAffinity;
    }
    if (!satisfiesAffinity(s, pod, labels)) return rejectedByAffinity;
    for (const term of s.antiAffinity) {
      const value = labels[term.topologyKey];
      if (value !== undefined && countOf(s.antiAffinityCounts, term.topologyKey, value) > 0) return rejectedByAntiAffinity;
    }
    return SUCCESS;
  }

  preScore(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): Status {
    const snapshot = snapshotOf(state, feasible);
    const { preferredAffinity, preferredAntiAffinity } = affinityTermsOf(pod);
    const scores: Counts = new Map();
    for (const { weight, term } of preferredAffinity) {
      snapshot.forEachPodMatching(term.namespaces, term.selector, (existing, node) => {
        if (!existing.terminating) bump(scores, node, term.topologyKey, weight);
      });
    }
    for (const { weight, term } of preferredAntiAffinity) {
      snapshot.forEachPodMatching(term.namespaces, term.selector, (existing, node) => {
        if (!existing.terminating) bump(scores, node, term.topologyKey, -weight);
      });
    }
    // Existing pods' own terms that select this pod.
    snapshot.forEachAffinityTermMatching(pod, ({ pod: existing, kind, term, weight }, node) => {
      if (existing.terminating) return;
      if (kind === "requiredAffinity") bump(scores, node, term.topologyKey, HARD_POD_AFFINITY_WEIGHT);
      else if (kind === "preferredAffinity") bump(scores, node, term.topologyKey, weight);
      else if (kind === "preferredAntiAffinity") bump(scores, node, term.topologyKey, -weight);
    });
    if (scores.size === 0) return SKIP;
    state.write(preScoreKey, scores);
    return SUCCESS;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    let score = 0;
    for (const [key, byValue] of state.read(preScoreKey) ?? []) {
      const value = node.node.labels[key];
      if (value !== undefined) score += byValue.get(value) ?? 0;
    }
    return score;
  }

  /** Scores may be negative (anti-affinity): rescale min..max to 0..100. */
  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      min = Math.min(min, s.score);
      max = Math.max(max, s.score);
    }
    for (const s of scores) s.score = max - min > 0 ? Math.trunc((MAX_NODE_SCORE * (s.score - min)) / (max - min)) : 0;
  }
}

/** Adds `by` to the node's domain of `topologyKey`; a zero weight adds nothing, as kube-scheduler. */
function bump(counts: Counts, node: NodeInfo, topologyKey: string, by: number): void {
  const value = node.node.labels[topologyKey];
  if (value === undefined || by === 0) return;
  let byValue = counts.get(topologyKey);
  if (!byValue) counts.set(topologyKey, (byValue = new Map()));
  byValue.set(value, (byValue.get(value) ?? 0) + by);
}

function countOf(counts: Counts, topologyKey: string, value: string): number {
  return counts.get(topologyKey)?.get(value) ?? 0;
}

function satisfiesAffinity(s: FilterState, pod: PodInfo, labels: Readonly<Record<string, string>>): boolean {
  let podsExist = true;
  for (const term of s.affinity) {
    const value = labels[term.topologyKey];
    // The node must have every topology key the terms name.
    if (value === undefined) return false;
    if (countOf(s.affinityCounts, term.topologyKey, value) <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself: nothing matches anywhere yet, so let it start one.
  return podsExist || (s.affinityCounts.size === 0 && s.affinity.every((term) => termMatches(term, pod)));
}

export const createInterPodAffinity = (): InterPodAffinity => new InterPodAffinity();
