import type { Tracer } from "@opentelemetry/api";

/** What both transports record of each call: a span continuing the caller's trace, its latency, and failures worth a log line. */
export interface Instruments {
  readonly tracer: Tracer;
  readonly recordDuration: (method: string, code: string, ms: number) => void;
  readonly log: (message: string) => void;
}
