import type { QueueSortPlugin } from "../../framework/interface.js";
import type { PodInfo } from "../../framework/pod-info.js";

export const NAME = "PrioritySort";

/** Higher spec.priority first; among equals, the pod created first. */
export class PrioritySort implements QueueSortPlugin {
  readonly name = NAME;

  less(a: PodInfo, b: PodInfo): boolean {
    if (a.priority !== b.priority) return a.priority > b.priority;
    return a.creationTimestamp < b.creationTimestamp;
  }
}

export const createPrioritySort = (): PrioritySort => new PrioritySort();
