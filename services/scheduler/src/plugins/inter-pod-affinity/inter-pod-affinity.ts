import type { Selector } from "@capstan/apimachinery";
import { StateKey, type CycleState } from "../../framework/cycle-state.js";
import { allNodesKey } from "../../framework/framework.js";
import { MAX_NODE_SCORE, type FilterPlugin, type NodeScore, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from "../../framework/interface.js";
import { selectorOf } from "../../framework/label-selector.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { PodAffinityTerm, PodInfo } from "../../framework/pod-info.js";
import { SKIP, SUCCESS, unresolvable, unschedulable, type Status } from "../../framework/status.js";

export const NAME = "InterPodAffinity";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

/** kube-scheduler's hardPodAffinityWeight default: an existing pod's required affinity, as a preference. */
const HARD_POD_AFFINITY_WEIGHT = 1;

/** A term with its selector parsed and its namespaces resolved (the term owner's own by default). */
interface AffinityTerm {
  readonly selector: Selector;
  /** undefined: every namespace (an empty namespaceSelector). */
  readonly namespaces: ReadonlySet<string> | undefined;
  readonly topologyKey: string;
}

/** Matched terms per topology domain, keyed `topologyKey=value`. */
type Counts = Map<string, number>;

interface FilterState {
  readonly affinity: readonly AffinityTerm[];
  readonly antiAffinity: readonly AffinityTerm[];
  readonly affinityCounts: Counts;
  readonly antiAffinityCounts: Counts;
  readonly existingAntiAffinityCounts: Counts;
}

const preFilterKey = new StateKey<FilterState>(`PreFilter${NAME}`);
const preScoreKey = new StateKey<Map<string, Map<string, number>>>(`PreScore${NAME}`);

/**
 * Places a pod relative to other pods by their labels within a topology domain
 * (spec.affinity.podAffinity / podAntiAffinity). Filter: existing pods' required anti-affinity, then the
 * pod's required affinity (the first of a self-affine group may go anywhere), then its required
 * anti-affinity. Score: preferred terms of both the pod and the existing pods. A term's non-empty
 * namespaceSelector is not supported (the scheduler has no namespace cache): it adds no namespaces.
 */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    const affinity = (pod.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(t, pod.namespace));
    const antiAffinity = (pod.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(t, pod.namespace));
    const affinityCounts: Counts = new Map();
    const antiAffinityCounts: Counts = new Map();
    const existingAntiAffinityCounts: Counts = new Map();
    for (const node of nodes) {
      for (const existing of node.podsWithRequiredAntiAffinity.values()) {
        for (const t of existing.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
          const term = affinityTerm(t, existing.namespace);
          if (termMatches(term, pod)) bump(existingAntiAffinityCounts, node, term.topologyKey, 1);
        }
      }
      // Only the pod's own terms need every pod; without them, the loop above is all.
      if (affinity.length === 0 && antiAffinity.length === 0) continue;
      for (const existing of node.pods.values()) {
        if (affinity.length > 0 && affinity.every((term) => termMatches(term, existing))) {
          for (const term of affinity) bump(affinityCounts, node, term.topologyKey, 1);
        }
        for (const term of antiAffinity) if (termMatches(term, existing)) bump(antiAffinityCounts, node, term.topologyKey, 1);
      }
    }
    if (affinity.length === 0 && antiAffinity.length === 0 && existingAntiAffinityCounts.size === 0) return SKIP;
    state.write(preFilterKey, { affinity, antiAffinity, affinityCounts, antiAffinityCounts, existingAntiAffinityCounts });
    return SUCCESS;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const s = state.read(preFilterKey);
    if (!s) return SUCCESS;
    const labels = node.node.labels;
    for (const [key, value] of Object.entries(labels)) {
      if ((s.existingAntiAffinityCounts.get(`${key}=${value}`) ?? 0) > 0) return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
    }
    if (!satisfiesAffinity(s, pod, labels)) return unresolvable(ERR_REASON_AFFINITY);
    for (const term of s.antiAffinity) {
      const value = labels[term.topologyKey];
      if (value !== undefined && (s.antiAffinityCounts.get(`${term.topologyKey}=${value}`) ?? 0) > 0) return unschedulable(ERR_REASON_ANTI_AFFINITY);
    }
    return SUCCESS;
  }

  preScore(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): Status {
    const preferred = (pod.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ weight: w.weight, term: affinityTerm(w.podAffinityTerm, pod.namespace) }));
    const preferredAnti = (pod.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ weight: w.weight, term: affinityTerm(w.podAffinityTerm, pod.namespace) }));
    const scores = new Map<string, Map<string, number>>();
    const add = (node: NodeInfo, topologyKey: string, weight: number) => {
      const value = node.node.labels[topologyKey];
      if (value === undefined || weight === 0) return;
      let byValue = scores.get(topologyKey);
      if (!byValue) scores.set(topologyKey, (byValue = new Map()));
      byValue.set(value, (byValue.get(value) ?? 0) + weight);
    };
    // Without preferred terms of its own, only pods that have (anti-)affinity can move the pod's score.
    const ownTerms = preferred.length > 0 || preferredAnti.length > 0;
    for (const node of state.read(allNodesKey) ?? feasible) {
      for (const existing of (ownTerms ? node.pods : node.podsWithAffinity).values()) {
        if (existing.terminating) continue;
        for (const { weight, term } of preferred) if (termMatches(term, existing)) add(node, term.topologyKey, weight);
        for (const { weight, term } of preferredAnti) if (termMatches(term, existing)) add(node, term.topologyKey, -weight);
        for (const t of existing.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
          const term = affinityTerm(t, existing.namespace);
          if (termMatches(term, pod)) add(node, term.topologyKey, HARD_POD_AFFINITY_WEIGHT);
        }
        for (const w of existing.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
          const term = affinityTerm(w.podAffinityTerm, existing.namespace);
          if (termMatches(term, pod)) add(node, term.topologyKey, w.weight);
        }
        for (const w of existing.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
          const term = affinityTerm(w.podAffinityTerm, existing.namespace);
          if (termMatches(term, pod)) add(node, term.topologyKey, -w.weight);
        }
      }
    }
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

/** What a weighted term without its podAffinityTerm means, as Go's zero value: no topology, nothing matched. */
const EMPTY_TERM: PodAffinityTerm = { namespaces: [], topologyKey: "" };

function affinityTerm(t: PodAffinityTerm = EMPTY_TERM, ownNamespace: string): AffinityTerm {
  const everyNamespace = t.namespaceSelector !== undefined && Object.keys(t.namespaceSelector.matchLabels ?? {}).length === 0 && (t.namespaceSelector.matchExpressions ?? []).length === 0;
  const namespaces = t.namespaces?.length ? new Set(t.namespaces) : t.namespaceSelector ? new Set<string>() : new Set([ownNamespace]);
  return { selector: selectorOf(t.labelSelector), namespaces: everyNamespace ? undefined : namespaces, topologyKey: t.topologyKey };
}

function termMatches(term: AffinityTerm, pod: PodInfo): boolean {
  return (term.namespaces === undefined || term.namespaces.has(pod.namespace)) && term.selector.matches(pod.labels);
}

function bump(counts: Counts, node: NodeInfo, topologyKey: string, by: number): void {
  const value = node.node.labels[topologyKey];
  if (value === undefined) return;
  const key = `${topologyKey}=${value}`;
  counts.set(key, (counts.get(key) ?? 0) + by);
}

function satisfiesAffinity(s: FilterState, pod: PodInfo, labels: Readonly<Record<string, string>>): boolean {
  let podsExist = true;
  for (const term of s.affinity) {
    const value = labels[term.topologyKey];
    // The node must have every topology key the terms name.
    if (value === undefined) return false;
    if ((s.affinityCounts.get(`${term.topologyKey}=${value}`) ?? 0) <= 0) podsExist = false;
  }
  // The first pod of a group with affinity to itself: nothing matches anywhere yet, so let it start one.
  return podsExist || (s.affinityCounts.size === 0 && s.affinity.every((term) => termMatches(term, pod)));
}

export const createInterPodAffinity = (): InterPodAffinity => new InterPodAffinity();
