import type { ContainerStateTerminated, Pod } from "@capstan/api";
import { constants as osConstants } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { waitForExec, type ContainerLauncher } from "./container-launch.js";
import type { ImagePuller } from "./image-puller.js";
import type { PodLayout } from "./pod-layout.js";
import { isTerminalPhase } from "./pod-phase.js";
import { allContainers, enqueue, gracePeriodOf, now, podRuntimeStatus, sidecarsOf, type ContainerProcess, type ContainerRecord, type PodRecord } from "./pod-record.js";
import type { ProbeSpec } from "./probe.js";
import type { ProbeManager } from "./probe-manager.js";
import { groupExitTimeoutMs, signalGroup, waitForGroupExit } from "./process-group.js";
import { shouldRestartContainer, type RestartBackoff } from "./restart-backoff.js";
import type { RuntimeLogger } from "./runtime.js";
import type { RuntimeListeners } from "./runtime-listeners.js";

/** How soon a container that could not be configured is tried again (the kubelet's pod worker back-off period). */
const configRetryMs = 10_000;

export interface ContainerLifecycleOptions {
  launcher: ContainerLauncher;
  images: ImagePuller;
  probes: ProbeManager;
  layout: PodLayout;
  backoff: RestartBackoff;
  listeners: RuntimeListeners;
  logger: RuntimeLogger;
  /** Once the runtime shuts down, nothing starts or restarts. */
  isShuttingDown: () => boolean;
}

/**
 * A container's life on this host, as the kubelet leads it: each instance is started, probed, and on its
 * exit restarted by the pod's restartPolicy with back-off (CrashLoopBackOff in between), or killed for a
 * failed liveness or startup probe, or stopped for good with SIGTERM, the grace period, then SIGKILL.
 */
export class ContainerLifecycle {
  constructor(private readonly opts: ContainerLifecycleOptions) {}

  /** Makes the pod's containers match `pod`: starts those never started, in spec order, and replaces those whose image changed. */
  async syncContainers(rec: PodRecord, pod: Pod): Promise<void> {
    rec.pod = pod;
    if (rec.failure || isTerminalPhase(podRuntimeStatus(rec).phase)) return;
    if (!(await this.syncInitContainers(rec, pod))) return;
    // Kubernetes starts a pod's containers one after another, in spec order.
    for (const spec of pod.spec?.containers ?? []) {
      if (rec.terminating || this.opts.isShuttingDown()) return;
      const c = rec.containers.get(spec.name);
      if (!c) continue; // containers cannot be added to a pod
      if (c.launched && c.spec.image !== spec.image && (c.process || c.restartTimer)) {
        // The only mutable part of a container: a new image means a new container, as the kubelet does.
        await this.stopContainer(rec, c, gracePeriodOf(rec));
        c.spec = spec;
        await this.startContainer(rec, c);
        continue;
      }
      c.spec = spec;
      if (!c.launched) await this.startContainer(rec, c);
    }
  }

  /**
   * Runs the init containers one at a time, in spec order: starts the first not yet succeeded and answers
   * false while one runs, backs off or failed; true once every one has exited 0 (the pod is Initialized).
   * A sidecar lets the next one start as soon as it has started (its startup probe passed), as the
   * kubelet's computeInitContainerActions; once the containers run, a sidecar only restarts on its own.
   * An init container's exit 0, or a sidecar's start, syncs the pod again, which starts the next.
   */
  private async syncInitContainers(rec: PodRecord, pod: Pod): Promise<boolean> {
    const initialized = [...rec.containers.values()].some((c) => c.launched);
    for (const spec of pod.spec?.initContainers ?? []) {
      const c = rec.initContainers.get(spec.name);
      if (!c) continue;
      if (!c.sidecar && c.status.state?.terminated?.exitCode === 0) continue;
      if (!c.launched && !rec.terminating && !this.opts.isShuttingDown()) {
        c.spec = spec;
        await this.startContainer(rec, c);
      }
      if (c.sidecar && (initialized || c.status.started === true)) continue;
      return false;
    }
    for (const c of rec.containers.values()) {
      if (!c.launched && c.status.state?.waiting?.reason === "PodInitializing") c.status.state = { waiting: { reason: "ContainerCreating", message: "" } };
    }
    return true;
  }

  /**
   * Launches the next instance of a container and resolves once it runs (or could not start). Everything
   * up to the spawn is synchronous, so a concurrent killPod either comes first (and is seen here) or finds
   * the process.
   */
  async startContainer(rec: PodRecord, c: ContainerRecord): Promise<void> {
    if (rec.terminating || this.opts.isShuttingDown()) return;
    const name = c.spec.name;
    // The kubelet pulls first, then creates the container.
    const image = this.opts.images.ensureImageExists(rec, c);
    if ("waiting" in image) {
      c.launched = true;
      c.status = { ...c.status, state: { waiting: image.waiting }, image: c.spec.image, imageId: "", ready: false, started: false };
      this.opts.listeners.emit(rec.uid, "Warning", "Failed", `Error: ${image.waiting.reason}`, name);
      this.opts.listeners.notify(rec.uid);
      // The kubelet's pod worker syncs the pod again after an error: it pulls again, or reports the back-off.
      c.restartTimer = setTimeout(() => this.retryStart(rec, c), this.opts.images.retryMs);
      return;
    }
    const launched = this.opts.launcher.launch(rec, c, image);
    if ("configError" in launched) {
      c.launched = true;
      const { configError, failedMount } = launched;
      if (failedMount) {
        c.status.state = { waiting: { reason: "ContainerCreating", message: "" } };
        this.opts.listeners.emit(rec.uid, "Warning", "FailedMount", configError);
      } else {
        c.status.state = { waiting: { reason: "CreateContainerConfigError", message: configError } };
        this.opts.listeners.emit(rec.uid, "Warning", "Failed", `Error: ${configError}`, name);
      }
      this.opts.listeners.notify(rec.uid);
      // The kubelet tries again on its next sync; a change of a ConfigMap or Secret tries at once (retryUnconfigured).
      c.awaitingConfig = true;
      c.restartTimer = setTimeout(() => this.retryStart(rec, c), configRetryMs);
      return;
    }
    const { proc, imageId, logPath } = launched;
    const instance = proc.instance;
    c.launched = true;
    c.instance = instance;
    c.process = proc;
    c.status = {
      ...c.status,
      state: { waiting: { reason: "ContainerCreating", message: "" } },
      restartCount: instance,
      image: c.spec.image,
      imageId,
      containerId: proc.pid !== undefined ? `process://${proc.pid}` : "",
      ready: false,
      started: false,
    };
    if (proc.pid !== undefined) this.opts.layout.recordProcessGroup(rec.uid, name, proc.pid);
    for (const f of c.followers) f.switchTo(logPath);
    this.opts.listeners.emit(rec.uid, "Normal", "Created", `Created container ${name}`, name);

    const execReport = waitForExec(proc.child);
    const exited = (code: number | null, signal: NodeJS.Signals | null) =>
      void execReport.then((startError) => {
        proc.startError = startError;
        this.containerExited(rec, c, proc, code, signal);
      });
    proc.child.once("close", exited);
    // A failed spawn (no such executable without a sandbox) reports an error and may never close.
    proc.child.once("error", () => {
      if (proc.pid === undefined) exited(null, null);
    });

    const startError = await execReport;
    if (startError !== undefined) {
      this.opts.listeners.emit(rec.uid, "Warning", "Failed", `Error: ${startError}`, name);
      return;
    }
    this.opts.listeners.emit(rec.uid, "Normal", "Started", `Started container ${name}`, name);
    if (c.process === proc) {
      c.status.state = { running: { startedAt: proc.startedAt } };
      this.opts.probes.start(
        rec,
        c,
        proc,
        (type, spec) => this.killUnhealthy(rec, c, proc, type, spec),
        () => {
          if (c.sidecar) void enqueue(rec, this.opts.logger, () => this.syncContainers(rec, rec.pod));
        },
      );
      this.opts.listeners.notify(rec.uid);
    }
  }

  /** Tries again now to start the pod's containers that could not be configured: what they miss may have appeared. */
  retryUnconfigured(rec: PodRecord): void {
    for (const c of allContainers(rec)) if (c.awaitingConfig) this.retryStart(rec, c);
  }

  /** Tries again to start a container that could not be pulled or configured. */
  private retryStart(rec: PodRecord, c: ContainerRecord): void {
    clearTimeout(c.restartTimer);
    c.restartTimer = undefined;
    c.awaitingConfig = false;
    void enqueue(rec, this.opts.logger, () => this.startContainer(rec, c));
  }

  /** A failed liveness or startup probe: kill the container (the probe's grace period, else the pod's); it then restarts by policy. */
  private killUnhealthy(rec: PodRecord, c: ContainerRecord, proc: ContainerProcess, type: "liveness" | "startup", spec: ProbeSpec): void {
    void enqueue(rec, this.opts.logger, async () => {
      if (c.process !== proc || proc.stopping || rec.terminating || this.opts.isShuttingDown()) return;
      proc.unhealthy = type;
      const restart = c.sidecar || rec.policy !== "Never";
      const name = c.spec.name;
      this.opts.listeners.emit(rec.uid, "Normal", "Killing", `Container ${name} failed ${type} probe${restart ? ", will be restarted" : ""}`, name);
      await this.signalUntilGone(rec, c, proc, spec.terminationGracePeriodSeconds ?? gracePeriodOf(rec));
    });
  }

  private containerExited(
    rec: PodRecord,
    c: ContainerRecord,
    proc: ContainerProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    proc.prober?.stop();
    if (c.process !== proc) return;
    c.process = undefined;
    if (proc.pid !== undefined) {
      // Whatever the container left behind dies with it, as at the end of a PID namespace.
      signalGroup(proc.pid, "SIGKILL");
      this.opts.layout.forgetProcessGroup(rec.uid, c.spec.name);
    }
    const signalNumber = signal ? (osConstants.signals[signal] ?? 0) : 0;
    const exitCode = proc.startError !== undefined ? 128 : (code ?? 128 + signalNumber);
    const terminated: ContainerStateTerminated = {
      exitCode,
      signal: signalNumber,
      reason: proc.startError !== undefined ? "StartError" : exitCode === 0 ? "Completed" : "Error",
      message: proc.startError ?? "",
      startedAt: proc.startedAt,
      finishedAt: now(),
    };
    c.status.ready = false;
    c.status.started = false;
    const finishedAtMs = Date.now();
    const restartable = this.isRestartable(rec, c, proc, exitCode);
    if (rec.terminating || proc.stopping || this.opts.isShuttingDown() || !restartable) {
      c.status.state = { terminated };
      this.opts.listeners.notify(rec.uid);
      proc.markExited();
      // A followed log ends with a container that runs no more, as the kubelet's does (`kubectl logs -f` returns).
      for (const f of c.followers) f.finish();
      if (rec.terminating || proc.stopping) return;
      if (c.init && !c.sidecar && exitCode === 0) void enqueue(rec, this.opts.logger, () => this.syncContainers(rec, rec.pod));
      // The containers are done (a Job's pod): its sidecars are stopped, and their exits do not count.
      if (!c.sidecar && isTerminalPhase(podRuntimeStatus(rec).phase)) void enqueue(rec, this.opts.logger, () => this.stopSidecars(rec, Date.now() + gracePeriodOf(rec) * 1000));
      return;
    }
    c.status.lastState = { terminated };
    const key = `${rec.uid}/${c.spec.name}`;
    const delay = this.opts.backoff.delayMs(key, finishedAtMs, Date.now());
    const restart = () => {
      c.restartTimer = undefined;
      void enqueue(rec, this.opts.logger, async () => {
        if (rec.terminating || this.opts.isShuttingDown() || (c.sidecar && isTerminalPhase(podRuntimeStatus(rec).phase))) return;
        this.opts.backoff.next(key, Date.now());
        await this.startContainer(rec, c);
      });
    };
    if (delay > 0) {
      const { name, namespace } = rec.identity;
      const podRef = `${name}_${namespace}(${rec.uid})`;
      c.status.state = {
        waiting: {
          reason: "CrashLoopBackOff",
          message: `back-off ${formatDuration(this.opts.backoff.currentMs(key))} restarting failed container=${c.spec.name} pod=${podRef}`,
        },
      };
      this.opts.listeners.emit(rec.uid, "Warning", "BackOff", `Back-off restarting failed container ${c.spec.name} in pod ${podRef}`, c.spec.name);
      c.restartTimer = setTimeout(restart, delay);
    } else {
      c.status.state = { waiting: { reason: "ContainerCreating", message: "" } };
      restart();
    }
    this.opts.listeners.notify(rec.uid);
    proc.markExited();
  }

  /**
   * Whether an exited container runs again. The kubelet restarts a container it killed for a failed probe
   * whatever its exit code, unless the policy is Never. An init container runs to completion: whatever the
   * policy, only a failure restarts it, and not under Never. A sidecar always restarts while the pod's
   * containers are not done.
   */
  private isRestartable(rec: PodRecord, c: ContainerRecord, proc: ContainerProcess, exitCode: number): boolean {
    if (c.sidecar) return !isTerminalPhase(podRuntimeStatus(rec).phase);
    if (proc.unhealthy) return rec.policy !== "Never";
    return shouldRestartContainer(c.init && rec.policy === "Always" ? "OnFailure" : rec.policy, exitCode);
  }

  /**
   * Stops a terminating pod's containers as the kubelet's killPodWithSyncResult: the containers (and a
   * running init container) first, then the sidecars one at a time in reverse order, each with what is
   * left of the grace period.
   */
  async stopPod(rec: PodRecord, gracePeriodSeconds: number): Promise<void> {
    const deadlineMs = Date.now() + gracePeriodSeconds * 1000;
    await Promise.all(allContainers(rec).filter((c) => !c.sidecar).map((c) => this.stopContainer(rec, c, gracePeriodSeconds)));
    await this.stopSidecars(rec, deadlineMs);
  }

  private async stopSidecars(rec: PodRecord, deadlineMs: number): Promise<void> {
    for (const c of sidecarsOf(rec).reverse()) await this.stopContainer(rec, c, Math.max(0, deadlineMs - Date.now()) / 1000);
  }

  /** Stops a container for good (pod deletion, image change, shutdown): no restart follows. */
  async stopContainer(rec: PodRecord, c: ContainerRecord, gracePeriodSeconds: number): Promise<void> {
    if (c.restartTimer) {
      clearTimeout(c.restartTimer);
      c.restartTimer = undefined;
      c.awaitingConfig = false;
      // It was backing off: it stays terminated with its last exit.
      if (c.status.lastState?.terminated) c.status.state = { terminated: c.status.lastState.terminated };
      this.opts.listeners.notify(rec.uid);
    }
    const proc = c.process;
    if (!proc) return;
    proc.stopping = true;
    proc.prober?.stop();
    this.opts.listeners.emit(rec.uid, "Normal", "Killing", `Stopping container ${c.spec.name}`, c.spec.name);
    await this.signalUntilGone(rec, c, proc, gracePeriodSeconds);
  }

  /** SIGTERM to the group, SIGKILL after the grace period; resolves when every member is gone. */
  private async signalUntilGone(rec: PodRecord, c: ContainerRecord, proc: ContainerProcess, gracePeriodSeconds: number): Promise<void> {
    if (proc.pid === undefined) return proc.exited;
    signalGroup(proc.pid, "SIGTERM");
    const grace = new AbortController();
    const exitedInTime = await Promise.race([
      proc.exited.then(() => true),
      sleep(Math.max(0, gracePeriodSeconds) * 1000, false, { signal: grace.signal }).catch(() => true),
    ]);
    grace.abort();
    if (!exitedInTime) {
      signalGroup(proc.pid, "SIGKILL");
      await proc.exited;
    }
    if (!(await waitForGroupExit(proc.pid, groupExitTimeoutMs))) {
      this.opts.logger.warn("container processes survived SIGKILL", { podUid: rec.uid, container: c.spec.name, pgid: proc.pid });
    }
  }

  /** Forgets the back-offs of a pod that is gone. */
  forget(rec: PodRecord): void {
    for (const c of allContainers(rec)) this.opts.backoff.forget(`${rec.uid}/${c.spec.name}`);
    this.opts.images.forget(rec.uid);
  }
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ""}`;
}
