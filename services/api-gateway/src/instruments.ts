import { isSupportedKind } from "@capstan/api";
import type { Tracer } from "@opentelemetry/api";
import type { HttpRequestAttributes, RpcCallAttributes } from "@capstan/telemetry";

/** What both transports record of each call: a span continuing the caller's trace, its latency, and failures worth a log line. */
export interface Instruments {
  readonly tracer: Tracer;
  /** Seconds a gRPC call took (rpc.server.call.duration). */
  readonly recordCall: (seconds: number, attributes: RpcCallAttributes) => void;
  /** Seconds a Kubernetes API request took (http.server.request.duration). */
  readonly recordRequest: (seconds: number, attributes: HttpRequestAttributes) => void;
  readonly log: (message: string) => void;
}

/** The kind a request names, as a metric attribute: only a supported one, so a caller cannot mint series. */
export function kindAttribute(kind: unknown): { "capstan.kind"?: string } {
  return typeof kind === "string" && isSupportedKind(kind) ? { "capstan.kind": kind } : {};
}
