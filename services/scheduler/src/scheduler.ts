import { context, trace, type Tracer } from "@opentelemetry/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient, EventRecorder, JsonObject, ReflectorEvent, ReflectorHandler } from "@capstan/client";
import { contextFromTraceparent } from "@capstan/telemetry";
import { SchedulerCache } from "./cache/cache.js";
import type { CycleState } from "./framework/cycle-state.js";
import type { Framework } from "./framework/framework.js";
import { podInfoFrom, type PodInfo } from "./framework/pod-info.js";
import { frameworkFor, resolveProfile, type SchedulerConfiguration } from "./framework/profile.js";
import { FitError, PodScheduler } from "./framework/schedule-one.js";
import { isSuccess } from "./framework/status.js";
import { DEFAULT_PLUGINS, registry, type Handle } from "./plugins/registry.js";

interface PodEntry {
  object: JsonObject;
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

const get = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as JsonObject)[k] : undefined), o);
const keyOf = (pod: JsonObject) => `${String(get(pod, "metadata", "namespace"))}/${String(get(pod, "metadata", "name"))}`;
const schedulerNameOf = (pod: JsonObject) => String(get(pod, "spec", "schedulerName") || "default-scheduler");
const isTerminal = (pod: JsonObject) => ["Succeeded", "Failed"].includes(String(get(pod, "status", "phase")));

export interface SchedulerOptions {
  /** The default profile's name; a configured profile without a name takes it. */
  readonly schedulerName: string;
  readonly configuration?: SchedulerConfiguration;
  readonly unschedulableRetryMs: number;
  readonly log: (m: string) => void;
  /** Breaks ties between equally good nodes; Math.random unless a test pins it. */
  readonly random?: () => number;
}

/**
 * Binds each pending pod to a node its profile's plugins choose. It keeps its own cache of nodes and
 * pods (fed by reflectors), counts a pod against its node the moment it decides (assumed), and tries
 * unschedulable pods again when the cluster changes.
 */
export class Scheduler {
  private readonly cache = new SchedulerCache();
  /** One per profile, by the schedulerName pods ask for. */
  private readonly profiles = new Map<string, PodScheduler>();
  private readonly pods = new Map<string, PodEntry>();
  private readonly pending = new Set<string>();
  private readonly unschedulable = new Map<string, string>();
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: CapstanClient,
    private readonly recorder: EventRecorder,
    private readonly tracer: Tracer,
    private readonly opts: SchedulerOptions,
  ) {
    const configuration = opts.configuration ?? {};
    for (const config of configuration.profiles?.length ? configuration.profiles : [{}]) {
      let framework: Framework | undefined;
      const handle: Handle = {
        bindPod: (pod, nodeName) => this.bindPod(pod, nodeName),
        nodeCount: () => this.cache.nodeCount,
        runFilter: (state, pod, node) => framework!.runFilter(state, pod, node),
        evictPod: (victim, preemptor, nodeName) => void this.evictPod(victim, preemptor, nodeName),
      };
      const profile = resolveProfile(config, opts.schedulerName, DEFAULT_PLUGINS, registry, handle);
      framework = frameworkFor(profile, registry, handle);
      this.profiles.set(profile.schedulerName, new PodScheduler(framework, {
        percentageOfNodesToScore: configuration.percentageOfNodesToScore ?? 0,
        ...(opts.random ? { random: opts.random } : {}),
      }));
    }
  }

  readonly nodeHandler: ReflectorHandler = {
    replace: (objects) => {
      this.cache.replaceNodes(objects);
      this.clusterChanged();
    },
    apply: (e) => {
      const name = String(get(e.object, "metadata", "name"));
      if (e.type === "DELETED") this.cache.deleteNode(name);
      else this.cache.setNode(e.object);
      this.clusterChanged();
    },
  };

  readonly podHandler: ReflectorHandler = {
    replace: (objects) => {
      this.pods.clear();
      this.pending.clear();
      for (const p of objects) this.podChanged({ type: "ADDED", object: p, revision: 0 });
      this.cache.replacePods(objects);
      this.clusterChanged();
    },
    apply: (e) => this.podChanged(e),
  };

  start(): void {
    this.running = true;
    this.loop = this.run();
    this.retryTimer = setInterval(() => this.clusterChanged(), this.opts.unschedulableRetryMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.retryTimer);
    this.wake?.();
    await this.loop;
  }

  private podChanged(e: ReflectorEvent): void {
    const key = keyOf(e.object);
    if (e.type === "DELETED") {
      this.cache.removePod(key);
      this.pods.delete(key);
      this.pending.delete(key);
      this.unschedulable.delete(key);
      this.clusterChanged();
      return;
    }
    this.cache.setPod(e.object);
    const previous = this.pods.get(key);
    this.pods.set(key, {
      object: e.object,
      traceparent: e.traceparent ?? previous?.traceparent,
      tracestate: e.tracestate ?? previous?.tracestate,
    });
    if (this.needsScheduling(e.object)) {
      if (!this.unschedulable.has(key)) this.pending.add(key);
    } else {
      this.pending.delete(key);
      if (this.unschedulable.delete(key) || isTerminal(e.object)) this.clusterChanged();
    }
    this.wake?.();
  }

  private needsScheduling(pod: JsonObject): boolean {
    return (
      !get(pod, "spec", "nodeName") &&
      !get(pod, "metadata", "deletionTimestamp") &&
      this.profiles.has(schedulerNameOf(pod))
    );
  }

  /** A node appeared or changed, or a pod left: every waiting pod gets another try. */
  private clusterChanged(): void {
    for (const key of this.unschedulable.keys()) this.pending.add(key);
    this.unschedulable.clear();
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.pending.size === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const binds: Promise<void>[] = [];
      for (const { key, entry, pod } of this.takePending()) {
        const bind = this.scheduleOne(key, entry, pod);
        if (bind) binds.push(bind);
      }
      await Promise.all(binds);
    }
  }

  /** The pending pods that still need a node, in the default profile's queue order (PrioritySort). */
  private takePending(): { key: string; entry: PodEntry; pod: PodInfo }[] {
    const queue: { key: string; entry: PodEntry; pod: PodInfo }[] = [];
    for (const key of this.pending) {
      const entry = this.pods.get(key);
      if (entry && this.needsScheduling(entry.object)) queue.push({ key, entry, pod: podInfoFrom(entry.object) });
    }
    this.pending.clear();
    const fwk = this.profiles.values().next().value!.framework;
    return queue.sort((a, b) => (fwk.less(a.pod, b.pod) ? -1 : fwk.less(b.pod, a.pod) ? 1 : 0));
  }

  /** Decides synchronously against the cache; returns the bind in flight, if any. */
  private scheduleOne(key: string, entry: PodEntry, pod: PodInfo): Promise<void> | undefined {
    const podScheduler = this.profileOf(entry.object);
    const fwk = podScheduler.framework;
    let result: ReturnType<PodScheduler["scheduleOne"]>;
    try {
      result = podScheduler.scheduleOne(pod, this.cache);
    } catch (e) {
      this.opts.log(`scheduling ${key}: ${e instanceof Error ? e.message : String(e)}`);
      this.unschedulable.set(key, "error");
      return undefined;
    }
    if (result instanceof FitError) {
      this.markUnschedulable(key, entry, result.message);
      return undefined;
    }
    const { nodeName, state } = result;
    const reserved = fwk.runReserve(state, pod, nodeName);
    const permitted = isSuccess(reserved) ? fwk.runPermit(state, pod, nodeName) : reserved;
    if (!isSuccess(permitted)) {
      fwk.runUnreserve(state, pod, nodeName);
      this.markUnschedulable(key, entry, `${permitted.plugin ?? ""}: ${permitted.reasons.join(", ")}`);
      return undefined;
    }
    this.cache.assumePod(pod, nodeName);
    return this.bind(entry, pod, nodeName, state);
  }

  private profileOf(pod: JsonObject): PodScheduler {
    return this.profiles.get(schedulerNameOf(pod))!;
  }

  /** Each failed attempt records a FailedScheduling event, as kube-scheduler does; the pod waits for a cluster change or the retry timer. */
  private markUnschedulable(key: string, entry: PodEntry, message: string): void {
    if (this.unschedulable.get(key) === undefined) this.recorder.record(entry.object, "Warning", "FailedScheduling", message);
    this.unschedulable.set(key, message);
  }

  private async bind(entry: PodEntry, pod: PodInfo, nodeName: string, state: CycleState): Promise<void> {
    const fwk = this.profileOf(entry.object).framework;
    const { namespace, name } = pod;
    // The bind continues the pod's own trace, so create → schedule → start reads as one trace.
    const parent = contextFromTraceparent(entry.traceparent, entry.tracestate);
    const span = this.tracer.startSpan("Scheduler/Bind", { attributes: { "k8s.pod.name": name, "k8s.node.name": nodeName } }, parent);
    try {
      const status = await context.with(trace.setSpan(parent, span), () => fwk.runBind(state, pod, nodeName));
      if (!isSuccess(status)) throw new Error(`${status.plugin ?? ""}: ${status.reasons.join(", ")}`);
      // The cache counts it on the node until the pod's MODIFIED event confirms the binding.
      this.recorder.record(entry.object, "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${nodeName}`);
    } catch (e) {
      this.cache.forgetPod(pod.key);
      fwk.runUnreserve(state, pod, nodeName);
      if (!isCapstanError(e, "Conflict") && !isCapstanError(e, "NotFound")) {
        this.opts.log(`binding ${namespace}/${name} to ${nodeName}: ${e instanceof Error ? e.message : String(e)}`);
        this.unschedulable.set(pod.key, "bind failed");
      }
    } finally {
      span.end();
    }
  }

  /** Preemption: delete a lower-priority pod so the preemptor fits; it is tried again once the pod is gone. */
  private async evictPod(victim: PodInfo, preemptor: PodInfo, nodeName: string): Promise<void> {
    const entry = this.pods.get(victim.key);
    if (entry) this.recorder.record(entry.object, "Normal", "Preempted", `Preempted by pod ${preemptor.uid} on node ${nodeName}`);
    try {
      await this.client.delete({ kind: "Pod", namespace: victim.namespace, name: victim.name, preconditions: { uid: victim.uid } });
    } catch (e) {
      if (!isCapstanError(e, "NotFound") && !isCapstanError(e, "Conflict")) {
        this.opts.log(`preempting ${victim.key} for ${preemptor.key}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private async bindPod(pod: PodInfo, nodeName: string): Promise<void> {
    await this.client.bind({ namespace: pod.namespace, name: pod.name, nodeName, preconditions: { uid: pod.uid } });
  }
}
