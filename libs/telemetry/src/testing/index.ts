export { startOtlpReceiver } from "./otlp-receiver.js";
export type { OtlpReceiver, ReceivedSpan } from "./otlp-receiver.js";
export { InMemoryMetrics } from "./in-memory-metrics.js";
export type { MetricPoint } from "./in-memory-metrics.js";
