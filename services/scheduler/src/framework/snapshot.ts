/**
 * What a scheduling attempt reads of the cluster, after kube-scheduler's Snapshot (its NodeInfoLister
 * with HavePodsWithAffinityList): the nodes, and what the cache indexes so that PreFilter and PreScore
 * visit only the pods and nodes that can matter instead of every pod on every node.
 */
import type { Selector } from "@capstan/apimachinery";
import { StateKey, type CycleState } from "./cycle-state.js";
import type { NodeInfo } from "./node-info.js";
import type { PodInfo } from "./pod-info.js";

export interface Snapshot {
  readonly nodes: readonly NodeInfo[];
  /** Nodes with at least one pod that has pod affinity or anti-affinity. */
  havePodsWithAffinity(): Iterable<NodeInfo>;
  /** Nodes with at least one pod that has required pod anti-affinity. */
  havePodsWithRequiredAntiAffinity(): Iterable<NodeInfo>;
  /** Each pod on a node of the snapshot, in one of `namespaces` (every namespace when undefined), that `selector` matches. */
  forEachPodMatching(namespaces: ReadonlySet<string> | undefined, selector: Selector, visit: (pod: PodInfo, node: NodeInfo) => void): void;
}

/** The attempt's snapshot, for plugins that look beyond the node they are given. */
export const snapshotKey = new StateKey<Snapshot>("framework/snapshot");

/** A snapshot of a plain node list, answered by walking it: for tests and what-if runs without a cache. */
export class NodeListSnapshot implements Snapshot {
  constructor(readonly nodes: readonly NodeInfo[]) {}

  havePodsWithAffinity(): Iterable<NodeInfo> {
    return this.nodes.filter((n) => n.podsWithAffinity.size > 0);
  }

  havePodsWithRequiredAntiAffinity(): Iterable<NodeInfo> {
    return this.nodes.filter((n) => n.podsWithRequiredAntiAffinity.size > 0);
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
