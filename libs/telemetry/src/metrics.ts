import type { Histogram, Meter, UpDownCounter } from "@opentelemetry/api";

// The instruments Capstan's dashboards are built on (DESIGN §7). Durations are in milliseconds; an
// outcome is an attribute of the duration histogram, so its count is the rate of attempts or errors.

/** `rpc.method` is the full gRPC method ("capstan.v1.Gateway/Apply"), the code its status name ("OK"). */
export type ApiRequestAttributes = {
  "rpc.method": string;
  "rpc.response.status_code": string;
};

export type ReconcileResult = "success" | "requeue" | "error" | "terminal_error";

export type ReconcileAttributes = {
  "capstan.controller": string;
  "capstan.reconcile.result": ReconcileResult;
};

export type SchedulingResult = "scheduled" | "unschedulable" | "error";

export type SchedulingAttributes = {
  "capstan.scheduling.result": SchedulingResult;
};

export type WorkQueueAttributes = {
  "capstan.workqueue.name": string;
};

const LATENCY_BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];
const POD_STARTUP_BUCKETS_MS = [50, 100, 250, 500, 1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000, 120_000];

/** Server-side latency of one gateway API call. */
export function apiRequestDuration(meter: Meter): Histogram<ApiRequestAttributes> {
  return meter.createHistogram<ApiRequestAttributes>("capstan.api.request.duration", {
    description: "Duration of API requests handled by the gateway.",
    unit: "ms",
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS_MS },
  });
}

/** Duration of one reconcile(key) call, by controller and how it ended. */
export function reconcileDuration(meter: Meter): Histogram<ReconcileAttributes> {
  return meter.createHistogram<ReconcileAttributes>("capstan.controller.reconcile.duration", {
    description: "Duration of reconcile calls; the count by result gives reconciles and errors.",
    unit: "ms",
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS_MS },
  });
}

/** Keys waiting in a controller's work queue: add 1 on enqueue, -1 on dequeue. */
export function workQueueDepth(meter: Meter): UpDownCounter<WorkQueueAttributes> {
  return meter.createUpDownCounter<WorkQueueAttributes>("capstan.workqueue.depth", {
    description: "Number of keys waiting in a work queue.",
    unit: "{key}",
  });
}

/** Duration of one scheduling attempt for one pod, by result. */
export function schedulingAttemptDuration(meter: Meter): Histogram<SchedulingAttributes> {
  return meter.createHistogram<SchedulingAttributes>("capstan.scheduler.attempt.duration", {
    description: "Duration of scheduling attempts; the count by result gives attempts.",
    unit: "ms",
    advice: { explicitBucketBoundaries: LATENCY_BUCKETS_MS },
  });
}

/** Time from a pod's creation to it being Running. */
export function podStartupLatency(meter: Meter): Histogram {
  return meter.createHistogram("capstan.pod.startup.duration", {
    description: "Time from pod creation to the pod running.",
    unit: "ms",
    advice: { explicitBucketBoundaries: POD_STARTUP_BUCKETS_MS },
  });
}
