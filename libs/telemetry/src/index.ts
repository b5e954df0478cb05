export { initTelemetry } from "./telemetry.js";
export type { Telemetry, TelemetryOptions } from "./telemetry.js";
export { runService } from "./run-service.js";
export { parseListenAddress } from "./listen-address.js";
export type { ServiceContext, StopService } from "./run-service.js";

export { contextFromTraceparent, injectTraceContext, traceIdOf } from "./trace-context.js";
export type { TraceContextCarrier } from "./trace-context.js";

export { contextFromMetadata, injectIntoMetadata, traceClientInterceptor } from "./grpc-metadata.js";
export { contextFromHeaders, injectIntoHeaders } from "./nats-headers.js";
export { withSpan } from "./with-span.js";
export { objectAttributes } from "./object-attributes.js";
export type { TracedObject } from "./object-attributes.js";

export {
  dnsQueryDuration,
  endpointsPropagationDuration,
  eventLogMetrics,
  httpServerRequestDuration,
  nodeAgentMetrics,
  observeLongestRunningProcessor,
  observeCluster,
  podStartupDuration,
  probeResults,
  reconcileDuration,
  rpcServerCallDuration,
  schedulerMetrics,
  secondsSince,
  watchMetrics,
  workQueueInstruments,
} from "./metrics.js";
export type {
  ClusterCensus,
  CommitObservation,
  ContainerState,
  DnsQueryAttributes,
  EventLogMetrics,
  HttpRequestAttributes,
  KubeVerb,
  NodeAgentMetrics,
  NodeCensus,
  ProbeAttributes,
  ProbeResult,
  ProbeType,
  ReconcileAttributes,
  ReconcileResult,
  RpcCallAttributes,
  SchedulerMetrics,
  SchedulerQueue,
  SchedulingAttributes,
  SchedulingResult,
  WatchMetrics,
  WatchTransport,
  WorkQueueAttributes,
  WorkQueueInstruments,
} from "./metrics.js";

// The OpenTelemetry API types services need alongside, so they do not depend on @opentelemetry/api.
export type { Attributes, Context, Counter, Histogram, Meter, Span, Tracer } from "@opentelemetry/api";
