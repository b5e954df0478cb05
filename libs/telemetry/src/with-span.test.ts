import { ROOT_CONTEXT, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterEach, describe, expect, it } from "vitest";
import { initTelemetry } from "./telemetry.js";
import { contextFromTraceparent } from "./trace-context.js";
import { withSpan } from "./with-span.js";

initTelemetry("with-span-test"); // for the context manager that makes spans active
const exporter = new InMemorySpanExporter();
const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer("test");

class Conflict extends Error {
  readonly code = "Conflict";
}

describe("withSpan", () => {
  afterEach(() => exporter.reset());

  it("returns fn's result and ends the span with its attributes", async () => {
    const result = await withSpan(tracer, "reconcile", { "capstan.key": "default/web" }, async () => 42);

    expect(result).toBe(42);
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe("reconcile");
    expect(span?.attributes).toEqual({ "capstan.key": "default/web" });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it.each([
    { name: "a Capstan error", thrown: new Conflict("resourceVersion changed"), type: "Conflict", message: "resourceVersion changed" },
    { name: "a plain Error", thrown: new TypeError("boom"), type: "TypeError", message: "boom" },
    { name: "a non-Error", thrown: "oops", type: "_OTHER", message: "oops" },
  ])("records $name, marks the span failed and rethrows", async ({ thrown, type, message }) => {
    await expect(
      withSpan(tracer, "fails", {}, async () => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);

    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message });
    expect(span?.attributes["error.type"]).toBe(type);
    expect(span?.events.map((e) => e.name)).toEqual(["exception"]);
  });

  it("makes the span active inside fn, so nested spans are its children", async () => {
    await withSpan(tracer, "outer", {}, async (outer) => {
      expect(trace.getActiveSpan()?.spanContext().spanId).toBe(outer.spanContext().spanId);
      await withSpan(tracer, "inner", {}, async () => undefined);
    });

    const [inner, outer] = exporter.getFinishedSpans();
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(inner?.spanContext().traceId).toBe(outer?.spanContext().traceId);
  });

  it("continues the given parent instead of the active context", async () => {
    const parent = contextFromTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    await withSpan(tracer, "unrelated", {}, () => withSpan(tracer, "from-event", {}, async () => undefined, parent));

    const fromEvent = exporter.getFinishedSpans().find((s) => s.name === "from-event");
    expect(fromEvent?.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(fromEvent?.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
  });

  it("starts a new trace from the root context", async () => {
    await withSpan(tracer, "root", {}, async () => undefined, ROOT_CONTEXT);
    expect(exporter.getFinishedSpans()[0]?.parentSpanContext).toBeUndefined();
  });
});
