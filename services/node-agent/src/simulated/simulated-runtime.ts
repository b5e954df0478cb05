import type { ContainerStatus, Pod } from "@capstan/api";
import { UnavailableError, systemClock, type Clock, type Timer } from "@capstan/apimachinery";
import { podPhase, type ExecSession, type PodRuntimeStatus, type RestartPolicy, type Runtime } from "../runtime/index.js";

export interface SimulatedRuntimeOptions {
  /** Time from a pod's first sync to Running (image pull and container start, simulated). */
  readonly startMs: number;
  /** Up to this much more, at random, so pods bound together do not all start in the same tick. */
  readonly startJitterMs: number;
  /** A deleted pod stops after its grace period, or after this long if that is shorter. */
  readonly maxStopMs: number;
  readonly clock?: Clock;
  readonly random?: () => number;
}

interface SimulatedPod {
  readonly status: PodRuntimeStatus;
  timer?: Timer | undefined;
}

/** A fake, unique address per pod from 10.0.0.0/8 (never .0 or .255 in the last octet). */
export function simulatedPodIP(n: number): string {
  const host = Math.floor(n / 254) * 256 + (n % 254) + 1;
  return `10.${(host >>> 16) & 255}.${(host >>> 8) & 255}.${host & 255}`;
}

function containerStatuses(pod: Pod, startedAt: string | undefined): ContainerStatus[] {
  const uid = pod.metadata?.uid ?? "";
  return (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    image: c.image,
    imageId: startedAt ? `simulated://${c.image}` : "",
    containerId: startedAt ? `simulated://${uid}/${c.name}` : "",
    restartCount: 0,
    ready: startedAt !== undefined,
    started: startedAt !== undefined,
    state: startedAt ? { running: { startedAt } } : { waiting: { reason: "ContainerCreating", message: "" } },
  }));
}

/** Simulated init containers finish at once: each has exited 0 by the pod's first sync; a sidecar runs, started and ready. */
function initContainerStatuses(pod: Pod, at: string): Pick<PodRuntimeStatus, "initContainerStatuses"> {
  const uid = pod.metadata?.uid ?? "";
  const statuses = (pod.spec?.initContainers ?? []).map((c) => {
    const sidecar = c.restartPolicy === "Always";
    return {
      name: c.name,
      image: c.image,
      imageId: `simulated://${c.image}`,
      containerId: `simulated://${uid}/${c.name}`,
      restartCount: 0,
      ready: sidecar,
      started: sidecar,
      state: sidecar ? { running: { startedAt: at } } : { terminated: { exitCode: 0, signal: 0, reason: "Completed", message: "", startedAt: at, finishedAt: at } },
    };
  });
  return statuses.length > 0 ? { initContainerStatuses: statuses } : {};
}

/**
 * DESIGN.md §6 `simulated`: no processes. A pod is ContainerCreating from its first sync, Running with
 * ready containers and an address after the configured start latency, and gone after its grace period
 * (capped) once deleted. Containers never exit, whatever their restart policy. Every image "pulls": a
 * simulated node stands for a real one with a registry, for scale tests and benchmarks, and has no image
 * store to miss an image in (the process runtime's catalog does; there an unknown image is ErrImagePull).
 */
export class SimulatedRuntime implements Runtime {
  private readonly pods = new Map<string, SimulatedPod>();
  private readonly listeners: ((podUid: string) => void)[] = [];
  private readonly clock: Clock;
  private readonly random: () => number;
  private addresses = 0;
  /** Addresses of live pods, including pods adopted after a restart, so none is handed out twice. */
  private readonly inUse = new Set<string>();

  constructor(private readonly opts: SimulatedRuntimeOptions) {
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
  }

  async syncPod(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    if (this.pods.has(uid)) return; // a simulated container ignores spec updates, as an immutable one would
    const policy = (pod.spec?.restartPolicy || "Always") as RestartPolicy;
    const before = pod.status;
    if (before?.phase === "Running" && before.podIp && before.startTime) {
      // Running before this fleet (re)started: it keeps running, as a real node's containers outlive its agent.
      const running = containerStatuses(pod, before.startTime);
      const init = initContainerStatuses(pod, before.startTime);
      this.pods.set(uid, { status: { podIP: before.podIp, phase: podPhase(policy, running), startTime: before.startTime, containerStatuses: running, ...init } });
      this.inUse.add(before.podIp);
      this.changed(uid);
      return;
    }
    const creating = containerStatuses(pod, undefined);
    const init = initContainerStatuses(pod, new Date(this.clock.now()).toISOString());
    const simulated: SimulatedPod = { status: { podIP: "", phase: podPhase(policy, creating), containerStatuses: creating, ...init } };
    this.pods.set(uid, simulated);
    simulated.timer = this.clock.setTimeout(
      () => {
        simulated.timer = undefined;
        const startTime = new Date(this.clock.now()).toISOString();
        const running = containerStatuses(pod, startTime);
        Object.assign(simulated.status, { podIP: this.allocateIP(), phase: podPhase(policy, running), startTime, containerStatuses: running });
        this.changed(uid);
      },
      this.opts.startMs + Math.floor(this.random() * this.opts.startJitterMs),
    );
    this.changed(uid);
  }

  async killPod(podUid: string, gracePeriodSeconds: number): Promise<void> {
    const simulated = this.pods.get(podUid);
    if (!simulated) return;
    simulated.timer?.cancel();
    const stopMs = Math.min(gracePeriodSeconds * 1000, this.opts.maxStopMs);
    if (stopMs > 0) await new Promise<void>((resolve) => this.clock.setTimeout(resolve, stopMs));
    this.inUse.delete(simulated.status.podIP);
    this.pods.delete(podUid);
  }

  status(podUid: string): PodRuntimeStatus | undefined {
    return this.pods.get(podUid)?.status;
  }

  runningPods(): string[] {
    return [...this.pods.keys()];
  }

  onStatusChange(listener: (podUid: string) => void): void {
    this.listeners.push(listener);
  }

  /** Simulated pods record no events: at density-test scale they would outnumber the pods several times over. */
  onEvent(): void {}

  logs(): NodeJS.ReadableStream {
    throw new UnavailableError("simulated pods have no logs");
  }

  exec(): ExecSession {
    throw new UnavailableError("exec is not supported by the simulated runtime");
  }

  attach(): ExecSession {
    throw new UnavailableError("attach is not supported by the simulated runtime");
  }

  async shutdown(): Promise<void> {
    for (const simulated of this.pods.values()) simulated.timer?.cancel();
    this.pods.clear();
    this.inUse.clear();
  }

  private allocateIP(): string {
    let ip = simulatedPodIP(this.addresses++);
    while (this.inUse.has(ip)) ip = simulatedPodIP(this.addresses++);
    this.inUse.add(ip);
    return ip;
  }

  private changed(uid: string): void {
    for (const listener of this.listeners) listener(uid);
  }
}
