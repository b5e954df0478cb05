import { readySince, type Pod } from "@capstan/api";

export function isActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata?.deletionTimestamp;
}

/** Being deleted and not yet stopped (Kubernetes' IsPodTerminating). */
export function isTerminating(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && Boolean(pod.metadata?.deletionTimestamp);
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function restarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);
}

/**
 * The order in which surplus replicas are deleted, cheapest loss first, as the ReplicaSet controller's
 * ActivePods ranking: unscheduled before scheduled, Pending before Unknown before Running, not ready
 * before ready, ready for less time before longer, more restarts before fewer, newer before older.
 */
export function deletionOrder(a: Pod, b: Pod): number {
  const scheduled = (p: Pod) => (p.spec?.nodeName ? 1 : 0);
  if (scheduled(a) !== scheduled(b)) return scheduled(a) - scheduled(b);
  const phase = (p: Pod) => phaseRank[p.status?.phase ?? "Pending"] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const readyA = readySince(a);
  const readyB = readySince(b);
  if ((readyA === undefined) !== (readyB === undefined)) return readyA === undefined ? -1 : 1;
  if (readyA && readyB && readyA.getTime() !== readyB.getTime()) return readyB.getTime() - readyA.getTime();
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? "") || 0;
  return created(b) - created(a);
}
