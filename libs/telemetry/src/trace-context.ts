import {
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  context,
  defaultTextMapGetter,
  trace,
  defaultTextMapSetter,
} from "@opentelemetry/api";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";

/** W3C trace context as stored on an event in the log. */
export interface TraceContextCarrier {
  traceparent?: string;
  tracestate?: string;
}

/**
 * The one propagator every Capstan carrier uses: W3C trace context plus baggage. It is used directly
 * rather than through the global API so that carriers work even in a process that never called
 * initTelemetry (a CLI, a unit test).
 */
export const w3cPropagator: TextMapPropagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

const traceContextOnly = new W3CTraceContextPropagator();

/** Writes the given context (default: the active one) to a carrier that can be stored on an event. */
export function injectTraceContext(ctx: Context = context.active()): TraceContextCarrier {
  const carrier: Record<string, string> = {};
  traceContextOnly.inject(ctx, carrier, defaultTextMapSetter);
  const out: TraceContextCarrier = {};
  if (carrier["traceparent"] !== undefined) out.traceparent = carrier["traceparent"];
  if (carrier["tracestate"] !== undefined) out.tracestate = carrier["tracestate"];
  return out;
}

/**
 * The active context with the remote span described by `traceparent` as parent, for continuing a
 * trace from an event. Without a (valid) traceparent it is the active context unchanged.
 */
export function contextFromTraceparent(traceparent?: string, tracestate?: string): Context {
  if (!traceparent) return context.active();
  const carrier: Record<string, string> = { traceparent };
  if (tracestate) carrier["tracestate"] = tracestate;
  return traceContextOnly.extract(context.active(), carrier, defaultTextMapGetter);
}

/** The trace id of the span in `ctx` (default: the active context), for log lines; undefined outside a trace. */
export function traceIdOf(ctx: Context = context.active()): string | undefined {
  return trace.getSpanContext(ctx)?.traceId;
}

export function injectInto<Carrier>(carrier: Carrier, setter: TextMapSetter<Carrier>, ctx: Context): Carrier {
  w3cPropagator.inject(ctx, carrier, setter);
  return carrier;
}

export function extractFrom<Carrier>(carrier: Carrier, getter: TextMapGetter<Carrier>): Context {
  return w3cPropagator.extract(context.active(), carrier, getter);
}
