/**
 * kube-scheduler's nominator (pkg/scheduler/internal/queue): the pending pods that preemption made room
 * for, by the node it nominated. Filter counts them on that node for pods of no higher priority, so the
 * room freed for a preemptor is not taken by a lower-priority pod while the victims terminate. Fed by
 * this scheduler's own nominations and by status.nominatedNodeName of pods it lists (after a restart).
 */
import type { PodInfo } from "../framework/pod-info.js";

/** What the framework and preemption read. */
export interface PodNominator {
  /** Pods nominated to the node, or undefined when none (the common case, checked per node). */
  nominatedPodsForNode(nodeName: string): ReadonlyMap<string, PodInfo> | undefined;
  nominatedNodeOf(key: string): string | undefined;
}

export class Nominator implements PodNominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  /** Nominates `nodeName`, or pod.nominatedNodeName when not given; replaces any earlier nomination. */
  add(pod: PodInfo, nodeName = pod.nominatedNodeName): void {
    this.delete(pod.key);
    // An assigned pod holds its node through the cache; a nomination would count it twice.
    if (!nodeName || pod.nodeName) return;
    this.nodeOf.set(pod.key, nodeName);
    let pods = this.byNode.get(nodeName);
    if (!pods) this.byNode.set(nodeName, (pods = new Map()));
    pods.set(pod.key, pod);
  }

  /**
   * The pod's object changed (kube-scheduler's UpdateNominatedPod). An update without a nominated node
   * right after this scheduler nominated one (its status write not seen yet) keeps the nomination;
   * one that clears the field drops it.
   */
  update(nominatedBefore: string, pod: PodInfo): void {
    const kept = this.nodeOf.get(pod.key);
    if (!pod.nominatedNodeName && !nominatedBefore && kept !== undefined) this.add(pod, kept);
    else this.add(pod);
  }

  /** The pod was bound, deleted, or is no longer nominated. */
  delete(key: string): void {
    const nodeName = this.nodeOf.get(key);
    if (nodeName === undefined) return;
    this.nodeOf.delete(key);
    const pods = this.byNode.get(nodeName)!;
    pods.delete(key);
    if (pods.size === 0) this.byNode.delete(nodeName);
  }

  nominatedPodsForNode(nodeName: string): ReadonlyMap<string, PodInfo> | undefined {
    return this.byNode.get(nodeName);
  }

  nominatedNodeOf(key: string): string | undefined {
    return this.nodeOf.get(key);
  }
}
