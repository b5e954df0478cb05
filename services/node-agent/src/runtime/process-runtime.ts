import type { ContainerStateTerminated, Pod, Service } from "@capstan/api";
import { InvalidError, NotFoundError, UnavailableError } from "@capstan/apimachinery";
import { existsSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { ContainerLauncher, waitForExec } from "./container-launch.js";
import { LogStream } from "./container-logs.js";
import { podHostname, type PodIdentity } from "./container-env.js";
import { probeSandbox, type Sandbox, type SandboxMode } from "./container-sandbox.js";
import { ImageCatalog, type ImageCatalogOptions } from "./image-catalog.js";
import type { ClusterDNS } from "./pod-dns.js";
import { isSafeSegment, PodLayout } from "./pod-layout.js";
import { isTerminalPhase } from "./pod-phase.js";
import { PodIPAllocator } from "./pod-network.js";
import { prepareVolumes } from "./pod-volumes.js";
import type { ProbeSpec } from "./probe.js";
import { ProbeManager } from "./probe-manager.js";
import { groupExitTimeoutMs, signalGroup, waitForGroupExit } from "./process-group.js";
import { Recovery } from "./recovery.js";
import { defaultRestartBackoff, RestartBackoff, shouldRestartContainer } from "./restart-backoff.js";
import {
  defaultGracePeriodSeconds,
  enqueue,
  gracePeriodOf,
  newPodRecord,
  now,
  podRuntimeStatus,
  type ContainerProcess,
  type ContainerRecord,
  type PodRecord,
} from "./pod-record.js";
import type { LogOptions, PodRuntimeStatus, Runtime, RuntimeEvent, RuntimeLogger } from "./runtime.js";
import { RuntimeListeners } from "./runtime-listeners.js";

export interface ProcessRuntimeOptions {
  /** Pods' volumes, logs, container root layers and the IP allocations live here. */
  stateDir: string;
  /** Prefix of the pod IPs, e.g. "127.1" → 127.1.x.y; give each agent on one host its own. */
  podIPBase?: string;
  /** Restart back-off: first wait, cap, and how long a container must run for it to start over. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  backoffResetMs?: number;
  /** "auto" (default) uses the overlay sandbox when this host supports it. */
  sandbox?: "auto" | SandboxMode;
  /** Agent shutdown waits at most this long for a container to stop after SIGTERM (default 30). */
  shutdownGracePeriodSeconds?: number;
  catalog?: ImageCatalogOptions;
  /** The cluster DNS for dnsPolicy ClusterFirst; without servers such pods use the host's resolver, as the kubelet does. */
  dns?: ClusterDNS;
  /** The host's resolv.conf, for dnsPolicy Default (default /etc/resolv.conf). */
  hostResolvConf?: string;
  /** The Services in a namespace as the agent's informer has them, for the containers' service variables. */
  services?: (namespace: string) => readonly Service[];
  logger?: RuntimeLogger;
}


function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ""}`;
}

/**
 * The `process` runtime: every container is a real process group on this host, sandboxed (see
 * container-sandbox.ts) with its pod's volumes, started from the image catalog, restarted by the pod's
 * restartPolicy with the kubelet's back-off, and logged to a file per container instance.
 */
export class ProcessRuntime implements Runtime {
  private readonly pods = new Map<string, PodRecord>();
  private readonly listeners: RuntimeListeners;
  private readonly probes: ProbeManager;
  private readonly launcher: ContainerLauncher;
  private readonly allocator: PodIPAllocator;
  private readonly backoff: RestartBackoff;
  private readonly catalog: ImageCatalog;
  private readonly logger: RuntimeLogger;
  private readonly layout: PodLayout;
  private readonly shutdownGraceSeconds: number;
  private readonly dns: ClusterDNS;
  private readonly hostResolvConf: string;
  private readonly services: (namespace: string) => readonly Service[];
  readonly sandbox: Sandbox;
  /** Pods from a previous life (their IPs stay reserved until synced or killed), and the killing of its leftovers. */
  private readonly recovery: Recovery;
  private shuttingDown: Promise<void> | undefined;

  constructor(opts: ProcessRuntimeOptions) {
    this.logger = opts.logger ?? { warn: (message, fields) => console.warn(`process-runtime: ${message}`, fields) };
    this.layout = new PodLayout(opts.stateDir, this.logger);
    this.allocator = new PodIPAllocator(this.layout.podIPsPath, opts.podIPBase ?? "127.1");
    this.backoff = new RestartBackoff({
      baseMs: opts.backoffBaseMs ?? defaultRestartBackoff.baseMs,
      capMs: opts.backoffCapMs ?? defaultRestartBackoff.capMs,
      resetAfterMs: opts.backoffResetMs ?? defaultRestartBackoff.resetAfterMs,
    });
    this.catalog = new ImageCatalog(opts.catalog);
    this.listeners = new RuntimeListeners(this.logger);
    this.shutdownGraceSeconds = opts.shutdownGracePeriodSeconds ?? defaultGracePeriodSeconds;
    this.dns = opts.dns ?? { servers: [], domain: "cluster.local" };
    this.hostResolvConf = opts.hostResolvConf ?? "/etc/resolv.conf";
    this.services = opts.services ?? (() => []);
    const wanted = opts.sandbox ?? "auto";
    this.sandbox = wanted === "none" ? { mode: "none", reason: "the runtime was configured without a sandbox" } : probeSandbox(this.layout.stateDir);
    if (wanted === "overlay" && this.sandbox.mode !== "overlay") {
      throw new UnavailableError(`the overlay sandbox is not available: ${this.sandbox.reason}`);
    }
    if (this.sandbox.mode === "none") {
      // resolv.conf and /etc/hosts are the pod's only inside a sandbox.
      this.logger.warn("pods use the host's resolver and /etc/hosts, not the cluster DNS", { reason: this.sandbox.reason });
    }
    this.launcher = new ContainerLauncher({
      layout: this.layout,
      catalog: this.catalog,
      sandbox: this.sandbox,
      dns: this.dns,
      hostResolvConf: this.hostResolvConf,
      services: this.services,
      listeners: this.listeners,
    });
    this.probes = new ProbeManager(this.sandbox, this.listeners, this.logger);
    this.recovery = new Recovery(this.layout, this.allocator, this.logger);
  }

  // ---- Runtime ----

  async syncPod(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    if (!isSafeSegment(uid)) {
      throw new InvalidError(`Pod "${pod.metadata?.name ?? ""}"`, [{ path: "metadata.uid", message: `Invalid value "${uid}"` }]);
    }
    if (this.shuttingDown) throw new UnavailableError("the process runtime is shut down");
    await this.recovery.done;
    let rec = this.pods.get(uid);
    if (rec?.terminating) return;
    if (!rec) {
      rec = this.admitPod(uid, pod);
      this.listeners.notify(uid);
    }
    const admitted = rec;
    await enqueue(admitted, this.logger, () => this.syncContainers(admitted, pod));
  }

  killPod(podUid: string, gracePeriodSeconds: number): Promise<void> {
    const rec = this.pods.get(podUid);
    if (!rec) {
      if (this.recovery.pods.delete(podUid) || this.allocator.ipOf(podUid) !== undefined) this.forgetPod(podUid);
      return Promise.resolve();
    }
    rec.killing ??= this.killPodNow(rec, gracePeriodSeconds);
    return rec.killing;
  }

  status(podUid: string): PodRuntimeStatus | undefined {
    const rec = this.pods.get(podUid);
    return rec && podRuntimeStatus(rec);
  }

  runningPods(): string[] {
    return [...new Set([...this.pods.keys(), ...this.recovery.pods])];
  }

  onStatusChange(listener: (podUid: string) => void): void {
    this.listeners.onStatusChange(listener);
  }

  onEvent(listener: (e: RuntimeEvent) => void): void {
    this.listeners.onEvent(listener);
  }

  /**
   * Throws NotFoundError for an unknown pod or container or a missing previous instance, and
   * UnavailableError for a container that has not started yet; errors while streaming are stream errors.
   */
  logs(podUid: string, container: string, opts: LogOptions): NodeJS.ReadableStream {
    const rec = this.pods.get(podUid);
    if (!rec) throw new NotFoundError({ kind: "Pod", namespace: "", name: podUid });
    const { namespace, name } = rec.identity;
    const c = rec.containers.get(container);
    if (!c) throw new NotFoundError({ kind: "Container", namespace, name: `${name}/${container}` });
    const instance = opts.previous ? c.instance - 1 : c.instance;
    const path = this.layout.logPath(podUid, container, instance);
    if (opts.previous && (instance < 0 || !existsSync(path))) {
      throw new NotFoundError({ kind: "previous terminated container", namespace, name: `${name}/${container}` });
    }
    if (instance < 0 || !existsSync(path)) {
      const waiting = c.status.state?.waiting?.reason ?? "ContainerCreating";
      throw new UnavailableError(`container "${container}" in pod "${name}" is waiting to start: ${waiting}`);
    }
    const follow = opts.follow && !opts.previous;
    const stream: LogStream = new LogStream(path, {
      follow,
      ...(opts.tailLines !== undefined && opts.tailLines >= 0 ? { tailLines: opts.tailLines } : {}),
      onClose: () => c.followers.delete(stream),
    });
    if (follow) c.followers.add(stream);
    return stream;
  }

  shutdown(): Promise<void> {
    this.shuttingDown ??= this.shutdownNow();
    return this.shuttingDown;
  }

  // ---- pods ----

  private admitPod(uid: string, pod: Pod): PodRecord {
    this.recovery.pods.delete(uid);
    const identity: PodIdentity = {
      name: pod.metadata?.name ?? "",
      namespace: pod.metadata?.namespace || "default",
      podIP: this.allocator.allocate(uid),
      hostname: podHostname(pod),
    };
    this.layout.createPodDir(uid, identity);
    // A pod recovered from a previous life keeps counting instances, so no log is overwritten.
    const rec = newPodRecord(uid, pod, identity, (container) => (isSafeSegment(container) ? this.layout.lastInstance(uid, container) : -1));
    this.pods.set(uid, rec);
    this.failIfUnrunnable(rec);
    if (!rec.failure) prepareVolumes(this.layout, uid, rec.pod);
    return rec;
  }

  /** Without a sandbox a volume cannot appear at its mountPath: such a pod fails instead of running wrongly. */
  private failIfUnrunnable(rec: PodRecord): void {
    if (this.sandbox.mode !== "none") return;
    const mounting = [...rec.containers.values()].filter((c) => c.spec.volumeMounts.length > 0);
    if (mounting.length === 0) return;
    const message = `volumeMounts need the overlay sandbox, which is unavailable: ${this.sandbox.reason}`;
    rec.failure = { reason: "ContainerCannotRun", message };
    for (const c of rec.containers.values()) {
      c.status.state = {
        terminated: { exitCode: 128, signal: 0, reason: "ContainerCannotRun", message, startedAt: "", finishedAt: now() },
      };
    }
    for (const c of mounting) this.listeners.emit(rec.uid, "Warning", "Failed", `Error: ${message}`, c.spec.name);
  }

  private async syncContainers(rec: PodRecord, pod: Pod): Promise<void> {
    rec.pod = pod;
    if (rec.failure || isTerminalPhase(this.status(rec.uid)?.phase ?? "Pending")) return;
    // Kubernetes starts a pod's containers one after another, in spec order.
    for (const spec of pod.spec?.containers ?? []) {
      if (rec.terminating || this.shuttingDown) return;
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

  private async killPodNow(rec: PodRecord, gracePeriodSeconds: number): Promise<void> {
    rec.terminating = true;
    await Promise.all([...rec.containers.values()].map((c) => this.stopContainer(rec, c, gracePeriodSeconds)));
    this.pods.delete(rec.uid);
    for (const [name, c] of rec.containers) {
      for (const f of c.followers) f.finish();
      this.backoff.forget(`${rec.uid}/${name}`);
    }
    this.forgetPod(rec.uid);
    this.listeners.notify(rec.uid);
  }

  /** Frees what a removed pod held: its IP, volumes, logs and root layers. */
  private forgetPod(uid: string): void {
    this.allocator.release(uid);
    this.layout.removeTree(this.layout.podDir(uid));
  }

  private async shutdownNow(): Promise<void> {
    await this.recovery.done;
    const stops: Array<Promise<void>> = [];
    for (const rec of this.pods.values()) {
      rec.terminating = true;
      const grace = Math.min(gracePeriodOf(rec), this.shutdownGraceSeconds);
      for (const c of rec.containers.values()) stops.push(this.stopContainer(rec, c, grace));
    }
    await Promise.all(stops);
    for (const rec of this.pods.values()) {
      for (const c of rec.containers.values()) for (const f of c.followers) f.finish();
    }
  }

  // ---- containers ----

  /**
   * Launches the next instance of a container and resolves once it runs (or could not start). Everything
   * up to the spawn is synchronous, so a concurrent killPod either comes first (and is seen here) or finds
   * the process.
   */
  private async startContainer(rec: PodRecord, c: ContainerRecord): Promise<void> {
    if (rec.terminating || this.shuttingDown) return;
    const name = c.spec.name;
    const launched = this.launcher.launch(rec, c);
    if ("configError" in launched) {
      c.launched = true;
      c.status.state = { waiting: { reason: "CreateContainerConfigError", message: launched.configError } };
      this.listeners.emit(rec.uid, "Warning", "Failed", `Error: ${launched.configError}`, name);
      this.listeners.notify(rec.uid);
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
    if (proc.pid !== undefined) this.layout.recordProcessGroup(rec.uid, name, proc.pid);
    for (const f of c.followers) f.switchTo(logPath);
    this.listeners.emit(rec.uid, "Normal", "Created", `Created container ${name}`, name);

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
      this.listeners.emit(rec.uid, "Warning", "Failed", `Error: ${startError}`, name);
      return;
    }
    this.listeners.emit(rec.uid, "Normal", "Started", `Started container ${name}`, name);
    if (c.process === proc) {
      c.status.state = { running: { startedAt: proc.startedAt } };
      this.probes.start(rec, c, proc, (type, spec) => this.killUnhealthy(rec, c, proc, type, spec));
      this.listeners.notify(rec.uid);
    }
  }

  /** A failed liveness or startup probe: kill the container (the probe's grace period, else the pod's); it then restarts by policy. */
  private killUnhealthy(rec: PodRecord, c: ContainerRecord, proc: ContainerProcess, type: "liveness" | "startup", spec: ProbeSpec): void {
    void enqueue(rec, this.logger, async () => {
      if (c.process !== proc || proc.stopping || rec.terminating || this.shuttingDown) return;
      proc.unhealthy = type;
      const restart = rec.policy !== "Never";
      const name = c.spec.name;
      this.listeners.emit(rec.uid, "Normal", "Killing", `Container ${name} failed ${type} probe${restart ? ", will be restarted" : ""}`, name);
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
      this.layout.forgetProcessGroup(rec.uid, c.spec.name);
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
    // The kubelet restarts a container it killed for a failed probe whatever its exit code, unless the policy is Never.
    const restartable = proc.unhealthy ? rec.policy !== "Never" : shouldRestartContainer(rec.policy, exitCode);
    if (rec.terminating || proc.stopping || this.shuttingDown || !restartable) {
      c.status.state = { terminated };
      this.listeners.notify(rec.uid);
      proc.markExited();
      return;
    }
    c.status.lastState = { terminated };
    const key = `${rec.uid}/${c.spec.name}`;
    const delay = this.backoff.delayMs(key, finishedAtMs, Date.now());
    const restart = () => {
      c.restartTimer = undefined;
      void enqueue(rec, this.logger, async () => {
        if (rec.terminating || this.shuttingDown) return;
        this.backoff.restarted(key, Date.now());
        await this.startContainer(rec, c);
      });
    };
    if (delay > 0) {
      const { name, namespace } = rec.identity;
      const podRef = `${name}_${namespace}(${rec.uid})`;
      c.status.state = {
        waiting: {
          reason: "CrashLoopBackOff",
          message: `back-off ${formatDuration(this.backoff.currentMs(key))} restarting failed container=${c.spec.name} pod=${podRef}`,
        },
      };
      this.listeners.emit(rec.uid, "Warning", "BackOff", `Back-off restarting failed container ${c.spec.name} in pod ${podRef}`, c.spec.name);
      c.restartTimer = setTimeout(restart, delay);
    } else {
      c.status.state = { waiting: { reason: "ContainerCreating", message: "" } };
      restart();
    }
    this.listeners.notify(rec.uid);
    proc.markExited();
  }

  /** Stops a container for good (pod deletion, image change, shutdown): no restart follows. */
  private async stopContainer(rec: PodRecord, c: ContainerRecord, gracePeriodSeconds: number): Promise<void> {
    if (c.restartTimer) {
      clearTimeout(c.restartTimer);
      c.restartTimer = undefined;
      // It was backing off: it stays terminated with its last exit.
      if (c.status.lastState?.terminated) c.status.state = { terminated: c.status.lastState.terminated };
      this.listeners.notify(rec.uid);
    }
    const proc = c.process;
    if (!proc) return;
    proc.stopping = true;
    proc.prober?.stop();
    this.listeners.emit(rec.uid, "Normal", "Killing", `Stopping container ${c.spec.name}`, c.spec.name);
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
      this.logger.warn("container processes survived SIGKILL", { podUid: rec.uid, container: c.spec.name, pgid: proc.pid });
    }
  }
}

export function createProcessRuntime(opts: ProcessRuntimeOptions): ProcessRuntime {
  return new ProcessRuntime(opts);
}
