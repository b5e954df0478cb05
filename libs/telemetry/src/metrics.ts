import type { Attributes, Counter, Histogram, Meter, UpDownCounter } from "@opentelemetry/api";

// The instruments Capstan's dashboards are built on (DESIGN §7). Names follow the OTel semantic
// conventions where one exists, else the Kubernetes metric they mirror. Durations are histograms in seconds; an outcome is an attribute of the duration histogram, so
// its count is the rate of attempts or errors. Each factory is called once per process (or per queue)
// where the thing it measures happens.

/** Seconds between two millisecond readings (performance.now(), Date.now(), a Clock). */
export function secondsSince(startMs: number, nowMs: number = performance.now()): number {
  return (nowMs - startMs) / 1000;
}

const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Event commit → delivery, endpoint propagation: milliseconds to tens of seconds. */
const PROPAGATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const POD_STARTUP_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
const DNS_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];
const VICTIM_BUCKETS = [1, 2, 4, 8, 16, 32, 64];

function seconds<A extends Attributes>(
  meter: Meter,
  name: string,
  description: string,
  buckets: number[] = LATENCY_BUCKETS_S,
): Histogram<A> {
  return meter.createHistogram<A>(name, { description, unit: "s", advice: { explicitBucketBoundaries: buckets } });
}

// ---- API (gateway) ----

/** `rpc.method` is the full gRPC method ("capstan.v1.Gateway/Apply"), the code its status name ("OK"). */
export type RpcCallAttributes = {
  "rpc.system": "grpc";
  "rpc.method": string;
  "rpc.response.status_code": string;
  "capstan.kind"?: string;
};

/** Server-side latency of one gateway gRPC call (semconv rpc.server.call.duration). */
export function rpcServerCallDuration(meter: Meter): Histogram<RpcCallAttributes> {
  return seconds(meter, "rpc.server.call.duration", "Duration of gRPC calls handled by the gateway.");
}

export type KubeVerb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export type HttpRequestAttributes = {
  "http.request.method": string;
  "http.response.status_code": string;
  "capstan.verb"?: KubeVerb;
  "capstan.kind"?: string;
};

/** Server-side latency of one Kubernetes REST API request (semconv http.server.request.duration). */
export function httpServerRequestDuration(meter: Meter): Histogram<HttpRequestAttributes> {
  return seconds(meter, "http.server.request.duration", "Duration of Kubernetes API requests handled by the gateway.");
}

/** What the cluster holds, read at each collection. */
export interface ClusterCensus {
  readonly objectsByKind: ReadonlyMap<string, number>;
  readonly podsByPhase: ReadonlyMap<string, number>;
  /** By the Ready condition's status: "True", "False", "Unknown". */
  readonly nodesByReady: ReadonlyMap<string, number>;
}

/** Objects by kind (apiserver_storage_objects), pods by phase (k8s.pod.phase), nodes by Ready. */
export function observeCluster(meter: Meter, census: () => Promise<ClusterCensus>): void {
  const objects = meter.createObservableGauge("capstan.objects", { description: "Objects stored, by kind.", unit: "{object}" });
  const pods = meter.createObservableGauge("capstan.pods", { description: "Pods by phase.", unit: "{pod}" });
  const nodes = meter.createObservableGauge("capstan.nodes", { description: "Nodes by their Ready condition.", unit: "{node}" });
  meter.addBatchObservableCallback(
    async (result) => {
      const { objectsByKind, podsByPhase, nodesByReady } = await census();
      for (const [kind, n] of objectsByKind) result.observe(objects, n, { "capstan.kind": kind });
      for (const [phase, n] of podsByPhase) result.observe(pods, n, { "k8s.pod.phase": phase });
      for (const [ready, n] of nodesByReady) result.observe(nodes, n, { "capstan.node.ready": ready });
    },
    [objects, pods, nodes],
  );
}

// ---- event log (gateway) ----

/** One group commit as the event store reports it (@capstan/eventstore's CommitBatchObservation). */
export type CommitObservation = {
  readonly batchSize: number;
  readonly committedKinds: readonly string[];
  readonly durationSeconds: number;
  readonly lastRevision: number | undefined;
};

export interface EventLogMetrics {
  commit(observation: CommitObservation): void;
}

/**
 * The event log's instruments: appends by kind, batch size and duration of each group commit, and as
 * gauges the last committed revision and the outbox lag (committed − published). `lastPublished` is the
 * outbox relay's; until this process commits, the revision it reports is that.
 */
export function eventLogMetrics(meter: Meter, lastPublished: () => number): EventLogMetrics {
  const appends = meter.createCounter<{ "capstan.kind": string }>("capstan.eventlog.appends", {
    description: "Events committed to the event log.",
    unit: "{event}",
  });
  const batchSize = meter.createHistogram("capstan.eventlog.commit.batch.size", {
    description: "Mutations per group-commit transaction.",
    unit: "{event}",
    advice: { explicitBucketBoundaries: BATCH_SIZE_BUCKETS },
  });
  const duration = seconds(meter, "capstan.eventlog.commit.duration", "Duration of one group-commit transaction.");
  let committed = 0;
  const revisionGauge = meter.createObservableGauge("capstan.eventlog.revision", {
    description: "The last committed revision of the event log.",
    unit: "{revision}",
  });
  const lag = meter.createObservableGauge("capstan.eventlog.outbox.lag", {
    description: "Committed events not yet published to the bus (committed revision − last published).",
    unit: "{event}",
  });
  meter.addBatchObservableCallback(
    (result) => {
      const published = lastPublished();
      const revision = Math.max(committed, published);
      result.observe(revisionGauge, revision);
      result.observe(lag, revision - published);
    },
    [revisionGauge, lag],
  );
  return {
    commit(o) {
      batchSize.record(o.batchSize);
      duration.record(o.durationSeconds);
      for (const kind of o.committedKinds) appends.add(1, { "capstan.kind": kind });
      if (o.lastRevision !== undefined && o.lastRevision > committed) committed = o.lastRevision;
    },
  };
}

// ---- watches (gateway) ----

export type WatchTransport = "grpc" | "http";

export interface WatchMetrics {
  /** A watcher came (+1) or went (-1). */
  subscribed(kind: string, transport: WatchTransport, delta: 1 | -1): void;
  /** An event committed at `committedAtMs` (epoch ms) was just sent to a watcher. */
  delivered(transport: WatchTransport, committedAtMs: number): void;
}

export function watchMetrics(meter: Meter): WatchMetrics {
  const subscribers = meter.createUpDownCounter<{ "capstan.kind": string; "capstan.watch.transport": WatchTransport }>(
    "capstan.watch.subscribers",
    { description: "Open watches.", unit: "{watch}" },
  );
  const lag = seconds<{ "capstan.watch.transport": WatchTransport }>(
    meter,
    "capstan.watch.delivery.lag",
    "Time from an event's commit to its delivery to a watcher.",
    PROPAGATION_BUCKETS_S,
  );
  return {
    subscribed: (kind, transport, delta) => subscribers.add(delta, { "capstan.kind": kind, "capstan.watch.transport": transport }),
    delivered: (transport, committedAtMs) =>
      lag.record(Math.max(0, secondsSince(committedAtMs, Date.now())), { "capstan.watch.transport": transport }),
  };
}

// ---- controllers ----

export type ReconcileResult = "success" | "requeue" | "error" | "terminal_error";

export type ReconcileAttributes = {
  "capstan.controller": string;
  "capstan.reconcile.result": ReconcileResult;
};

/** Duration of one reconcile(key) call, by controller and how it ended. */
export function reconcileDuration(meter: Meter): Histogram<ReconcileAttributes> {
  return seconds(meter, "capstan.controller.reconcile.duration", "Duration of reconcile calls; the count by result gives reconciles and errors.");
}

export type WorkQueueAttributes = {
  "capstan.workqueue.name": string;
};

/** A work queue's instruments, as client-go's workqueue_* metrics. */
export interface WorkQueueInstruments {
  /** Keys waiting: add 1 on enqueue, -1 on dequeue. */
  readonly depth: UpDownCounter<WorkQueueAttributes>;
  readonly adds: Counter<WorkQueueAttributes>;
  readonly retries: Counter<WorkQueueAttributes>;
  /** Seconds a key waited in the queue before a worker took it. */
  readonly queueDuration: Histogram<WorkQueueAttributes>;
  /** Seconds a worker spent on a key. */
  readonly workDuration: Histogram<WorkQueueAttributes>;
}

export function workQueueInstruments(meter: Meter): WorkQueueInstruments {
  return {
    depth: meter.createUpDownCounter("capstan.workqueue.depth", { description: "Keys waiting in a work queue.", unit: "{key}" }),
    adds: meter.createCounter("capstan.workqueue.adds", { description: "Keys added to a work queue.", unit: "{key}" }),
    retries: meter.createCounter("capstan.workqueue.retries", { description: "Rate-limited re-adds (retries) of a work queue.", unit: "{key}" }),
    queueDuration: seconds(meter, "capstan.workqueue.queue.duration", "Time a key waits in a work queue before it is processed."),
    workDuration: seconds(meter, "capstan.workqueue.work.duration", "Time a worker takes to process a key."),
  };
}

/** The longest any worker of the queue has been on its current key, read at each collection. */
export function observeLongestRunningProcessor(meter: Meter, attributes: WorkQueueAttributes, seconds: () => number): () => void {
  const gauge = meter.createObservableGauge<WorkQueueAttributes>("capstan.workqueue.longest_running_processor.duration", {
    description: "How long the longest-running worker of a work queue has been processing its key.",
    unit: "s",
  });
  const callback = (result: { observe(value: number, attributes: WorkQueueAttributes): void }) => result.observe(seconds(), attributes);
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}

// ---- scheduler ----

export type SchedulingResult = "scheduled" | "unschedulable" | "error";

export type SchedulingAttributes = {
  "capstan.scheduling.result": SchedulingResult;
  "capstan.scheduler.profile": string;
};

export type SchedulerQueue = "active" | "backoff" | "unschedulable" | "gated";

export interface SchedulerMetrics {
  /** Duration of one scheduling attempt for one pod, by result and profile. */
  readonly attemptDuration: Histogram<SchedulingAttributes>;
  /** First enqueue → bound, per pod. */
  readonly e2eDuration: Histogram;
  /** Failed attempts by the plugin that rejected (scheduler_unschedulable_pods). */
  readonly unschedulable: Counter<{ "capstan.scheduler.plugin": string }>;
  readonly preemptionAttempts: Counter;
  readonly preemptionVictims: Histogram;
}

export function schedulerMetrics(meter: Meter, pendingPods: () => Readonly<Record<SchedulerQueue, number>>): SchedulerMetrics {
  meter
    .createObservableGauge<{ "capstan.scheduler.queue": SchedulerQueue }>("capstan.scheduler.pending_pods", {
      description: "Pods waiting to be scheduled, by queue.",
      unit: "{pod}",
    })
    .addCallback((result) => {
      for (const [queue, n] of Object.entries(pendingPods())) result.observe(n, { "capstan.scheduler.queue": queue as SchedulerQueue });
    });
  return {
    attemptDuration: seconds(meter, "capstan.scheduler.attempt.duration", "Duration of scheduling attempts; the count by result gives attempts."),
    e2eDuration: seconds(meter, "capstan.scheduler.e2e.duration", "Time from a pod's first enqueue to its binding.", PROPAGATION_BUCKETS_S),
    unschedulable: meter.createCounter("capstan.scheduler.unschedulable", {
      description: "Scheduling attempts that found no node, by the plugin that rejected the pod.",
      unit: "{pod}",
    }),
    preemptionAttempts: meter.createCounter("capstan.scheduler.preemption.attempts", {
      description: "Preemption attempts.",
      unit: "{attempt}",
    }),
    preemptionVictims: meter.createHistogram("capstan.scheduler.preemption.victims", {
      description: "Pods evicted by one preemption.",
      unit: "{pod}",
      advice: { explicitBucketBoundaries: VICTIM_BUCKETS },
    }),
  };
}

// ---- node agent ----

/** Time from a pod's creation to it being Running (kubelet_pod_start_sli_duration_seconds). */
export function podStartupDuration(meter: Meter): Histogram {
  return seconds(meter, "capstan.pod.startup.duration", "Time from pod creation to the pod running.", POD_STARTUP_BUCKETS_S);
}

export type ContainerState = "running" | "exited" | "created";
export type ProbeType = "liveness" | "readiness" | "startup";
export type ProbeResult = "successful" | "failed" | "unknown";

export interface NodeAgentMetrics {
  readonly podStartup: Histogram;
  readonly containerRestarts: Counter<{ "k8s.node.name": string }>;
}

export type ProbeAttributes = { "capstan.probe.type": ProbeType; "capstan.probe.result": ProbeResult };

/** Each probe run by type and result (prober_probe_total). */
export function probeResults(meter: Meter): Counter<ProbeAttributes> {
  return meter.createCounter("capstan.probe.results", { description: "Probe runs by type and result.", unit: "{probe}" });
}

/** What one node runs, counted at each collection. */
export interface NodeCensus {
  readonly node: string;
  readonly runningPods: number;
  readonly containers: Readonly<Record<ContainerState, number>>;
}

export function nodeAgentMetrics(meter: Meter, census: () => readonly NodeCensus[]): NodeAgentMetrics {
  const pods = meter.createObservableGauge("capstan.node_agent.running_pods", { description: "Pods with a running sandbox.", unit: "{pod}" });
  const containers = meter.createObservableGauge("capstan.node_agent.running_containers", {
    description: "Containers by state.",
    unit: "{container}",
  });
  meter.addBatchObservableCallback(
    (result) => {
      for (const n of census()) {
        result.observe(pods, n.runningPods, { "k8s.node.name": n.node });
        for (const [state, count] of Object.entries(n.containers)) {
          result.observe(containers, count, { "k8s.node.name": n.node, "capstan.container.state": state });
        }
      }
    },
    [pods, containers],
  );
  return {
    podStartup: podStartupDuration(meter),
    containerRestarts: meter.createCounter("capstan.container.restarts", { description: "Container restarts.", unit: "{restart}" }),
  };
}

// ---- discovery ----

export type DnsQueryAttributes = {
  "network.transport": string;
  "dns.rcode": string;
  "capstan.dns.forwarded": boolean;
};

/** Duration of one DNS query; its count by rcode is the query and error rate. */
export function dnsQueryDuration(meter: Meter): Histogram<DnsQueryAttributes> {
  return seconds(meter, "capstan.dns.query.duration", "Duration of DNS queries answered (or forwarded) by the cluster DNS.", DNS_BUCKETS_S);
}

/** Pod change committed → the EndpointSlice written and DNS answering with it. */
export function endpointsPropagationDuration(meter: Meter): Histogram {
  return seconds(
    meter,
    "capstan.endpoints.propagation.duration",
    "Time from a pod change's commit to discovery's EndpointSlice and DNS reflecting it.",
    PROPAGATION_BUCKETS_S,
  );
}
