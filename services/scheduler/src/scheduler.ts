import { context, metrics, trace, type Meter, type Tracer } from "@opentelemetry/api";
import { SELECTED_NODE_ANNOTATION, fromApiObject, keyOf, metaOf, podView, statusOf, toApiObject } from "@capstan/api";
import { isCapstanError, systemClock, type Clock } from "@capstan/apimachinery";
import type { CapstanClient, EventRecorder, JsonObject, ReflectorEvent, ReflectorHandler } from "@capstan/client";
import { contextFromTraceparent, objectAttributes, schedulerMetrics, secondsSince, type SchedulerMetrics, type SchedulingResult } from "@capstan/telemetry";
import { BindBatcher } from "./binding/bind-batcher.js";
import { BindingPipeline } from "./binding/binding-pipeline.js";
import { SchedulerCache } from "./cache/cache.js";
import { VolumeCache } from "./cache/volume-cache.js";
import type { CycleState } from "./framework/cycle-state.js";
import type { Framework } from "./framework/framework.js";
import { podInfoFrom, type PodInfo } from "./framework/pod-info.js";
import { frameworkFor, resolveProfile, type SchedulerConfiguration } from "./framework/profile.js";
import { FitError, PodScheduler } from "./framework/schedule-one.js";
import { isSuccess } from "./framework/status.js";
import { DEFAULT_PLUGINS, registry, type Handle } from "./plugins/registry.js";
import { nodeUpdateEvents, type ClusterEvent } from "./queue/cluster-events.js";
import { Nominator } from "./queue/nominator.js";
import { SchedulingQueue, type QueuedPodInfo } from "./queue/scheduling-queue.js";

interface PodEntry {
  object: JsonObject;
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

const schedulerNameOf = (pod: JsonObject) => podView(pod).schedulerName || "default-scheduler";
const isTerminal = (pod: JsonObject) => podView(pod).isTerminal;
const isAssigned = (pod: JsonObject | undefined) => pod !== undefined && podView(pod).nodeName !== "";
const nominatedNodeNameOf = (pod: JsonObject | undefined) => (pod ? podView(pod).nominatedNodeName : "");

export interface SchedulerOptions {
  /** The default profile's name; a configured profile without a name takes it. */
  readonly schedulerName: string;
  readonly configuration?: SchedulerConfiguration;
  /** The longest an unschedulable pod waits without a cluster event that may help it. */
  readonly unschedulableRetryMs: number;
  readonly log: (m: string) => void;
  readonly clock?: Clock;
  /** Breaks ties between equally good nodes; Math.random unless a test pins it. */
  readonly random?: () => number;
  /** Binds outstanding at once before the loop waits for one to finish (256 by default). */
  readonly maxBindsInFlight?: number;
  /** Where the scheduler's metrics go; the global meter provider's by default. */
  readonly meter?: Meter;
}

/**
 * Binds each pending pod to a node its profile's plugins choose. It keeps its own cache of nodes and
 * pods (fed by reflectors), counts a pod against its node the moment it decides (assumed), and keeps
 * pending pods in kube-scheduler's queues: an unschedulable pod is tried again when a cluster event
 * that may help it happens.
 */
export class Scheduler {
  private readonly cache = new SchedulerCache();
  private readonly volumes = new VolumeCache();
  /** One per profile, by the schedulerName pods ask for. */
  private readonly profiles = new Map<string, PodScheduler>();
  private readonly pods = new Map<string, PodEntry>();
  private readonly nodes = new Map<string, JsonObject>();
  private readonly queue: SchedulingQueue;
  /** Pending pods preemption made room for, by node: Filter keeps lower-priority pods off that room. */
  private readonly nominator = new Nominator();
  private readonly binding: BindingPipeline;
  /** Binds go to the gateway as BindBatch calls: its cost is per call far more than per binding. */
  private readonly bindings = new BindBatcher((b) => this.client.bindBatch(b));
  private readonly metrics: SchedulerMetrics;
  private readonly clock: Clock;
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: CapstanClient,
    private readonly recorder: EventRecorder,
    private readonly tracer: Tracer,
    private readonly opts: SchedulerOptions,
  ) {
    this.binding = new BindingPipeline(opts.maxBindsInFlight ?? 256);
    this.clock = opts.clock ?? systemClock;
    this.metrics = schedulerMetrics(opts.meter ?? metrics.getMeter("@capstan/scheduler"), () => {
      const { active, backoff, unschedulable } = this.queue.pendingPods();
      return { active, backoff, unschedulable, gated: this.gatedPods() };
    });
    const configuration = opts.configuration ?? {};
    for (const config of configuration.profiles?.length ? configuration.profiles : [{}]) {
      let framework: Framework | undefined;
      const handle: Handle = {
        bindPod: (pod, nodeName) => this.bindPod(pod, nodeName),
        nodeCount: () => this.cache.nodeCount,
        volumes: this.volumes,
        claimBinder: {
          assumeSelectedNode: (namespace, name, nodeName) => this.volumes.assumeSelectedNode(namespace, name, nodeName),
          revertSelectedNode: (namespace, name) => this.volumes.revertSelectedNode(namespace, name),
          selectNode: (namespace, name, nodeName) => this.selectNode(namespace, name, nodeName),
          waitForBound: (namespace, name, timeoutMs) => this.volumes.waitForBound(namespace, name, timeoutMs),
        },
        runFilter: (state, pod, node) => framework!.runFilterWithNominatedPods(state, pod, node),
        nominator: this.nominator,
        evictPod: (victim, preemptor, nodeName) => void this.evictPod(victim, preemptor, nodeName),
        preempted: (victims) => {
          this.metrics.preemptionAttempts.add(1);
          if (victims > 0) this.metrics.preemptionVictims.record(victims);
        },
      };
      const profile = resolveProfile(config, opts.schedulerName, DEFAULT_PLUGINS, registry, handle);
      framework = frameworkFor(profile, registry, handle, this.nominator);
      this.profiles.set(profile.schedulerName, new PodScheduler(framework, {
        percentageOfNodesToScore: configuration.percentageOfNodesToScore ?? 0,
        ...(opts.random ? { random: opts.random } : {}),
      }));
    }
    // One queue, in the default profile's QueueSort order, as kube-scheduler with several profiles.
    const fwk = this.profiles.values().next().value!.framework;
    this.queue = new SchedulingQueue({
      clock: this.clock,
      less: (a, b) => fwk.less(a, b),
      unschedulableFlushMs: opts.unschedulableRetryMs,
      onActive: () => this.wake?.(),
    });
  }

  readonly nodeHandler: ReflectorHandler = {
    replace: (objects) => {
      this.cache.replaceNodes(objects);
      this.nodes.clear();
      for (const n of objects) this.nodes.set(metaOf(n).name, n);
      this.queue.moveAllToActiveOrBackoffQueue("NodeAdd");
    },
    apply: (e) => {
      const name = metaOf(e.object).name;
      const before = this.nodes.get(name);
      if (e.type === "DELETED") {
        this.cache.deleteNode(name);
        this.nodes.delete(name);
        this.queue.moveAllToActiveOrBackoffQueue("NodeDelete");
        return;
      }
      this.cache.setNode(e.object);
      this.nodes.set(name, e.object);
      const events: ClusterEvent[] = before ? nodeUpdateEvents(before, e.object) : ["NodeAdd"];
      for (const event of events) this.queue.moveAllToActiveOrBackoffQueue(event);
    },
  };

  readonly podHandler: ReflectorHandler = {
    replace: (objects, _revision, traces = {}) => {
      const listed = new Set(objects.map(keyOf));
      for (const key of this.pods.keys()) if (!listed.has(key)) this.queue.delete(key);
      this.pods.clear();
      for (const p of objects) this.podChanged({ type: "ADDED", object: p, revision: 0, ...traces[metaOf(p).uid] });
      this.cache.replacePods(objects);
      this.queue.moveAllToActiveOrBackoffQueue("AssignedPodDelete");
    },
    apply: (e) => this.podChanged(e),
  };

  /** PersistentVolumeClaims for VolumeBinding; a claim that appears or changes (binds) may make pods schedulable. */
  readonly claimHandler: ReflectorHandler = {
    replace: (objects) => {
      this.volumes.replaceClaims(objects);
      this.queue.moveAllToActiveOrBackoffQueue("PersistentVolumeClaimAdd");
    },
    apply: (e) => {
      if (e.type === "DELETED") return this.volumes.deleteClaim(e.object);
      this.volumes.setClaim(e.object);
      this.queue.moveAllToActiveOrBackoffQueue(e.type === "ADDED" ? "PersistentVolumeClaimAdd" : "PersistentVolumeClaimUpdate");
    },
  };

  /** PersistentVolumes for VolumeBinding, as claims. */
  readonly volumeHandler: ReflectorHandler = {
    replace: (objects) => {
      this.volumes.replaceVolumes(objects);
      this.queue.moveAllToActiveOrBackoffQueue("PersistentVolumeAdd");
    },
    apply: (e) => {
      if (e.type === "DELETED") return this.volumes.deleteVolume(e.object);
      this.volumes.setVolume(e.object);
      this.queue.moveAllToActiveOrBackoffQueue(e.type === "ADDED" ? "PersistentVolumeAdd" : "PersistentVolumeUpdate");
    },
  };

  /** StorageClasses for VolumeBinding: a new class may let a claim of it wait for its first consumer. */
  readonly classHandler: ReflectorHandler = {
    replace: (objects) => {
      this.volumes.replaceClasses(objects);
      this.queue.moveAllToActiveOrBackoffQueue("StorageClassAdd");
    },
    apply: (e) => {
      if (e.type === "DELETED") return this.volumes.deleteClass(e.object);
      this.volumes.setClass(e.object);
      if (e.type === "ADDED") this.queue.moveAllToActiveOrBackoffQueue("StorageClassAdd");
    },
  };

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.queue.close();
    this.wake?.();
    await this.loop;
    await this.binding.drain();
  }

  private podChanged(e: ReflectorEvent): void {
    const key = keyOf(e.object);
    const previous = this.pods.get(key);
    if (e.type === "DELETED") {
      this.cache.removePod(key);
      this.pods.delete(key);
      this.queue.delete(key);
      this.nominator.delete(key);
      if (isAssigned(previous?.object ?? e.object)) this.queue.moveAllToActiveOrBackoffQueue("AssignedPodDelete");
      return;
    }
    this.cache.setPod(e.object);
    this.pods.set(key, {
      object: e.object,
      traceparent: e.traceparent ?? previous?.traceparent,
      tracestate: e.tracestate ?? previous?.tracestate,
    });
    if (this.needsScheduling(e.object)) {
      const pod = podInfoFrom(e.object);
      this.nominator.update(nominatedNodeNameOf(previous?.object), pod);
      this.queue.add(pod);
      return;
    }
    this.queue.delete(key);
    this.nominator.delete(key);
    const event = assignedPodEvent(previous?.object, e.object);
    if (event) this.queue.moveAllToActiveOrBackoffQueue(event);
  }

  private needsScheduling(pod: JsonObject): boolean {
    return (
      podView(pod).nodeName === "" &&
      metaOf(pod).deletionTimestamp === undefined &&
      // kube-scheduler's SchedulingGates PreEnqueue: a gated pod waits outside the queues.
      podView(pod).schedulingGates.length === 0 &&
      this.profiles.has(schedulerNameOf(pod))
    );
  }

  private async run(): Promise<void> {
    while (this.running) {
      let queued = this.queue.pop();
      if (!queued) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      // The loop never waits on a bind's round trip, only for a free slot when too many are in flight.
      for (; queued && this.running; queued = this.queue.pop()) {
        const bind = this.scheduleOne(queued, this.queue.cycle);
        if (bind) await this.binding.add(bind);
      }
    }
  }

  /** Decides synchronously against the cache; returns the bind in flight, if any. */
  private scheduleOne(queued: QueuedPodInfo, cycle: number): Promise<void> | undefined {
    const { pod } = queued;
    const started = this.clock.now();
    const key = pod.key;
    const entry = this.pods.get(key);
    // Gone, bound, or decided already with its bind in flight: nothing to do.
    if (!entry || !this.needsScheduling(entry.object) || this.cache.isAssumed(key)) {
      this.queue.done(key);
      return undefined;
    }
    const podScheduler = this.profileOf(entry.object);
    const fwk = podScheduler.framework;
    const attempted = (result: SchedulingResult) => this.recordAttempt(entry.object, result, started);
    let result: ReturnType<PodScheduler["scheduleOne"]>;
    try {
      result = podScheduler.scheduleOne(pod, this.cache);
    } catch (e) {
      this.opts.log(`scheduling ${key}: ${e instanceof Error ? e.message : String(e)}`);
      attempted("error");
      this.queue.addUnschedulable(key, new Set(), cycle);
      return undefined;
    }
    if (result instanceof FitError) {
      this.nominate(entry, pod, result.nominatedNodeName);
      this.markUnschedulable(entry, result.message, result.diagnosis.unschedulablePlugins);
      attempted("unschedulable");
      this.queue.addUnschedulable(key, result.diagnosis.unschedulablePlugins, cycle);
      return undefined;
    }
    const { nodeName, state } = result;
    const reserved = fwk.runReserve(state, pod, nodeName);
    const permitted = isSuccess(reserved) ? fwk.runPermit(state, pod, nodeName) : reserved;
    if (!isSuccess(permitted)) {
      fwk.runUnreserve(state, pod, nodeName);
      const rejectedBy = new Set(permitted.plugin ? [permitted.plugin] : []);
      this.markUnschedulable(entry, `${permitted.plugin ?? ""}: ${permitted.reasons.join(", ")}`, rejectedBy);
      attempted("unschedulable");
      this.queue.addUnschedulable(key, rejectedBy, cycle);
      return undefined;
    }
    this.cache.assumePod(pod, nodeName);
    // Assumed, it holds its node through the cache; a nomination elsewhere would hold a second node.
    this.nominator.delete(key);
    return this.bind(entry, pod, nodeName, state, { cycle, started, enqueued: queued.initialTimestamp });
  }

  /**
   * As kube-scheduler: an attempt's duration runs from the start of its scheduling cycle to its outcome,
   * through the bind when there is one.
   */
  private recordAttempt(pod: JsonObject, result: SchedulingResult, startedMs: number): void {
    this.metrics.attemptDuration.record(secondsSince(startedMs, this.clock.now()), {
      "capstan.scheduling.result": result,
      "capstan.scheduler.profile": schedulerNameOf(pod),
    });
  }

  /** Pods held back by scheduling gates, outside the queues. */
  private gatedPods(): number {
    let gated = 0;
    for (const { object } of this.pods.values()) {
      if (!isAssigned(object) && podView(object).schedulingGates.length > 0) gated++;
    }
    return gated;
  }

  private profileOf(pod: JsonObject): PodScheduler {
    return this.profiles.get(schedulerNameOf(pod))!;
  }

  /**
   * After a failed attempt the pod is nominated where preemption made room, or nowhere when PostFilter
   * says so (a stale nomination must not keep other pods off a node), in the nominator at once and in
   * status.nominatedNodeName (so a restarted scheduler, and users, see it) when that changes.
   */
  private nominate(entry: PodEntry, pod: PodInfo, nodeName: string | undefined): void {
    if (nodeName === undefined) return;
    if (nodeName) this.nominator.add(pod, nodeName);
    else this.nominator.delete(pod.key);
    if (nominatedNodeNameOf(entry.object) !== nodeName) void this.updateNominatedNodeName(entry.object, nodeName);
  }

  /** UpdateStatus from the object last seen; on a conflict, once more from the current one. */
  private async updateNominatedNodeName(seen: JsonObject, nodeName: string): Promise<void> {
    const { namespace, name } = metaOf(seen);
    const write = (pod: JsonObject) =>
      this.client.updateStatus(toApiObject({ ...pod, status: { ...statusOf(pod), nominatedNodeName: nodeName } }));
    try {
      try {
        await write(seen);
      } catch (e) {
        if (!isCapstanError(e, "Conflict")) throw e;
        const current = fromApiObject(await this.client.get({ kind: "Pod", namespace, name })).json;
        if (metaOf(current).uid === metaOf(seen).uid && !isAssigned(current)) await write(current);
      }
    } catch (e) {
      // Gone or changed again: its next event brings the pod back to the queue and the nominator.
      if (!isCapstanError(e, "NotFound") && !isCapstanError(e, "Conflict")) {
        this.opts.log(`nominating ${namespace}/${name} to "${nodeName}": ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** Each failed attempt records a FailedScheduling event, as kube-scheduler does; the queue decides when it is tried again. */
  private markUnschedulable(entry: PodEntry, message: string, rejectedBy: ReadonlySet<string>): void {
    this.recorder.record(entry.object, "Warning", "FailedScheduling", message);
    for (const plugin of rejectedBy) this.metrics.unschedulable.add(1, { "capstan.scheduler.plugin": plugin });
  }

  private async bind(
    entry: PodEntry,
    pod: PodInfo,
    nodeName: string,
    state: CycleState,
    attempt: { cycle: number; started: number; enqueued: number },
  ): Promise<void> {
    const fwk = this.profileOf(entry.object).framework;
    const { namespace, name } = pod;
    // The bind continues the pod's own trace, so create → schedule → start reads as one trace.
    const parent = contextFromTraceparent(entry.traceparent, entry.tracestate);
    const span = this.tracer.startSpan("Scheduler/Bind", { attributes: { ...objectAttributes(entry.object), "k8s.node.name": nodeName } }, parent);
    try {
      const status = await context.with(trace.setSpan(parent, span), async () => {
        const prepared = await fwk.runPreBind(state, pod, nodeName);
        return isSuccess(prepared) ? fwk.runBind(state, pod, nodeName) : prepared;
      });
      if (!isSuccess(status)) throw new Error(`${status.plugin ?? ""}: ${status.reasons.join(", ")}`);
      // The cache counts it on the node until the pod's MODIFIED event confirms the binding.
      this.queue.done(pod.key);
      this.recordAttempt(entry.object, "scheduled", attempt.started);
      this.metrics.e2eDuration.record(secondsSince(attempt.enqueued, this.clock.now()));
      this.recorder.record(entry.object, "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${nodeName}`);
    } catch (e) {
      // Forget the assumption so the node's room is free again; the pod waits for a retry (a conflict or
      // a deleted pod comes back, if at all, as the pod's own event).
      this.cache.forgetPod(pod.key);
      fwk.runUnreserve(state, pod, nodeName);
      if (!isCapstanError(e, "Conflict") && !isCapstanError(e, "NotFound")) {
        const message = e instanceof Error ? e.message : String(e);
        this.opts.log(`binding ${namespace}/${name} to ${nodeName}: ${message}`);
        this.recorder.record(entry.object, "Warning", "FailedScheduling", `Binding rejected: ${message}`);
      }
      this.recordAttempt(entry.object, "error", attempt.started);
      // Back off and try again, unless the pod's own events show it bound or gone meanwhile.
      this.queue.addUnschedulable(pod.key, new Set(), attempt.cycle);
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

  /** VolumeBinding's PreBind: the claim's volume is to be provisioned on this node (Update, retried once on a conflict). */
  private async selectNode(namespace: string, name: string, nodeName: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const claim = fromApiObject(await this.client.get({ kind: "PersistentVolumeClaim", namespace, name })).json;
      const meta = metaOf(claim);
      if (meta.annotations[SELECTED_NODE_ANNOTATION] === nodeName) return;
      const metadata = { ...meta.json, annotations: { ...meta.annotations, [SELECTED_NODE_ANNOTATION]: nodeName } };
      try {
        await this.client.update(toApiObject({ ...claim, metadata }));
        return;
      } catch (e) {
        if (!isCapstanError(e, "Conflict") || attempt > 0) throw e;
      }
    }
  }

  private async bindPod(pod: PodInfo, nodeName: string): Promise<void> {
    await this.bindings.bind({ namespace: pod.namespace, name: pod.name, nodeName, preconditions: { uid: pod.uid } });
  }
}

/** The cluster event an assigned pod's change is, if any (kube-scheduler's AssignedPod Add/Update/Delete). */
function assignedPodEvent(before: JsonObject | undefined, after: JsonObject): ClusterEvent | undefined {
  if (!isAssigned(after)) return undefined;
  if (!before || !isAssigned(before)) return "AssignedPodAdd";
  // A finished pod no longer holds its node's resources (kube-scheduler drops it from the cache).
  if (isTerminal(after) && !isTerminal(before)) return "AssignedPodDelete";
  // The raw members, not the view's defaults, so an absent map and an empty one still differ.
  const changed = (field: string) => JSON.stringify(metaOf(before).json[field] ?? null) !== JSON.stringify(metaOf(after).json[field] ?? null);
  return changed("labels") || changed("deletionTimestamp") ? "AssignedPodUpdate" : undefined;
}
