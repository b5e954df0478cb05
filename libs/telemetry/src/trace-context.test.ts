import { Metadata } from "@grpc/grpc-js";
import { headers } from "@nats-io/transport-node";
import { type Context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { contextFromMetadata, injectIntoMetadata } from "./grpc-metadata.js";
import { contextFromHeaders, injectIntoHeaders } from "./nats-headers.js";
import { initTelemetry } from "./telemetry.js";
import { contextFromTraceparent, injectTraceContext, traceIdOf } from "./trace-context.js";
import { withSpan } from "./with-span.js";

const { tracer } = initTelemetry("trace-context-test");

// Each row sends a context from one service and receives it in the next, as the wire would.
const carriers: { name: string; roundTrip: (ctx: Context) => Context }[] = [
  { name: "gRPC metadata", roundTrip: (ctx) => contextFromMetadata(injectIntoMetadata(new Metadata(), ctx)) },
  { name: "NATS headers", roundTrip: (ctx) => contextFromHeaders(injectIntoHeaders(headers(), ctx)) },
  {
    name: "traceparent stored on an event",
    roundTrip: (ctx) => {
      const stored = JSON.parse(JSON.stringify(injectTraceContext(ctx))) as { traceparent?: string; tracestate?: string };
      return contextFromTraceparent(stored.traceparent, stored.tracestate);
    },
  },
];

describe("trace context carriers", () => {
  it.each(carriers)("$name continue the sender's trace", ({ roundTrip }) => {
    const upstream = tracer.startSpan("upstream");
    const received = roundTrip(trace.setSpan(ROOT_CONTEXT, upstream));

    expect(trace.getSpanContext(received)).toMatchObject({
      traceId: upstream.spanContext().traceId,
      spanId: upstream.spanContext().spanId,
      isRemote: true,
    });
    const downstream = tracer.startSpan("downstream", {}, received);
    expect(downstream.spanContext().traceId).toBe(upstream.spanContext().traceId);
    expect(downstream.spanContext().spanId).not.toBe(upstream.spanContext().spanId);
    downstream.end();
    upstream.end();
  });

  it.each(carriers)("$name carry nothing outside a trace", ({ roundTrip }) => {
    expect(trace.getSpanContext(roundTrip(ROOT_CONTEXT))).toBeUndefined();
  });

  it("injects the active context by default", async () => {
    await withSpan(tracer, "active", {}, async (span) => {
      const { traceId, spanId } = span.spanContext();
      expect(injectTraceContext().traceparent).toBe(`00-${traceId}-${spanId}-01`);
      expect(traceIdOf()).toBe(traceId);
      expect(trace.getSpanContext(contextFromMetadata(injectIntoMetadata(new Metadata())))?.traceId).toBe(traceId);
      expect(trace.getSpanContext(contextFromHeaders(injectIntoHeaders(headers())))?.traceId).toBe(traceId);
    });
  });

  it("keeps tracestate", () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const ctx = contextFromTraceparent(traceparent, "capstan=1,other=2");
    expect(injectTraceContext(ctx)).toEqual({ traceparent, tracestate: "capstan=1,other=2" });
  });

  it.each([
    { name: "missing", traceparent: undefined },
    { name: "empty", traceparent: "" },
    { name: "malformed", traceparent: "not-a-traceparent" },
    { name: "all-zero trace id", traceparent: "00-00000000000000000000000000000000-b7ad6b7169203331-01" },
  ])("ignores a $name traceparent", ({ traceparent }) => {
    expect(trace.getSpanContext(contextFromTraceparent(traceparent))).toBeUndefined();
  });

  it("reads NATS trace headers whatever their case", () => {
    const h = headers();
    h.set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    expect(trace.getSpanContext(contextFromHeaders(h))?.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
  });

  it("treats a message without headers as outside a trace", () => {
    expect(trace.getSpanContext(contextFromHeaders(undefined))).toBeUndefined();
  });
});
