/** A StatefulSet pod's health, as the StatefulSet controller judges it (isRunningAndReady, isHealthy). */
import { readySince, type Pod } from "@capstan/api";

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === "Running" && readySince(pod) !== undefined;
}

export function isTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}

/** How long until a ready pod is available. */
export function readyRecheckMs(pod: Pod, minReadySeconds: number, now: Date): number {
  const since = readySince(pod)?.getTime() ?? now.getTime();
  return Math.max(0, since + minReadySeconds * 1000 - now.getTime());
}
