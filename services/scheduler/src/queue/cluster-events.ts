/**
 * The cluster changes that can make an unschedulable pod schedulable, after kube-scheduler's
 * framework.ClusterEvent and its plugins' EventsToRegister: a pod that a plugin rejected waits until an
 * event that plugin cares about happens, instead of being retried on every change.
 */
import { metaOf, nodeView, specOf, statusOf, type JsonObject } from "@capstan/api";

export type ClusterEvent =
  | "NodeAdd"
  | "NodeDelete"
  | "NodeLabelChange"
  | "NodeTaintChange"
  | "NodeSpecUnschedulableChange"
  | "NodeAllocatableChange"
  | "NodeConditionChange"
  | "AssignedPodAdd"
  | "AssignedPodUpdate"
  | "AssignedPodDelete"
  | "PersistentVolumeClaimAdd"
  | "PersistentVolumeClaimUpdate"
  | "PersistentVolumeAdd"
  | "PersistentVolumeUpdate"
  | "StorageClassAdd"
  /** The pod waited in unschedulableQ longer than the flush interval. */
  | "UnschedulableTimeout";

/**
 * The events each filtering plugin registers (its EventsToRegister). A pod rejected by a plugin not
 * listed here moves on every event, as kube-scheduler treats a plugin that registers none.
 */
const pluginEvents: ReadonlyMap<string, ReadonlySet<ClusterEvent>> = new Map(
  Object.entries({
    NodeName: ["NodeAdd"],
    NodeUnschedulable: ["NodeAdd", "NodeSpecUnschedulableChange", "NodeTaintChange"],
    NodeReady: ["NodeAdd", "NodeConditionChange"],
    NodeResourcesFit: ["NodeAdd", "NodeAllocatableChange", "AssignedPodDelete", "AssignedPodUpdate"],
    NodePorts: ["NodeAdd", "AssignedPodDelete"],
    NodeAffinity: ["NodeAdd", "NodeLabelChange"],
    TaintToleration: ["NodeAdd", "NodeTaintChange"],
    PodTopologySpread: ["NodeAdd", "NodeDelete", "NodeLabelChange", "NodeTaintChange", "AssignedPodAdd", "AssignedPodUpdate", "AssignedPodDelete"],
    InterPodAffinity: ["NodeAdd", "NodeLabelChange", "AssignedPodAdd", "AssignedPodUpdate", "AssignedPodDelete"],
    VolumeBinding: ["NodeAdd", "NodeLabelChange", "PersistentVolumeClaimAdd", "PersistentVolumeClaimUpdate", "PersistentVolumeAdd", "PersistentVolumeUpdate", "StorageClassAdd"],
  }).map(([plugin, events]) => [plugin, new Set(events as ClusterEvent[])]),
);

/** Whether `event` may make a pod that these plugins rejected schedulable. */
export function mayMakeSchedulable(event: ClusterEvent, unschedulablePlugins: ReadonlySet<string>): boolean {
  if (event === "UnschedulableTimeout" || unschedulablePlugins.size === 0) return true;
  for (const plugin of unschedulablePlugins) {
    const events = pluginEvents.get(plugin);
    if (!events || events.has(event)) return true;
  }
  return false;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const conditionStatuses = (node: JsonObject): string =>
  nodeView(node)
    .conditions.map((c) => `${c.type}=${c.status}`)
    .join(",");

/** What a Node update changed that scheduling looks at (kube-scheduler's nodeSchedulingPropertiesChange); none for a heartbeat. */
export function nodeUpdateEvents(before: JsonObject, after: JsonObject): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  // The raw members, not the views' defaults: an absent list and an empty one stay different changes.
  const [specBefore, specAfter] = [specOf(before), specOf(after)];
  if (Boolean(specBefore["unschedulable"]) !== Boolean(specAfter["unschedulable"])) events.push("NodeSpecUnschedulableChange");
  if (!sameJson(statusOf(before)["allocatable"], statusOf(after)["allocatable"])) events.push("NodeAllocatableChange");
  if (!sameJson(metaOf(before).json["labels"], metaOf(after).json["labels"])) events.push("NodeLabelChange");
  if (!sameJson(specBefore["taints"], specAfter["taints"])) events.push("NodeTaintChange");
  if (conditionStatuses(before) !== conditionStatuses(after)) events.push("NodeConditionChange");
  return events;
}
