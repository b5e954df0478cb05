/** Whether a DaemonSet's pod belongs on a node (Kubernetes' NodeShouldRunDaemonPod). */
import type { DaemonSet, Node } from "@capstan/api";
import { findUntoleratedTaint, podMatchesNodeSelectorAndAffinity } from "@capstan/scheduler";
import { withDaemonTolerations } from "./daemon-pod.js";

export interface NodeVerdict {
  /** A pod should be created on the node if it has none. */
  readonly shouldRun: boolean;
  /** A pod already there may stay. */
  readonly shouldContinueRunning: boolean;
}

const RUN: NodeVerdict = { shouldRun: true, shouldContinueRunning: true };
const NEVER: NodeVerdict = { shouldRun: false, shouldContinueRunning: false };
const STAY: NodeVerdict = { shouldRun: false, shouldContinueRunning: true };

const isNoScheduleOrNoExecute = (t: { effect: string }) => t.effect === "NoSchedule" || t.effect === "NoExecute";
const isNoExecute = (t: { effect: string }) => t.effect === "NoExecute";

/**
 * The template's nodeName, nodeSelector and node affinity, and its tolerations with the daemon ones
 * added, against the node. A node name or node affinity that does not match keeps the pod off (and evicts
 * it); an untolerated NoSchedule or NoExecute taint keeps a new pod off, and only an untolerated
 * NoExecute taint evicts one already there.
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeVerdict {
  const name = node.metadata?.name ?? "";
  const templateSpec = ds.spec?.template?.spec;
  if (templateSpec?.nodeName && templateSpec.nodeName !== name) return NEVER;
  const matches = podMatchesNodeSelectorAndAffinity(
    { nodeSelector: templateSpec?.nodeSelector ?? {}, nodeAffinity: templateSpec?.affinity?.nodeAffinity },
    name,
    node.metadata?.labels ?? {},
  );
  if (!matches) return NEVER;
  const taints = node.spec?.taints ?? [];
  const tolerations = withDaemonTolerations(templateSpec?.tolerations ?? []);
  if (!findUntoleratedTaint(taints, tolerations, isNoScheduleOrNoExecute)) return RUN;
  return findUntoleratedTaint(taints, tolerations, isNoExecute) ? NEVER : STAY;
}
