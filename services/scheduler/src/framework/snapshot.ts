/**
 * What a scheduling attempt reads of the cluster, after kube-scheduler's Snapshot: the nodes, and what
 * the cache indexes so that PreFilter and PreScore visit only the pods and terms that can matter
 * instead of every pod on every node.
 */
import type { Selector } from "@capstan/apimachinery";
import { existingTermsOf, termMatches, type ExistingTerm } from "./affinity-terms.js";
import { StateKey, type CycleState } from "./cycle-state.js";
import type { NodeInfo } from "./node-info.js";
import type { PodInfo } from "./pod-info.js";

export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
  /** Each (anti-)affinity term of a pod on a node of the snapshot that selects `pod`. */
  forEachAffinityTermMatching(pod: PodInfo, visit: (t: ExistingTerm, node: NodeInfo) => void): void;
  /** Each pod on a node of the snapshot, in one of `namespaces` (every namespace when undefined), that `selector` matches. */
  forEachPodMatching(namespaces: ReadonlySet<string> | undefined, selector: Selector, visit: (pod: PodInfo, node: NodeInfo) => void): void;
}

/** The attempt's snapshot, for plugins that look beyond the node they are given. */
export const snapshotKey = new StateKey<Snapshot>("framework/snapshot");

/** A snapshot of a plain node list, answered by walking it: for tests and what-if runs without a cache. */
export class NodeListSnapshot implements Snapshot {
  constructor(readonly nodes: readonly NodeInfo[]) {}

  forEachAffinityTermMatching(pod: PodInfo, visit: (t: ExistingTerm, node: NodeInfo) => void): void {
    for (const node of this.nodes) {
      for (const existing of node.podsWithAffinity.values()) {
        for (const t of existingTermsOf(existing)) if (termMatches(t.term, pod)) visit(t, node);
      }
    }
  }

  forEachPodMatching(namespaces: ReadonlySet<string> | undefined, selector: Selector, visit: (pod: PodInfo, node: NodeInfo) => void): void {
    for (const node of this.nodes) {
      for (const pod of node.pods.values()) {
        if ((namespaces === undefined || namespaces.has(pod.namespace)) && selector.matches(pod.labels)) visit(pod, node);
      }
    }
  }
}

/** The snapshot the attempt runs on, or one over `nodes` when a plugin is run on its own. */
export function snapshotOf(state: CycleState, nodes: readonly NodeInfo[]): Snapshot {
  return state.read(snapshotKey) ?? new NodeListSnapshot(nodes);
}
