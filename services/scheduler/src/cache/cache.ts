/**
 * The scheduler's own view of the cluster: a NodeInfo per node with the pods bound to it, plus pods
 * the scheduler has assumed (decided, bind in flight or not yet observed). Reflector events keep it
 * current incrementally, so a decision reads it without a round trip. An assumed pod counts on its node
 * until the pod's bound state is observed (confirming it) or the bind fails (forget).
 */
import { podView, type JsonObject } from "@capstan/api";
import type { Selector } from "@capstan/apimachinery";
import { NodeInfo, nodeFactsFrom } from "../framework/node-info.js";
import { podInfoFrom, type PodInfo } from "../framework/pod-info.js";
import type { Snapshot } from "../framework/snapshot.js";
import type { ExistingTerm } from "../framework/affinity-terms.js";
import { AffinityTermIndex } from "./affinity-term-index.js";
import { PodIndex, type PlacedPod } from "./pod-index.js";

interface PodState extends PlacedPod {
  readonly assumed: boolean;
}

const isTerminal = (pod: JsonObject): boolean => podView(pod).isTerminal;

export class SchedulerCache implements Snapshot {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private readonly podIndex = new PodIndex();
  private readonly termIndex = new AffinityTermIndex();
  private list: NodeInfo[] | undefined;

  /** The nodes, in a stable order; image counts across nodes are brought up to date first. */
  get nodes(): readonly NodeInfo[] {
    if (!this.list) {
      this.list = [...this.nodeInfos.values()];
      const count = new Map<string, number>();
      for (const n of this.list) for (const image of n.node.images.keys()) count.set(image, (count.get(image) ?? 0) + 1);
      for (const n of this.list) for (const [image, state] of n.node.images) state.numNodes = count.get(image) ?? 0;
    }
    return this.list;
  }

  get nodeCount(): number {
    return this.nodeInfos.size;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  forEachAffinityTermMatching(pod: PodInfo, visit: (t: ExistingTerm, node: NodeInfo) => void): void {
    this.termIndex.forEachMatching(pod, (t) => {
      const node = this.nodeInfos.get(t.nodeName);
      if (node) visit(t.existing, node);
    });
  }

  forEachPodMatching(namespaces: ReadonlySet<string> | undefined, selector: Selector, visit: (pod: PodInfo, node: NodeInfo) => void): void {
    this.podIndex.forEachMatching(namespaces, selector, (p) => {
      const node = this.nodeInfos.get(p.nodeName);
      if (node) visit(p.pod, node);
    });
  }

  setNode(node: JsonObject): void {
    const facts = nodeFactsFrom(node);
    const existing = this.nodeInfos.get(facts.name);
    if (existing) existing.node = facts;
    else {
      const info = new NodeInfo(facts);
      for (const s of this.podStates.values()) if (s.nodeName === facts.name) info.addPod(s.pod);
      this.nodeInfos.set(facts.name, info);
    }
    this.list = undefined;
  }

  deleteNode(name: string): void {
    const info = this.nodeInfos.get(name);
    if (!info) return;
    this.nodeInfos.delete(name);
    this.list = undefined;
  }

  replaceNodes(nodes: readonly JsonObject[]): void {
    this.nodeInfos.clear();
    this.list = undefined;
    for (const n of nodes) this.setNode(n);
  }

  /**
   * An observed pod: counted on its node when bound and not finished. An unbound observation does not
   * undo an assumption: it may be older than the bind.
   */
  setPod(pod: JsonObject): void {
    const info = podInfoFrom(pod);
    const existing = this.podStates.get(info.key);
    if (info.nodeName && !isTerminal(pod)) this.place({ pod: info, nodeName: info.nodeName, assumed: false });
    else if (!existing?.assumed || isTerminal(pod)) this.removePod(info.key);
  }

  removePod(key: string): void {
    const existing = this.podStates.get(key);
    if (!existing) return;
    this.nodeInfos.get(existing.nodeName)?.removePod(key);
    this.podStates.delete(key);
    this.podIndex.remove(existing);
    this.termIndex.remove(existing);
  }

  /** A fresh list of pods: assumptions not contradicted by it survive. */
  replacePods(pods: readonly JsonObject[]): void {
    for (const [key, s] of this.podStates) if (!s.assumed) this.removePod(key);
    for (const p of pods) this.setPod(p);
  }

  assumePod(pod: PodInfo, nodeName: string): void {
    this.place({ pod, nodeName, assumed: true });
  }

  /** The bind failed: stop counting the pod, unless its binding has been observed meanwhile. */
  forgetPod(key: string): void {
    if (this.podStates.get(key)?.assumed) this.removePod(key);
  }

  isAssumed(key: string): boolean {
    return this.podStates.get(key)?.assumed === true;
  }

  private place(state: PodState): void {
    this.removePod(state.pod.key);
    this.podStates.set(state.pod.key, state);
    this.podIndex.add(state);
    this.termIndex.add(state);
    this.nodeInfos.get(state.nodeName)?.addPod(state.pod);
  }
}
