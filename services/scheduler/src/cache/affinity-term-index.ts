/**
 * Existing pods' pod-affinity terms by a label each term requires (its first `=` / `in` requirement), so
 * an incoming pod finds the terms that may select it through its own labels. kube-scheduler walks every
 * pod with affinity on each attempt; with a Deployment of anti-affine pods that is every pod placed so far.
 */
import { existingTermsOf, termMatches, type ExistingTerm } from "../framework/affinity-terms.js";
import type { PodInfo } from "../framework/pod-info.js";
import type { PlacedPod } from "./pod-index.js";

/** A term of a placed pod, with where that pod is. */
export interface PlacedTerm {
  readonly existing: ExistingTerm;
  readonly nodeName: string;
}

/** Terms that apply in every namespace are filed under this namespace. */
const EVERY_NAMESPACE = "*";
const labelKey = (namespace: string, key: string, value: string) => `${namespace}\u0000${key}=${value}`;

export class AffinityTermIndex {
  private readonly byLabel = new Map<string, Set<PlacedTerm>>();
  /** Terms without a required label (only `!=`, `notin`, exists…): every attempt checks them. */
  private readonly unanchored = new Set<PlacedTerm>();
  private readonly filed = new Map<PlacedPod, { readonly placed: PlacedTerm; readonly keys: readonly string[] }[]>();

  add(p: PlacedPod): void {
    const terms = existingTermsOf(p.pod);
    if (terms.length === 0) return;
    const entries = terms.map((existing) => ({ placed: { existing, nodeName: p.nodeName }, keys: anchorKeys(existing) }));
    for (const { placed, keys } of entries) {
      if (keys.length === 0 && !hasAnchor(placed.existing)) this.unanchored.add(placed);
      for (const key of keys) {
        let set = this.byLabel.get(key);
        if (!set) this.byLabel.set(key, (set = new Set()));
        set.add(placed);
      }
    }
    this.filed.set(p, entries);
  }

  remove(p: PlacedPod): void {
    const entries = this.filed.get(p);
    if (!entries) return;
    this.filed.delete(p);
    for (const { placed, keys } of entries) {
      this.unanchored.delete(placed);
      for (const key of keys) {
        const set = this.byLabel.get(key);
        set?.delete(placed);
        if (set?.size === 0) this.byLabel.delete(key);
      }
    }
  }

  /** Each placed term that selects `pod`. A term is filed under one requirement's key, so it is met at most once. */
  forEachMatching(pod: PodInfo, visit: (t: PlacedTerm) => void): void {
    for (const key in pod.labels) {
      const value = pod.labels[key]!;
      for (const namespace of [pod.namespace, EVERY_NAMESPACE]) {
        const set = this.byLabel.get(labelKey(namespace, key, value));
        if (set) for (const t of set) if (termMatches(t.existing.term, pod)) visit(t);
      }
    }
    for (const t of this.unanchored) if (termMatches(t.existing.term, pod)) visit(t);
  }
}

const anchorOf = (t: ExistingTerm) => t.term.selector.requirements.find((r) => r.operator === "Equals" || r.operator === "In");
const hasAnchor = (t: ExistingTerm): boolean => anchorOf(t) !== undefined;

/** The keys a term is filed under: its anchor requirement's values in each of its namespaces. */
function anchorKeys(t: ExistingTerm): string[] {
  const anchor = anchorOf(t);
  if (!anchor) return [];
  const namespaces = t.term.namespaces ? [...t.term.namespaces] : [EVERY_NAMESPACE];
  return namespaces.flatMap((ns) => anchor.values.map((v) => labelKey(ns, anchor.key, v)));
}
