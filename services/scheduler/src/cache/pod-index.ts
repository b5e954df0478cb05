/**
 * The cache's placed pods by namespace and by label (`key=value`), so a selector visits the pods that
 * carry its rarest required label instead of every pod: PodTopologySpread and InterPodAffinity count
 * matching pods per domain on each attempt, and a cluster holds far more pods than any one selector picks.
 */
import type { Selector } from "@capstan/apimachinery";
import type { PodInfo } from "../framework/pod-info.js";

export interface PlacedPod {
  readonly pod: PodInfo;
  readonly nodeName: string;
}

const labelKey = (namespace: string, key: string, value: string) => `${namespace}\u0000${key}=${value}`;

export class PodIndex {
  private readonly byNamespace = new Map<string, Set<PlacedPod>>();
  private readonly byLabel = new Map<string, Set<PlacedPod>>();

  add(p: PlacedPod): void {
    const { namespace, labels } = p.pod;
    addTo(this.byNamespace, namespace, p);
    for (const key in labels) addTo(this.byLabel, labelKey(namespace, key, labels[key]!), p);
  }

  remove(p: PlacedPod): void {
    const { namespace, labels } = p.pod;
    removeFrom(this.byNamespace, namespace, p);
    for (const key in labels) removeFrom(this.byLabel, labelKey(namespace, key, labels[key]!), p);
  }

  /** Each pod in `namespaces` (all when undefined) that the selector matches. */
  forEachMatching(namespaces: ReadonlySet<string> | undefined, selector: Selector, visit: (p: PlacedPod) => void): void {
    for (const namespace of namespaces ?? this.byNamespace.keys()) {
      for (const candidates of this.candidates(namespace, selector)) {
        for (const p of candidates) if (selector.matches(p.pod.labels)) visit(p);
      }
    }
  }

  /** The smallest posting lists that cover every match: those of the selector's rarest `=` / `in` requirement. */
  private candidates(namespace: string, selector: Selector): Set<PlacedPod>[] {
    let best: Set<PlacedPod>[] | undefined;
    let bestSize = Infinity;
    for (const r of selector.requirements) {
      if (r.operator !== "Equals" && r.operator !== "In") continue;
      const lists: Set<PlacedPod>[] = [];
      let size = 0;
      for (const value of r.values) {
        const list = this.byLabel.get(labelKey(namespace, r.key, value));
        if (list) {
          lists.push(list);
          size += list.size;
        }
      }
      if (size < bestSize) {
        best = lists;
        bestSize = size;
      }
    }
    if (best) return best;
    const all = this.byNamespace.get(namespace);
    return all ? [all] : [];
  }
}

function addTo(index: Map<string, Set<PlacedPod>>, key: string, p: PlacedPod): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(p);
}

function removeFrom(index: Map<string, Set<PlacedPod>>, key: string, p: PlacedPod): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(p);
  if (set.size === 0) index.delete(key);
}
