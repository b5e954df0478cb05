import { hostname } from "node:os";
import {
  type Meter,
  type Tracer,
  DiagConsoleLogger,
  context,
  diag,
  metrics,
  propagation,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { diagLogLevelFromString, getNumberFromEnv, getStringFromEnv } from "@opentelemetry/core";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { RuntimeNodeInstrumentation } from "@opentelemetry/instrumentation-runtime-node";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { type MetricReader, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { ATTR_SERVICE_INSTANCE_ID, ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { parseListenAddress } from "./listen-address.js";
import { observeProcess } from "./process-metrics.js";
import { w3cPropagator } from "./trace-context.js";

export interface TelemetryOptions {
  /** service.instance.id; defaults to "<hostname>-<pid>". */
  readonly instanceId?: string;
}

/** The process's OpenTelemetry setup, made once by initTelemetry. */
export interface Telemetry {
  readonly serviceName: string;
  readonly instanceId: string;
  readonly tracer: Tracer;
  readonly meter: Meter;
  /**
   * Starts the Prometheus scrape endpoint (GET /metrics) on CAPSTAN_METRICS_LISTEN; resolves at once when
   * that is unset. Rejects with one line naming the setting when the address cannot be listened on.
   */
  serveMetrics(): Promise<void>;
  /**
   * Flushes pending spans and metrics and stops exporting. Waits at most SHUTDOWN_TIMEOUT_MS and never
   * rejects: a collector that is down costs a warning, not the service's exit code.
   */
  shutdown(): Promise<void>;
}

const DEFAULT_SPAN_EXPORT_DELAY_MS = 500;
const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 10_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
const METRICS_LISTEN_ENV = "CAPSTAN_METRICS_LISTEN";

// Kept on globalThis, not in module scope, so two copies of this package in one process (a test
// importing src beside a service importing dist) still share one set of global providers.
const INSTANCE: unique symbol = Symbol.for("capstan.telemetry");
const registry = globalThis as typeof globalThis & { [INSTANCE]?: Telemetry };

/**
 * Sets up OpenTelemetry for this process and returns it; later calls return the same instance.
 *
 * W3C trace context propagation and an async-local-storage context manager are always on, so trace
 * context flows through the process even when nothing is exported. Traces are exported over OTLP/HTTP
 * (JSON) when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, metrics when
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is set, and offered for scraping in
 * Prometheus text format when CAPSTAN_METRICS_LISTEN (IPv4-address:port) is set (see serveMetrics). With
 * either, process and Node.js runtime metrics (CPU, memory, event-loop delay, heap, GC) are recorded too.
 * SDK diagnostics go to the console only when OTEL_LOG_LEVEL is set.
 */
export function initTelemetry(serviceName: string, opts: TelemetryOptions = {}): Telemetry {
  const existing = registry[INSTANCE];
  if (existing) return existing;

  const logLevel = diagLogLevelFromString(getStringFromEnv("OTEL_LOG_LEVEL"));
  if (logLevel !== undefined) diag.setLogger(new DiagConsoleLogger(), { logLevel });

  const instanceId = opts.instanceId ?? `${hostname()}-${process.pid}`;
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName, [ATTR_SERVICE_INSTANCE_ID]: instanceId }));

  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: hasEndpoint("TRACES")
      ? [
          new BatchSpanProcessor({
            exporter: new OTLPTraceExporter(),
            scheduledDelayMillis: getNumberFromEnv("OTEL_BSP_SCHEDULE_DELAY") ?? DEFAULT_SPAN_EXPORT_DELAY_MS,
          }),
        ]
      : [],
  });

  const metricInterval = getNumberFromEnv("OTEL_METRIC_EXPORT_INTERVAL") ?? DEFAULT_METRIC_EXPORT_INTERVAL_MS;
  const readers: MetricReader[] = [];
  if (hasEndpoint("METRICS")) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: metricInterval,
        exportTimeoutMillis: Math.min(metricInterval, 30_000),
      }),
    );
  }
  const metricsListen = getStringFromEnv(METRICS_LISTEN_ENV);
  const scrapeAddress = metricsListen === undefined ? undefined : parseListenAddress(METRICS_LISTEN_ENV, metricsListen);
  // Started by serveMetrics, so a port in use fails the service's start with one line, not a diag log.
  const prometheus =
    scrapeAddress && new PrometheusExporter({
      ...scrapeAddress,
      endpoint: "/metrics",
      preventServerStart: true,
      // Every series names its service, so one scrape job over all services still tells them apart.
      withResourceConstantLabels: /^service\.name$/,
    });
  if (prometheus) readers.push(prometheus);
  const meterProvider = new MeterProvider({ resource, readers });

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(w3cPropagator);
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  const meter = meterProvider.getMeter(serviceName);
  let runtime: RuntimeNodeInstrumentation | undefined;
  if (readers.length > 0) {
    // Only when something reads metrics: the event-loop delay monitor samples all the time.
    runtime = new RuntimeNodeInstrumentation({ enabled: false });
    runtime.setMeterProvider(meterProvider);
    runtime.enable();
    observeProcess(meter);
  }

  let stopped: Promise<void> | undefined;
  const telemetry: Telemetry = {
    serviceName,
    instanceId,
    tracer: tracerProvider.getTracer(serviceName),
    meter,
    serveMetrics: async () => {
      if (!prometheus) return;
      try {
        await prometheus.startServer();
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const reason = code === "EADDRINUSE" ? "the port is in use" : err instanceof Error ? err.message : String(err);
        throw new Error(`${METRICS_LISTEN_ENV}: cannot serve metrics on ${metricsListen}: ${reason}`);
      }
    },
    shutdown: () =>
      (stopped ??= flushAndStop(() => {
        runtime?.disable();
        return Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
      })),
  };
  registry[INSTANCE] = telemetry;
  return telemetry;
}

function hasEndpoint(signal: "TRACES" | "METRICS"): boolean {
  return Boolean(
    getStringFromEnv("OTEL_EXPORTER_OTLP_ENDPOINT") || getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`),
  );
}

async function flushAndStop(stop: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${SHUTDOWN_TIMEOUT_MS} ms`)), SHUTDOWN_TIMEOUT_MS);
    timer.unref();
  });
  try {
    await Promise.race([stop(), timeout]);
  } catch (err) {
    // Handled here, once: telemetry that could not be delivered must not fail the service's shutdown.
    const reason = err instanceof Error ? err.message : String(err);
    console.warn(`telemetry: could not flush spans and metrics on shutdown: ${reason}`);
  } finally {
    clearTimeout(timer);
  }
}
