import { metrics, type Meter } from "@opentelemetry/api";
import { probeResults } from "@capstan/telemetry";
import type { Pod, Service } from "@capstan/api";
import { InvalidError, NotFoundError, UnavailableError } from "@capstan/apimachinery";
import { existsSync } from "node:fs";
import { writeConfigVolumes } from "./config-volumes.js";
import { noConfigObjects, type ConfigObjects, type NodeFacts } from "./config-objects.js";
import { podHostname, type PodIdentity } from "./container-env.js";
import { ContainerLauncher } from "./container-launch.js";
import { ContainerLifecycle } from "./container-lifecycle.js";
import { LogStream } from "./container-logs.js";
import { attachOutput, startExec } from "./container-exec.js";
import { execCommand, probeSandbox, type Sandbox, type SandboxMode } from "./container-sandbox.js";
import { ImageCatalog, type ImageCatalogOptions } from "./image-catalog.js";
import { ImagePuller } from "./image-puller.js";
import type { ClusterDNS } from "./pod-dns.js";
import { isSafeSegment, PodLayout } from "./pod-layout.js";
import { PodIPAllocator } from "./pod-network.js";
import { allContainers, defaultGracePeriodSeconds, enqueue, gracePeriodOf, newPodRecord, now, podRuntimeStatus, type ContainerProcess, type ContainerRecord, type PodRecord } from "./pod-record.js";
import { prepareVolumes } from "./pod-volumes.js";
import { ProbeManager } from "./probe-manager.js";
import { Recovery } from "./recovery.js";
import { defaultRestartBackoff, RestartBackoff } from "./restart-backoff.js";
import type { ExecOptions, ExecSession, LogOptions, PodRuntimeStatus, Runtime, RuntimeEvent, RuntimeLogger } from "./runtime.js";
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
  /** The image pull back-off's first wait (default 10 s, as the kubelet's); it doubles to 300 s. */
  imagePullBackoffBaseMs?: number;
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
  /** The ConfigMaps and Secrets as the agent's informers have them, for env and volumes. */
  configObjects?: ConfigObjects;
  /** This node's address and allocatable resources, for the downward API. */
  node?: NodeFacts;
  logger?: RuntimeLogger;
  /** Where the probe results metric goes; the global meter provider's by default. */
  meter?: Meter;
}

/**
 * The `process` runtime: every container is a real process group on this host, sandboxed (see
 * container-sandbox.ts) with its pod's volumes, started from the image catalog, restarted by the pod's
 * restartPolicy with the kubelet's back-off, and logged to a file per container instance.
 */
export class ProcessRuntime implements Runtime {
  private readonly pods = new Map<string, PodRecord>();
  /** Exec'd commands by pod: they end with their pod, as processes in its containers do. */
  private readonly execs = new Map<string, Set<ExecSession>>();
  private readonly listeners: RuntimeListeners;
  private readonly lifecycle: ContainerLifecycle;
  private readonly allocator: PodIPAllocator;
  private readonly logger: RuntimeLogger;
  private readonly layout: PodLayout;
  private readonly shutdownGraceSeconds: number;
  readonly sandbox: Sandbox;
  /** Pods from a previous life (their IPs stay reserved until synced or killed), and the killing of its leftovers. */
  private readonly recovery: Recovery;
  private shuttingDown: Promise<void> | undefined;
  private readonly objects: ConfigObjects;
  private readonly node: NodeFacts;

  constructor(opts: ProcessRuntimeOptions) {
    this.logger = opts.logger ?? { warn: (message, fields) => console.warn(`process-runtime: ${message}`, fields) };
    this.layout = new PodLayout(opts.stateDir, this.logger);
    this.allocator = new PodIPAllocator(this.layout.podIPsPath, opts.podIPBase ?? "127.1");
    const backoff = new RestartBackoff({
      baseMs: opts.backoffBaseMs ?? defaultRestartBackoff.baseMs,
      capMs: opts.backoffCapMs ?? defaultRestartBackoff.capMs,
      resetAfterMs: opts.backoffResetMs ?? defaultRestartBackoff.resetAfterMs,
    });
    const catalog = new ImageCatalog(opts.catalog);
    this.listeners = new RuntimeListeners(this.logger);
    const pullBaseMs = opts.imagePullBackoffBaseMs ?? defaultRestartBackoff.baseMs;
    const images = new ImagePuller({
      catalog,
      backoff: new RestartBackoff({ ...defaultRestartBackoff, baseMs: pullBaseMs }),
      retryMs: pullBaseMs,
      listeners: this.listeners,
    });
    this.shutdownGraceSeconds = opts.shutdownGracePeriodSeconds ?? defaultGracePeriodSeconds;
    const wanted = opts.sandbox ?? "auto";
    this.sandbox = wanted === "none" ? { mode: "none", reason: "the runtime was configured without a sandbox" } : probeSandbox(this.layout.stateDir);
    if (wanted === "overlay" && this.sandbox.mode !== "overlay") {
      throw new UnavailableError(`the overlay sandbox is not available: ${this.sandbox.reason}`);
    }
    if (this.sandbox.mode === "none") {
      // resolv.conf and /etc/hosts are the pod's only inside a sandbox.
      this.logger.warn("pods use the host's resolver and /etc/hosts, not the cluster DNS", { reason: this.sandbox.reason });
    }
    this.objects = opts.configObjects ?? noConfigObjects;
    this.node = opts.node ?? { hostIP: "127.0.0.1", allocatable: {} };
    const launcher = new ContainerLauncher({
      layout: this.layout,
      catalog,
      sandbox: this.sandbox,
      dns: opts.dns ?? { servers: [], domain: "cluster.local" },
      hostResolvConf: opts.hostResolvConf ?? "/etc/resolv.conf",
      services: opts.services ?? (() => []),
      objects: this.objects,
      node: this.node,
      listeners: this.listeners,
    });
    this.lifecycle = new ContainerLifecycle({
      launcher,
      images,
      probes: new ProbeManager(this.sandbox, this.listeners, this.logger, probeResults(opts.meter ?? metrics.getMeter("@capstan/node-agent"))),
      layout: this.layout,
      backoff,
      listeners: this.listeners,
      logger: this.logger,
      isShuttingDown: () => this.shuttingDown !== undefined,
    });
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
    await enqueue(admitted, this.logger, () => this.lifecycle.syncContainers(admitted, pod));
    // A downwardAPI file may show labels or annotations that just changed.
    this.refreshConfigVolumes(admitted);
  }

  /**
   * Rewrites the configMap, secret, downwardAPI and projected volumes already set up, from the objects
   * as they are now: the kubelet's periodic volume sync, called when a ConfigMap or Secret changes; and
   * tries again at once the containers waiting for one. A container's subPath mount keeps the file it started with.
   */
  configObjectsChanged(namespace: string): void {
    for (const rec of this.pods.values()) {
      if (rec.identity.namespace !== namespace) continue;
      this.refreshConfigVolumes(rec);
      this.lifecycle.retryUnconfigured(rec);
    }
  }

  private refreshConfigVolumes(rec: PodRecord): void {
    if (rec.terminating || rec.failure) return;
    const ctx = { pod: rec.pod, identity: rec.identity, node: this.node, objects: this.objects };
    writeConfigVolumes((volume) => this.layout.emptyDirPath(rec.uid, volume), ctx, true);
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
    const c = rec.containers.get(container) ?? rec.initContainers.get(container);
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
    // A container that exited for good has no more to follow: its log is read to the end, as the kubelet's.
    const follow = opts.follow && !opts.previous && c.status.state?.terminated === undefined;
    const stream: LogStream = new LogStream(path, {
      follow,
      ...(opts.tailLines !== undefined && opts.tailLines >= 0 ? { tailLines: opts.tailLines } : {}),
      onClose: () => c.followers.delete(stream),
    });
    if (follow) c.followers.add(stream);
    return stream;
  }

  /** Throws NotFoundError for an unknown pod or container, UnavailableError for a container that is not running. */
  exec(podUid: string, container: string, opts: ExecOptions): ExecSession {
    const { c, proc, pid } = this.runningContainer(podUid, container);
    const session = startExec(execCommand({ pid, argv: opts.command, workingDir: c.spec.workingDir }, this.sandbox), proc.env, opts);
    const sessions = this.execs.get(podUid) ?? new Set();
    this.execs.set(podUid, sessions.add(session));
    void session.exited.then(() => {
      sessions.delete(session);
      if (sessions.size === 0 && this.execs.get(podUid) === sessions) this.execs.delete(podUid);
    });
    return session;
  }

  private killExecs(podUid: string): void {
    for (const session of this.execs.get(podUid) ?? []) session.kill();
  }

  /** The instance's log file is its output (stdout and stderr in one, as written): followed from its end until the process exits. */
  attach(podUid: string, container: string): ExecSession {
    const { c, proc } = this.runningContainer(podUid, container);
    return attachOutput(new LogStream(this.layout.logPath(podUid, container, c.instance), { follow: true, tailLines: 0 }), proc.exited);
  }

  private runningContainer(podUid: string, container: string): { c: ContainerRecord; proc: ContainerProcess; pid: number } {
    const rec = this.pods.get(podUid);
    if (!rec) throw new NotFoundError({ kind: "Pod", namespace: "", name: podUid });
    const { name } = rec.identity;
    const c = rec.containers.get(container) ?? rec.initContainers.get(container);
    if (!c) throw new UnavailableError(`container ${container} not found in pod ${name}`);
    const proc = c.process;
    if (!c.status.state?.running || proc?.pid === undefined) {
      const waiting = c.status.state?.waiting?.reason;
      throw new UnavailableError(`container ${container} in pod ${name} is not running${waiting ? ` (${waiting})` : ""}`);
    }
    return { c, proc, pid: proc.pid };
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
    const mounting = allContainers(rec).filter((c) => c.spec.volumeMounts.length > 0);
    if (mounting.length === 0) return;
    const message = `volumeMounts need the overlay sandbox, which is unavailable: ${this.sandbox.reason}`;
    rec.failure = { reason: "ContainerCannotRun", message };
    for (const c of allContainers(rec)) {
      c.status.state = {
        terminated: { exitCode: 128, signal: 0, reason: "ContainerCannotRun", message, startedAt: "", finishedAt: now() },
      };
    }
    for (const c of mounting) this.listeners.emit(rec.uid, "Warning", "Failed", `Error: ${message}`, c.spec.name);
  }

  private async killPodNow(rec: PodRecord, gracePeriodSeconds: number): Promise<void> {
    rec.terminating = true;
    await this.lifecycle.stopPod(rec, gracePeriodSeconds);
    this.killExecs(rec.uid);
    this.pods.delete(rec.uid);
    for (const c of allContainers(rec)) for (const f of c.followers) f.finish();
    this.lifecycle.forget(rec);
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
      stops.push(this.lifecycle.stopPod(rec, Math.min(gracePeriodOf(rec), this.shutdownGraceSeconds)));
    }
    await Promise.all(stops);
    for (const rec of this.pods.values()) {
      this.killExecs(rec.uid);
      for (const c of allContainers(rec)) for (const f of c.followers) f.finish();
    }
  }
}

export function createProcessRuntime(opts: ProcessRuntimeOptions): ProcessRuntime {
  return new ProcessRuntime(opts);
}
