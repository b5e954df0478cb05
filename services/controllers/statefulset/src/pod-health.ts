/** A StatefulSet pod's health, as the StatefulSet controller judges it (isRunningAndReady, isHealthy). */
import type { Pod } from "@capstan/api";

/** When the pod's Ready condition last turned True, or undefined while it is not ready. */
function readySince(pod: Pod): Date | undefined {
  const ready = pod.status?.conditions.find((c) => c.type === "Ready");
  if (ready?.status !== "True") return undefined;
  return ready.lastTransitionTime ? new Date(ready.lastTransitionTime) : new Date(0);
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && readySince(pod) !== undefined;
}

export function isTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}

/** Ready for at least minReadySeconds. */
export function isAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  const since = readySince(pod);
  return since !== undefined && now.getTime() - since.getTime() >= minReadySeconds * 1000;
}

/** How long until a ready pod is available. */
export function readyRecheckMs(pod: Pod, minReadySeconds: number, now: Date): number {
  const since = readySince(pod)?.getTime() ?? now.getTime();
  return Math.max(0, since + minReadySeconds * 1000 - now.getTime());
}
