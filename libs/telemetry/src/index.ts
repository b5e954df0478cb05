export { initTelemetry } from "./telemetry.js";
export type { Telemetry, TelemetryOptions } from "./telemetry.js";
export { runService } from "./run-service.js";
export type { ServiceContext, StopService } from "./run-service.js";

export { contextFromTraceparent, injectTraceContext, traceIdOf } from "./trace-context.js";
export type { TraceContextCarrier } from "./trace-context.js";

export { contextFromMetadata, injectIntoMetadata, traceClientInterceptor } from "./grpc-metadata.js";
export { contextFromHeaders, injectIntoHeaders } from "./nats-headers.js";
export { withSpan } from "./with-span.js";
export { objectAttributes } from "./object-attributes.js";
export type { TracedObject } from "./object-attributes.js";

export {
  apiRequestDuration,
  podStartupLatency,
  reconcileDuration,
  schedulingAttemptDuration,
  workQueueDepth,
} from "./metrics.js";
export type {
  ApiRequestAttributes,
  ReconcileAttributes,
  ReconcileResult,
  SchedulingAttributes,
  SchedulingResult,
  WorkQueueAttributes,
} from "./metrics.js";

// The OpenTelemetry API types services need alongside, so they do not depend on @opentelemetry/api.
export type { Attributes, Context, Meter, Span, Tracer } from "@opentelemetry/api";
