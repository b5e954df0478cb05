import type { JsonObject } from "@capstan/client";
import type { PodRuntimeStatus } from "./runtime/index.js";

type Condition = { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string };

/** Keeps a condition's lastTransitionTime when its status did not change. */
function condition(previous: Condition[], type: string, status: boolean, now: string): Condition {
  const value = status ? "True" : "False";
  const before = previous.find((c) => c.type === type);
  return { type, status: value, lastTransitionTime: before?.status === value ? (before.lastTransitionTime ?? now) : now };
}

/** The PodStatus the API should show for what the runtime reports. */
export function podStatusFrom(pod: JsonObject, runtime: PodRuntimeStatus, hostIP: string, now: string): JsonObject {
  const previous = (((pod["status"] ?? {}) as JsonObject)["conditions"] ?? []) as Condition[];
  const containersReady = runtime.containerStatuses.length > 0 && runtime.containerStatuses.every((c) => c.ready);
  const scheduled = previous.find((c) => c.type === "PodScheduled") ?? { type: "PodScheduled", status: "True", lastTransitionTime: now };
  const status: JsonObject = {
    ...((pod["status"] ?? {}) as JsonObject),
    phase: runtime.phase,
    conditions: [
      condition(previous, "Initialized", true, now),
      condition(previous, "Ready", containersReady, now),
      condition(previous, "ContainersReady", containersReady, now),
      scheduled,
    ],
    hostIP,
    podIP: runtime.podIP,
    podIPs: runtime.podIP ? [{ ip: runtime.podIP }] : [],
    containerStatuses: runtime.containerStatuses,
  };
  if (runtime.startTime) status["startTime"] = runtime.startTime;
  if (runtime.reason) status["reason"] = runtime.reason;
  else delete status["reason"];
  if (runtime.message) status["message"] = runtime.message;
  else delete status["message"];
  return status;
}
