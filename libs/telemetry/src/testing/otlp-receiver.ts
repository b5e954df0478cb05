import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/** One span as a collector received it. Ids are lower-case hex. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a root span. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** service.name of the resource that sent it. */
  readonly serviceName: string | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly resource: Readonly<Record<string, unknown>>;
  readonly status: "unset" | "ok" | "error";
}

export interface OtlpReceiver {
  /** Base URL to put in OTEL_EXPORTER_OTLP_ENDPOINT, e.g. "http://127.0.0.1:43123". */
  readonly endpoint: string;
  /** Every span received so far, in arrival order. */
  spans(): ReceivedSpan[];
  /** Names of every metric received so far (one entry per metric per export). */
  metricNames(): string[];
  close(): Promise<void>;
}

/**
 * A stand-in OpenTelemetry collector for tests: accepts OTLP/HTTP exports at /v1/traces and /v1/metrics
 * in the JSON encoding that @opentelemetry/exporter-*-otlp-http sends (gzip or not). Protobuf bodies
 * are answered 415.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: ReceivedSpan[] = [];
  const metricNames: string[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => reply(res, 400, { message: String(err) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST" || (req.url !== "/v1/traces" && req.url !== "/v1/metrics")) {
      return reply(res, 404, { message: "not found" });
    }
    const body = await readBody(req);
    if (!String(req.headers["content-type"] ?? "").includes("json")) {
      return reply(res, 415, { message: "only OTLP/HTTP JSON is supported" });
    }
    const request = JSON.parse(body.toString("utf8")) as unknown;
    if (req.url === "/v1/traces") received.push(...decodeTraces(request as OtlpTraceRequest));
    else metricNames.push(...decodeMetricNames(request as OtlpMetricsRequest));
    reply(res, 200, {});
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => [...received],
    metricNames: () => [...metricNames],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Exporters keep connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body;
}

function reply(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

// The subset of the OTLP JSON encoding (opentelemetry-proto, JSON mapping) that tests look at.
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}
interface OtlpTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: OtlpKeyValue[];
        status?: { code?: number | string };
      }[];
    }[];
  }[];
}
interface OtlpMetricsRequest {
  resourceMetrics?: { scopeMetrics?: { metrics?: { name: string }[] }[] }[];
}

function decodeTraces(request: OtlpTraceRequest): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = decodeAttributes(rs.resource?.attributes);
    const serviceName = resource["service.name"];
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        out.push({
          traceId: hexId(span.traceId),
          spanId: hexId(span.spanId),
          parentSpanId: span.parentSpanId ? hexId(span.parentSpanId) : undefined,
          name: span.name,
          serviceName: typeof serviceName === "string" ? serviceName : undefined,
          attributes: decodeAttributes(span.attributes),
          resource,
          status: decodeStatus(span.status?.code),
        });
      }
    }
  }
  return out;
}

function decodeMetricNames(request: OtlpMetricsRequest): string[] {
  return (request.resourceMetrics ?? []).flatMap((rm) =>
    (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).map((m) => m.name)),
  );
}

// The JS exporter writes ids as hex; the protobuf JSON mapping proper writes base64. Accept both.
function hexId(id: string): string {
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, "base64").toString("hex");
}

function decodeStatus(code: number | string | undefined): ReceivedSpan["status"] {
  if (code === 1 || code === "STATUS_CODE_OK") return "ok";
  if (code === 2 || code === "STATUS_CODE_ERROR") return "error";
  return "unset";
}

function decodeAttributes(kvs: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) out[kv.key] = decodeValue(kv.value);
  return out;
}

function decodeValue(v: OtlpAnyValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.bytesValue !== undefined) return Buffer.from(v.bytesValue, "base64");
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(decodeValue);
  if (v.kvlistValue !== undefined) return decodeAttributes(v.kvlistValue.values);
  return undefined;
}
