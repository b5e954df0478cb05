// What the process runtime holds in memory for each pod it runs, its containers and their processes.
import type { Container, ContainerStatus, Pod } from "@capstan/api";
import type { ChildProcess } from "node:child_process";
import type { LogStream } from "./container-logs.js";
import type { PodIdentity } from "./container-env.js";
import { hasContainerStarted, initPhase, podPhase } from "./pod-phase.js";
import type { ContainerProber } from "./prober.js";
import { restartPolicyOf, type RestartPolicy } from "./restart-backoff.js";
import type { PodRuntimeStatus, RuntimeLogger } from "./runtime.js";

export const defaultGracePeriodSeconds = 30;

/** One instance of a container: a process group on this host. */
export interface ContainerProcess {
  child: ChildProcess;
  pid: number | undefined;
  instance: number;
  startedAt: string;
  /** Set when the process could not exec (sandbox set-up, missing executable, spawn error). */
  startError: string | undefined;
  /** Its environment, for exec probes too. */
  env: Record<string, string>;
  /** Set when the runtime stops it on purpose: its exit is not a crash to restart. */
  stopping: boolean;
  /** Set when a failed liveness or startup probe killed it: it restarts unless the policy is Never. */
  unhealthy: "liveness" | "startup" | undefined;
  /** Probes this instance while it runs. */
  prober: ContainerProber | undefined;
  exited: Promise<void>;
  markExited: () => void;
}

export interface ContainerRecord {
  spec: Container;
  /** One of spec.initContainers: it runs to completion, and a failure restarts it unless the policy is Never. */
  init: boolean;
  /**
   * An init container with restartPolicy Always (a native sidecar): the next init container starts once it
   * has started, and it keeps running beside the containers, restarted whatever the pod's policy, until
   * they are done.
   */
  sidecar: boolean;
  status: ContainerStatus;
  /** Number of the current (or last) instance; -1 before the first. Logs are `<instance>.log`. */
  instance: number;
  launched: boolean;
  process: ContainerProcess | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  /** Set while restartTimer waits to try again a container that could not be configured (a missing ConfigMap or Secret). */
  awaitingConfig: boolean;
  followers: Set<LogStream>;
}

export interface PodRecord {
  uid: string;
  identity: PodIdentity;
  pod: Pod;
  policy: RestartPolicy;
  startTime: string;
  containers: Map<string, ContainerRecord>;
  /** spec.initContainers, in order: each must exit 0 before the next, and all before any of `containers`. */
  initContainers: Map<string, ContainerRecord>;
  terminating: boolean;
  /** Set when the pod can never run here; the phase is then Failed. */
  failure: { reason: string; message: string } | undefined;
  /** Syncs and restarts of one pod run one at a time. */
  queue: Promise<void>;
  killing: Promise<void> | undefined;
}

/** RFC 3339 to the second, as Kubernetes writes timestamps. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A pod just admitted: every container waits in ContainerCreating; `lastInstance` counts on from a previous life. */
export function newPodRecord(uid: string, pod: Pod, identity: PodIdentity, lastInstance: (container: string) => number): PodRecord {
  const rec: PodRecord = {
    uid,
    identity,
    pod,
    policy: restartPolicyOf(pod.spec?.restartPolicy),
    startTime: now(),
    containers: new Map(),
    initContainers: new Map(),
    terminating: false,
    failure: undefined,
    queue: Promise.resolve(),
    killing: undefined,
  };
  const initSpecs = pod.spec?.initContainers ?? [];
  // Init containers that succeeded in a previous life of this agent (the API's status says so) do not run again; sidecars do.
  const before = pod.status?.initContainerStatuses ?? [];
  const initialized =
    initSpecs.length > 0 && initSpecs.every((spec) => isSidecar(spec) || before.some((s) => s.name === spec.name && s.state?.terminated?.exitCode === 0));
  const waitingReason = initSpecs.length > 0 && !initialized ? "PodInitializing" : "ContainerCreating";
  for (const spec of initSpecs) {
    const c = newContainerRecord(spec, true, "PodInitializing", lastInstance(spec.name));
    const done = initialized && !isSidecar(spec) ? before.find((s) => s.name === spec.name) : undefined;
    if (done) {
      c.status = structuredClone(done);
      c.launched = true;
    }
    rec.initContainers.set(spec.name, c);
  }
  for (const spec of pod.spec?.containers ?? []) rec.containers.set(spec.name, newContainerRecord(spec, false, waitingReason, lastInstance(spec.name)));
  return rec;
}

export function isSidecar(spec: Container): boolean {
  return spec.restartPolicy === "Always";
}

function newContainerRecord(spec: Container, init: boolean, waitingReason: string, instance: number): ContainerRecord {
  return {
    spec,
    init,
    sidecar: init && isSidecar(spec),
    status: {
      name: spec.name,
      state: { waiting: { reason: waitingReason, message: "" } },
      ready: false,
      restartCount: 0,
      image: spec.image,
      imageId: "",
      containerId: "",
      started: false,
    },
    instance,
    launched: false,
    process: undefined,
    restartTimer: undefined,
    awaitingConfig: false,
    followers: new Set(),
  };
}

/** Init containers first, then the others: every container the pod has. */
export function allContainers(rec: PodRecord): ContainerRecord[] {
  return [...rec.initContainers.values(), ...rec.containers.values()];
}

/** The pod's sidecars, in spec order. */
export function sidecarsOf(rec: PodRecord): ContainerRecord[] {
  return [...rec.initContainers.values()].filter((c) => c.sidecar);
}

export function newContainerProcess(child: ChildProcess, instance: number, env: Record<string, string>): ContainerProcess {
  let markExited!: () => void;
  return {
    child,
    pid: child.pid,
    instance,
    startedAt: now(),
    startError: undefined,
    env,
    stopping: false,
    unhealthy: undefined,
    prober: undefined,
    exited: new Promise<void>((resolve) => (markExited = resolve)),
    markExited: () => markExited(),
  };
}

export function podRuntimeStatus(rec: PodRecord): PodRuntimeStatus {
  const containerStatuses = [...rec.containers.values()].map((c) => structuredClone(c.status));
  const initContainerStatuses = [...rec.initContainers.values()].map((c) => structuredClone(c.status));
  const sidecars = new Set([...rec.initContainers.values()].filter((c) => c.sidecar).map((c) => c.spec.name));
  const phase = rec.failure ? "Failed" : (initPhase(rec.policy, initContainerStatuses, sidecars, hasContainerStarted(containerStatuses)) ?? podPhase(rec.policy, containerStatuses));
  return {
    podIP: rec.identity.podIP,
    phase,
    startTime: rec.startTime,
    containerStatuses,
    ...(initContainerStatuses.length > 0 ? { initContainerStatuses } : {}),
    ...(rec.failure ? { reason: rec.failure.reason, message: rec.failure.message } : {}),
  };
}

export function gracePeriodOf(rec: PodRecord): number {
  return rec.pod.spec?.terminationGracePeriodSeconds ?? defaultGracePeriodSeconds;
}

/** Runs `work` after the pod's earlier work; a failure is logged here and does not stop what follows. */
export function enqueue(rec: PodRecord, logger: RuntimeLogger, work: () => Promise<void>): Promise<void> {
  const next = rec.queue.then(work);
  rec.queue = next.catch((e: unknown) => {
    logger.warn("pod sync failed", { podUid: rec.uid, error: e instanceof Error ? e.message : String(e) });
  });
  return next;
}
