import type { Node, NodeCondition } from "@capstan/api";

/**
 * The conditions a node agent posts, which say nothing once it stops posting (Kubernetes' list; a
 * condition another component owns, such as NetworkUnavailable, is left alone).
 */
const AGENT_CONDITIONS: ReadonlySet<string> = new Set(["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]);

export type ConditionStatus = "True" | "False" | "Unknown";

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions.find((c) => c.type === "Ready");
}

/** The Ready condition's status; undefined for a node that never posted one. */
export function readyStatus(node: Node): ConditionStatus | undefined {
  const status = readyCondition(node)?.status;
  return status === "True" || status === "False" || status === "Unknown" ? status : undefined;
}

/**
 * When the node last showed it was alive: the newer of its node lease's renewal (`leaseRenewTime`, ms)
 * and its Ready heartbeat, or its creation if it has neither. The agent renews the lease every
 * heartbeat and posts status only when it changes, so the lease is usually the newer. Kubernetes times
 * this by when it saw the change rather than by the node's clock; every Capstan process reads one
 * machine's clock, so the times themselves will do.
 */
export function lastHeartbeat(node: Node, leaseRenewTime?: number): number | undefined {
  const heartbeat = Date.parse(readyCondition(node)?.lastHeartbeatTime ?? "");
  const lease = leaseRenewTime !== undefined && Number.isFinite(leaseRenewTime) ? leaseRenewTime : undefined;
  if (Number.isFinite(heartbeat)) return lease === undefined ? heartbeat : Math.max(heartbeat, lease);
  if (lease !== undefined) return lease;
  const created = Date.parse(node.metadata?.creationTimestamp ?? "");
  return Number.isFinite(created) ? created : undefined;
}

/**
 * The node's conditions if its agent has been silent (no status, no lease renewal) for longer than the
 * grace period: the agent's conditions turn Unknown (with a Ready added if it never posted one).
 * Undefined when nothing changes: the node is fresh, or already Unknown.
 */
export function staleConditions(node: Node, now: number, gracePeriodMs: number, leaseRenewTime?: number): NodeCondition[] | undefined {
  const heartbeat = lastHeartbeat(node, leaseRenewTime);
  if (heartbeat === undefined || now - heartbeat <= gracePeriodMs) return undefined;
  const at = new Date(now).toISOString();
  const conditions = node.status?.conditions ?? [];
  let changed = false;
  const out = conditions.map((c) => {
    if (!AGENT_CONDITIONS.has(c.type) || c.status === "Unknown") return c;
    changed = true;
    return { ...c, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: at };
  });
  if (!readyCondition(node)) {
    changed = true;
    out.push({
      type: "Ready",
      status: "Unknown",
      reason: "NodeStatusNeverUpdated",
      message: "Kubelet never posted node status.",
      lastHeartbeatTime: node.metadata?.creationTimestamp ?? "",
      lastTransitionTime: at,
    });
  }
  return changed ? out : undefined;
}
