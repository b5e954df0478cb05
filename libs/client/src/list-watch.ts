/**
 * The list-then-watch contract between whatever follows the gateway's objects (a NATS-backed reflector
 * in @capstan/controller-runtime, a FakeGateway in tests) and what keeps them (informers, the scheduler's
 * cache, a node agent's pods). Types only: the client itself never touches the bus.
 */
import type { EventType, JsonObject } from "@capstan/apimachinery";
import type { TraceContextCarrier } from "@capstan/telemetry";

export type { JsonObject } from "@capstan/apimachinery";

export interface ReflectorEvent {
  readonly type: EventType;
  readonly object: JsonObject;
  readonly revision: number;
  readonly traceparent?: string | undefined;
  readonly tracestate?: string | undefined;
}

export interface ReflectorHandler {
  /**
   * The full current set, after a (re-)list; everything not in it is gone. `traces` holds the trace of
   * each object's last write by uid (none for one written outside a trace), as its event would have.
   */
  replace(objects: JsonObject[], revision: number, traces?: Readonly<Record<string, TraceContextCarrier>>): void | Promise<void>;
  apply(event: ReflectorEvent): void | Promise<void>;
}

export interface Reflector {
  /** Resolves after the first list has been handed over. */
  readonly synced: Promise<void>;
  /** The last revision handed to the handler. */
  readonly revision: number;
  stop(): Promise<void>;
}
