import type { ContainerStatus } from "@capstan/api";
import type { RestartPolicy } from "./restart-backoff.js";
import type { PodPhase } from "./runtime.js";

/**
 * The pod phase from its container statuses, as the kubelet's `getPhase` computes it: a container that
 * waits without ever having run keeps the pod Pending; a waiting container that ran before is restarting
 * and counts as stopped; once nothing runs, the restart policy decides whether the pod is done.
 */
export function podPhase(policy: RestartPolicy, statuses: readonly ContainerStatus[]): PodPhase {
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0 || statuses.length === 0) return "Pending";
  if (running > 0) return "Running";
  if (policy === "Always") return "Running";
  if (succeeded === stopped) return "Succeeded";
  if (policy === "Never") return "Failed";
  return "Running";
}

/**
 * The phase while init containers decide it (the kubelet's getPhase): Pending until each has exited 0
 * and each sidecar has started, Failed once one failed and the policy is Never; undefined once
 * initialized. A sidecar that stopped after it started (it restarts), or one restarting once the
 * containers have run (`containersStarted`), does not count.
 */
export function initPhase(
  policy: RestartPolicy,
  initStatuses: readonly ContainerStatus[],
  sidecars: ReadonlySet<string> = new Set(),
  containersStarted = false,
): PodPhase | undefined {
  let pending = false;
  for (const s of initStatuses) {
    if (sidecars.has(s.name)) {
      if (!containersStarted && !hasSidecarStarted(s)) pending = true;
      continue;
    }
    const terminated = s.state?.terminated;
    if (terminated?.exitCode === 0) continue;
    if (terminated && policy === "Never") return "Failed";
    pending = true;
  }
  return pending ? "Pending" : undefined;
}

/** A sidecar running with its startup probe passed, or one that ran and stopped since. */
export function hasSidecarStarted(s: ContainerStatus): boolean {
  if (s.state?.running) return s.started === true;
  return s.state?.terminated !== undefined || s.lastState?.terminated !== undefined;
}

/** Whether every init container has exited 0 (true for a pod without init containers). */
export function isInitialized(initStatuses: readonly ContainerStatus[]): boolean {
  return initStatuses.every((s) => s.state?.terminated?.exitCode === 0);
}

/** Whether any of the containers has run: the pod was initialized. */
export function hasContainerStarted(statuses: readonly ContainerStatus[]): boolean {
  return statuses.some((s) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
}

export function isTerminalPhase(phase: PodPhase): boolean {
  return phase === "Succeeded" || phase === "Failed";
}
