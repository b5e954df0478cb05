import { ContainerStatus, PodStatus, arrayOf, podView, statusOf, type JsonObject } from "@capstan/api";
import { canonicalJson } from "./canonical-json.js";
import { hasContainerStarted, hasSidecarStarted, type PodRuntimeStatus } from "./runtime/index.js";

type Condition = { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string };

/** Keeps a condition's lastTransitionTime when its status did not change. */
function condition(previous: readonly Condition[], type: string, status: boolean, now: string, why?: { reason: string; message: string }): Condition {
  const value = status ? "True" : "False";
  const before = previous.find((c) => c.type === type);
  return { type, status: value, lastTransitionTime: before?.status === value ? (before.lastTransitionTime ?? now) : now, ...why };
}

/** Why Ready and ContainersReady are False, in the kubelet's words. */
function unreadyBecause(runtime: PodRuntimeStatus, unready: readonly string[]): { reason: string; message: string } | undefined {
  if (runtime.phase === "Succeeded" || runtime.phase === "Failed") return { reason: "PodCompleted", message: "" };
  if (unready.length === 0) return undefined;
  return { reason: "ContainersNotReady", message: `containers with unready status: [${unready.join(" ")}]` };
}

/** Initialized is False, naming the init containers not yet succeeded (a sidecar: not yet started), until each has. */
function uninitializedBecause(runtime: PodRuntimeStatus, sidecars: ReadonlySet<string>): { reason: string; message: string } | undefined {
  const initialized = hasContainerStarted(runtime.containerStatuses);
  const incomplete = (runtime.initContainerStatuses ?? [])
    .filter((c) => (sidecars.has(c.name) ? !initialized && !hasSidecarStarted(c) : c.state?.terminated?.exitCode !== 0 || !c.state.terminated))
    .map((c) => c.name);
  if (incomplete.length === 0) return undefined;
  return { reason: "ContainersNotInitialized", message: `containers with incomplete status: [${incomplete.join(" ")}]` };
}

/** The PodStatus the API should show for what the runtime reports. */
export function podStatusFrom(pod: JsonObject, runtime: PodRuntimeStatus, hostIP: string, now: string): JsonObject {
  const previous = arrayOf<Condition>(statusOf(pod)["conditions"]);
  // Sidecars count for readiness as the containers do (the kubelet's GenerateContainersReadyCondition).
  const sidecars = podView(pod).sidecarNames;
  const counted = [...(runtime.initContainerStatuses ?? []).filter((c) => sidecars.has(c.name)), ...runtime.containerStatuses];
  const unready = counted.filter((c) => !c.ready).map((c) => c.name);
  const containersReady = runtime.containerStatuses.length > 0 && unready.length === 0;
  const why = containersReady ? undefined : unreadyBecause(runtime, unready);
  const uninitialized = uninitializedBecause(runtime, sidecars);
  const scheduled = previous.find((c) => c.type === "PodScheduled") ?? { type: "PodScheduled", status: "True", lastTransitionTime: now };
  const status: JsonObject = {
    ...statusOf(pod),
    phase: runtime.phase,
    conditions: [
      condition(previous, "Initialized", uninitialized === undefined, now, uninitialized),
      condition(previous, "Ready", containersReady, now, why),
      condition(previous, "ContainersReady", containersReady, now, why),
      scheduled,
    ],
    hostIP,
    podIP: runtime.podIP,
    podIPs: runtime.podIP ? [{ ip: runtime.podIP }] : [],
    // Kubernetes JSON spelling (containerID, imageID), as the rest of this object.
    containerStatuses: runtime.containerStatuses.map((c) => ContainerStatus.toJSON(c)),
  };
  if (runtime.initContainerStatuses?.length) status["initContainerStatuses"] = runtime.initContainerStatuses.map((c) => ContainerStatus.toJSON(c));
  else delete status["initContainerStatuses"];
  if (runtime.startTime) status["startTime"] = runtime.startTime;
  if (runtime.reason) status["reason"] = runtime.reason;
  else delete status["reason"];
  if (runtime.message) status["message"] = runtime.message;
  else delete status["message"];
  return status;
}

/** Whether writing `next` would change what the API shows; a write of the same status would still cost an event. */
export function podStatusHasChanged(previous: JsonObject | undefined, next: JsonObject): boolean {
  return canonicalJson(PodStatus.toJSON(PodStatus.fromJSON(previous ?? {}))) !== canonicalJson(PodStatus.toJSON(PodStatus.fromJSON(next)));
}
