import { context, trace, type Tracer } from "@opentelemetry/api";
import { nodeAllocatable, podRequests } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient, EventRecorder, JsonObject, ReflectorEvent, ReflectorHandler } from "@capstan/client";
import { contextFromTraceparent } from "@capstan/telemetry";
import { placePod, type NodeView, type PodView, type Resources } from "./fit.js";

interface PodEntry {
  object: JsonObject;
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

const get = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as JsonObject)[k] : undefined), o);
const keyOf = (pod: JsonObject) => `${String(get(pod, "metadata", "namespace"))}/${String(get(pod, "metadata", "name"))}`;
const isTerminal = (pod: JsonObject) => ["Succeeded", "Failed"].includes(String(get(pod, "status", "phase")));

/**
 * Binds each pending pod to a node that fits it. It keeps its own view of nodes and pods (fed by
 * reflectors), counts a pod against its node the moment it decides (assumed), and tries unschedulable
 * pods again when the cluster changes.
 */
export class Scheduler {
  private readonly nodes = new Map<string, JsonObject>();
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
    private readonly opts: { schedulerName: string; unschedulableRetryMs: number; log: (m: string) => void },
  ) {}

  readonly nodeHandler: ReflectorHandler = {
    replace: (objects) => {
      this.nodes.clear();
      for (const n of objects) this.nodes.set(String(get(n, "metadata", "name")), n);
      this.clusterChanged();
    },
    apply: (e) => {
      const name = String(get(e.object, "metadata", "name"));
      if (e.type === "DELETED") this.nodes.delete(name);
      else this.nodes.set(name, e.object);
      this.clusterChanged();
    },
  };

  readonly podHandler: ReflectorHandler = {
    replace: (objects) => {
      this.pods.clear();
      this.pending.clear();
      for (const p of objects) this.podChanged({ type: "ADDED", object: p, revision: 0 });
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
      this.pods.delete(key);
      this.pending.delete(key);
      this.unschedulable.delete(key);
      this.clusterChanged();
      return;
    }
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
      (get(pod, "spec", "schedulerName") ?? "default-scheduler") === this.opts.schedulerName
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
      const views = this.nodeViews();
      const binds: Promise<void>[] = [];
      for (const key of [...this.pending]) {
        this.pending.delete(key);
        const entry = this.pods.get(key);
        if (!entry || !this.needsScheduling(entry.object)) continue;
        const placement = placePod(podView(entry.object), views.values());
        if ("message" in placement) {
          if (this.unschedulable.get(key) === undefined) {
            this.recorder.record(entry.object, "Warning", "FailedScheduling", placement.message);
          }
          this.unschedulable.set(key, placement.message);
          continue;
        }
        assume(views.get(placement.node)!, entry.object);
        binds.push(this.bind(entry, placement.node));
      }
      await Promise.all(binds);
    }
  }

  private async bind(entry: PodEntry, nodeName: string): Promise<void> {
    const pod = entry.object;
    const [namespace, name] = [String(get(pod, "metadata", "namespace")), String(get(pod, "metadata", "name"))];
    // The bind continues the pod's own trace, so create → schedule → start reads as one trace.
    const parent = contextFromTraceparent(entry.traceparent, entry.tracestate);
    const span = this.tracer.startSpan("Scheduler/Bind", { attributes: { "k8s.pod.name": name, "k8s.node.name": nodeName } }, parent);
    try {
      await context.with(trace.setSpan(parent, span), () => this.client.bind({
        namespace,
        name,
        nodeName,
        preconditions: { uid: String(get(pod, "metadata", "uid")) },
      }));
      // Count it on the node now; the MODIFIED event confirms it later.
      this.pods.set(keyOf(pod), { ...entry, object: { ...pod, spec: { ...(pod["spec"] as JsonObject), nodeName } } });
      this.recorder.record(pod, "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${nodeName}`);
    } catch (e) {
      if (!isCapstanError(e, "Conflict") && !isCapstanError(e, "NotFound")) {
        this.opts.log(`binding ${namespace}/${name} to ${nodeName}: ${e instanceof Error ? e.message : String(e)}`);
        this.unschedulable.set(keyOf(pod), "bind failed");
      }
    } finally {
      span.end();
    }
  }

  private nodeViews(): Map<string, NodeView & { requested: Resources }> {
    const views = new Map<string, NodeView & { requested: Resources }>();
    for (const [name, node] of this.nodes) {
      const conditions = (get(node, "status", "conditions") ?? []) as JsonObject[];
      views.set(name, {
        name,
        labels: (get(node, "metadata", "labels") ?? {}) as Record<string, string>,
        ready: conditions.some((c) => c["type"] === "Ready" && c["status"] === "True"),
        unschedulable: get(node, "spec", "unschedulable") === true,
        taints: ((get(node, "spec", "taints") ?? []) as JsonObject[]).map((t) => ({
          key: String(t["key"] ?? ""),
          value: String(t["value"] ?? ""),
          effect: String(t["effect"] ?? ""),
        })),
        allocatable: nodeAllocatable(node),
        requested: { milliCpu: 0, memoryBytes: 0, pods: 0 },
      });
    }
    for (const { object } of this.pods.values()) {
      const node = views.get(String(get(object, "spec", "nodeName") ?? ""));
      if (node && !isTerminal(object)) assume(node, object);
    }
    return views;
  }
}

function assume(node: { requested: Resources }, pod: JsonObject): void {
  const r = podRequests(pod);
  node.requested.milliCpu += r.milliCpu;
  node.requested.memoryBytes += r.memoryBytes;
  node.requested.pods += 1;
}

function podView(pod: JsonObject): PodView {
  return {
    requests: podRequests(pod),
    nodeSelector: (get(pod, "spec", "nodeSelector") ?? {}) as Record<string, string>,
    tolerations: (get(pod, "spec", "tolerations") ?? []) as PodView["tolerations"],
  };
}
