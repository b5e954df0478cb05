import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initTelemetry } from "./telemetry.js";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./testing/index.js";

const distIndex = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/index.js");

// A service in miniature: continues the trace passed in TRACEPARENT, records a metric, shuts down.
const serviceScript = `
import { contextFromTraceparent, initTelemetry, podStartupDuration, withSpan } from ${JSON.stringify(pathToFileURL(distIndex).href)};
const telemetry = initTelemetry("e2e-service", { instanceId: "e2e-1" });
await withSpan(telemetry.tracer, "handle-event", { "capstan.key": "default/web" }, async () => {},
  contextFromTraceparent(process.env.TRACEPARENT));
podStartupDuration(telemetry.meter).record(1.234);
await telemetry.shutdown();
`;

// A service that serves its metrics, scrapes itself once and prints what it read.
const scrapingScript = `
import { initTelemetry, podStartupDuration } from ${JSON.stringify(pathToFileURL(distIndex).href)};
const telemetry = initTelemetry("scraped-service", { instanceId: "s-1" });
await telemetry.serveMetrics();
podStartupDuration(telemetry.meter).record(1.234);
const res = await fetch("http://" + process.env.CAPSTAN_METRICS_LISTEN + "/metrics");
console.log(await res.text());
await telemetry.shutdown();
`;

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID = "00f067aa0ba902b7";

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe("initTelemetry", () => {
  let dir: string;
  let script: string;
  let scrapingService: string;

  beforeAll(async () => {
    if (!existsSync(distIndex)) throw new Error(`${distIndex} is missing: run \`npx tsc -b libs/telemetry\` first`);
    dir = await mkdtemp(join(tmpdir(), "capstan-telemetry-"));
    script = join(dir, "service.mjs");
    await writeFile(script, serviceScript);
    scrapingService = join(dir, "scraping-service.mjs");
    await writeFile(scrapingService, scrapingScript);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function runService(env: Record<string, string>, file = script): Promise<Exit> {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("OTEL_")));
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [file],
        { env: { ...inherited, TRACEPARENT: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`, ...env }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
      );
    });
  }

  it("returns the same instance when called again", () => {
    const first = initTelemetry("first");
    expect(initTelemetry("second")).toBe(first);
    expect(first.serviceName).toBe("first");
  });

  describe("with a collector", () => {
    let receiver: OtlpReceiver;
    beforeAll(async () => {
      receiver = await startOtlpReceiver();
    });
    afterAll(async () => {
      await receiver.close();
    });

    it("exports a span that continues the trace from a traceparent, under the service's name", async () => {
      const exit = await runService({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
      expect(exit).toEqual({ code: 0, stdout: "", stderr: "" });

      const span = await eventually(() => receiver.spans().find((s) => s.name === "handle-event"));
      expect(span).toMatchObject<Partial<ReceivedSpan>>({
        traceId: TRACE_ID,
        parentSpanId: PARENT_SPAN_ID,
        serviceName: "e2e-service",
        attributes: { "capstan.key": "default/web" },
        status: "unset",
      });
      expect(span.resource["service.instance.id"]).toBe("e2e-1");
    });

    it("exports metrics on shutdown", async () => {
      await runService({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
      await eventually(() => receiver.metricNames().includes("capstan.pod.startup.duration") || undefined);
    });
  });

  it("serves its metrics in Prometheus text at /metrics on CAPSTAN_METRICS_LISTEN, durations in seconds", async () => {
    const exit = await runService({ CAPSTAN_METRICS_LISTEN: `127.0.0.1:${await closedPort()}` }, scrapingService);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/^target_info\{.*service_name="scraped-service".*\} 1$/m);
    expect(exit.stdout).toMatch(/^capstan_pod_startup_duration_sum\{.*service_name="scraped-service".*\} 1\.234$/m);
    expect(exit.stdout).toMatch(/^process_cpu_time_total\{.*cpu_mode="user".*\} [0-9.e-]+$/m);
  });

  it("refuses a CAPSTAN_METRICS_LISTEN that is not IPv4-address:port, naming the setting", async () => {
    const exit = await runService({ CAPSTAN_METRICS_LISTEN: "localhost" }, scrapingService);
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toContain('CAPSTAN_METRICS_LISTEN: Invalid value "localhost": must be IPv4-address:port, port 0 for a free one');
  });

  it("prints nothing and exports nothing without an endpoint", async () => {
    expect(await runService({})).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("shuts down cleanly when the collector is down", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const exit = await runService({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_TIMEOUT: "1000" });
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe("");
  });
});

async function eventually<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port nothing listens on: bound, read, released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
