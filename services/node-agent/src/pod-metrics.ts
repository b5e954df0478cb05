import { metrics, type Meter } from "@opentelemetry/api";
import { metaOf, podView } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { nodeAgentMetrics, secondsSince, type ContainerState, type NodeAgentMetrics, type NodeCensus } from "@capstan/telemetry";
import type { PodRuntimeStatus, Runtime } from "./runtime/index.js";

/**
 * The node agent's pod metrics, fed by the status reports it writes: startup latency (creation → the
 * first report of Running, kubelet_pod_start_sli_duration_seconds), container restarts, and at each
 * collection what each node runs.
 */
export class PodMetrics {
  private readonly instruments: NodeAgentMetrics;
  /** Pods whose startup was recorded, so a retried report or a later one does not count it again. */
  private readonly started = new Set<string>();
  /** Each pod's node and the restarts already counted, by uid. */
  private readonly seen = new Map<string, { node: string; restarts: number }>();

  constructor(
    private readonly runtime: Runtime,
    meter: Meter = metrics.getMeter("@capstan/node-agent"),
  ) {
    this.instruments = nodeAgentMetrics(meter, () => this.census());
  }

  /** The agent reports `runtime` as the status of `pod`, which the API had as `pod.status`. */
  reported(pod: JsonObject, runtime: PodRuntimeStatus): void {
    const meta = metaOf(pod);
    const view = podView(pod);
    const restarts = totalRestarts(runtime);
    const seen = this.seen.get(meta.uid);
    // First seen by this process: what the API shows was counted by whoever wrote it.
    const counted = seen?.restarts ?? Math.min(restarts, totalRestarts({ containerStatuses: apiContainerStatuses(pod) }));
    if (restarts > counted) this.instruments.containerRestarts.add(restarts - counted, { "k8s.node.name": view.nodeName });
    this.seen.set(meta.uid, { node: view.nodeName, restarts: Math.max(restarts, counted) });

    const wasRunning = (pod["status"] as { phase?: unknown } | undefined)?.phase === "Running";
    if (runtime.phase === "Running" && !wasRunning && !this.started.has(meta.uid) && meta.creationTimestamp) {
      this.started.add(meta.uid);
      this.instruments.podStartup.record(Math.max(0, secondsSince(Date.parse(meta.creationTimestamp), Date.now())));
    }
  }

  forget(uid: string): void {
    this.started.delete(uid);
    this.seen.delete(uid);
  }

  private census(): NodeCensus[] {
    const nodes = new Map<string, { runningPods: number; containers: Record<ContainerState, number> }>();
    for (const uid of this.runtime.runningPods()) {
      const status = this.runtime.status(uid);
      const node = this.seen.get(uid)?.node;
      if (!status || node === undefined) continue;
      let n = nodes.get(node);
      if (!n) nodes.set(node, (n = { runningPods: 0, containers: { running: 0, exited: 0, created: 0 } }));
      let running = false;
      for (const c of status.containerStatuses) {
        const state: ContainerState = c.state?.running ? "running" : c.state?.terminated ? "exited" : "created";
        n.containers[state]++;
        running ||= state === "running";
      }
      if (running) n.runningPods++;
    }
    return [...nodes].map(([node, n]) => ({ node, ...n }));
  }
}

function totalRestarts(status: Pick<PodRuntimeStatus, "containerStatuses">): number {
  return status.containerStatuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

function apiContainerStatuses(pod: JsonObject): PodRuntimeStatus["containerStatuses"] {
  const statuses = (pod["status"] as { containerStatuses?: unknown } | undefined)?.containerStatuses;
  return Array.isArray(statuses) ? (statuses as PodRuntimeStatus["containerStatuses"]) : [];
}
