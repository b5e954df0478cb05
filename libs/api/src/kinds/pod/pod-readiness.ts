/** When a pod became ready and whether it is available (Kubernetes' podutil.IsPodAvailable), for the workload controllers. */
import type { Pod } from "../../gen/capstan/v1/core.js";

/** When the pod's Ready condition last turned True (the epoch if it carries no time), or undefined while it is not ready. */
export function readySince(pod: Pod): Date | undefined {
  const ready = pod.status?.conditions.find((c) => c.type === "Ready");
  if (ready?.status !== "True") return undefined;
  return ready.lastTransitionTime ? new Date(ready.lastTransitionTime) : new Date(0);
}

/** Ready for at least minReadySeconds, as Kubernetes counts an available replica. */
export function isAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  const since = readySince(pod);
  return since !== undefined && now.getTime() - since.getTime() >= minReadySeconds * 1000;
}
