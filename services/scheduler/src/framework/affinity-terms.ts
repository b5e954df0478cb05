/**
 * A pod's pod-affinity terms, parsed once per pod as kube-scheduler's PodInfo does (RequiredAffinityTerms,
 * RequiredAntiAffinityTerms, Preferred…): InterPodAffinity reads them on every attempt, and the cache
 * indexes existing pods' terms by the labels they select.
 */
import type { Selector } from "@capstan/apimachinery";
import { selectorOf } from "./label-selector.js";
import type { PodAffinityTerm, PodInfo, WeightedPodAffinityTerm } from "./pod-info.js";

/** A term with its selector parsed and its namespaces resolved (the term owner's own by default). */
export interface AffinityTerm {
  readonly selector: Selector;
  /** undefined: every namespace (an empty namespaceSelector). */
  readonly namespaces: ReadonlySet<string> | undefined;
  readonly topologyKey: string;
}

export interface WeightedAffinityTerm {
  readonly weight: number;
  readonly term: AffinityTerm;
}

export interface PodAffinityTerms {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
}

/** What a weighted term without its podAffinityTerm means, as Go's zero value: no topology, nothing matched. */
const EMPTY_TERM: PodAffinityTerm = { namespaces: [], topologyKey: "" };

function affinityTerm(t: PodAffinityTerm = EMPTY_TERM, ownNamespace: string): AffinityTerm {
  const everyNamespace = t.namespaceSelector !== undefined && Object.keys(t.namespaceSelector.matchLabels ?? {}).length === 0 && (t.namespaceSelector.matchExpressions ?? []).length === 0;
  const namespaces = t.namespaces?.length ? new Set(t.namespaces) : t.namespaceSelector ? new Set<string>() : new Set([ownNamespace]);
  return { selector: selectorOf(t.labelSelector), namespaces: everyNamespace ? undefined : namespaces, topologyKey: t.topologyKey };
}

const parsed = new WeakMap<PodInfo, PodAffinityTerms>();

export function affinityTermsOf(pod: PodInfo): PodAffinityTerms {
  let terms = parsed.get(pod);
  if (!terms) {
    const weighted = (w: WeightedPodAffinityTerm): WeightedAffinityTerm => ({ weight: w.weight, term: affinityTerm(w.podAffinityTerm, pod.namespace) });
    terms = {
      requiredAffinity: (pod.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(t, pod.namespace)),
      requiredAntiAffinity: (pod.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(t, pod.namespace)),
      preferredAffinity: (pod.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(weighted),
      preferredAntiAffinity: (pod.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(weighted),
    };
    parsed.set(pod, terms);
  }
  return terms;
}

export function termMatches(term: AffinityTerm, pod: PodInfo): boolean {
  return (term.namespaces === undefined || term.namespaces.has(pod.namespace)) && term.selector.matches(pod.labels);
}

export type TermKind = "requiredAffinity" | "requiredAntiAffinity" | "preferredAffinity" | "preferredAntiAffinity";

/** One term of an existing pod, as the incoming pod meets it. */
export interface ExistingTerm {
  readonly pod: PodInfo;
  readonly kind: TermKind;
  readonly term: AffinityTerm;
  /** A preference's weight; 0 for a required term. */
  readonly weight: number;
}

const existing = new WeakMap<PodInfo, readonly ExistingTerm[]>();

/** Every term of the pod, of every kind, for indexes and walks over existing pods. */
export function existingTermsOf(pod: PodInfo): readonly ExistingTerm[] {
  let list = existing.get(pod);
  if (!list) {
    const t = affinityTermsOf(pod);
    list = [
      ...t.requiredAffinity.map((term): ExistingTerm => ({ pod, kind: "requiredAffinity", term, weight: 0 })),
      ...t.requiredAntiAffinity.map((term): ExistingTerm => ({ pod, kind: "requiredAntiAffinity", term, weight: 0 })),
      ...t.preferredAffinity.map(({ weight, term }): ExistingTerm => ({ pod, kind: "preferredAffinity", term, weight })),
      ...t.preferredAntiAffinity.map(({ weight, term }): ExistingTerm => ({ pod, kind: "preferredAntiAffinity", term, weight })),
    ];
    existing.set(pod, list);
  }
  return list;
}
