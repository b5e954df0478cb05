/**
 * The Kubernetes HTTP API beside the gRPC one, so stock kubectl drives Capstan: discovery, the
 * resources and their subresources, watch, tables. Every request is answered over the same
 * ObjectService as gRPC; a failure is a `kind: Status` body from the one mapping in status.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { openApiV2, openApiV3, openApiV3Discovery } from "@capstan/api";
import { trace } from "@opentelemetry/api";
import { contextFromTraceparent, injectTraceContext, secondsSince, type KubeVerb } from "@capstan/telemetry";
import { kindAttribute, type Instruments } from "../instruments.js";
import type { CallContext, ObjectService } from "../object-service.js";
import { AGGREGATED_DISCOVERY, aggregatedDiscovery, apiGroupList, apiGroupOf, apiResourceList, apiVersions, versionInfo } from "./discovery.js";
import { remoteCommandSockets, serveUpgrade } from "./exec-websocket.js";
import { sendJson } from "./request.js";
import { parseResourcePath } from "./resource-path.js";
import { serveResource } from "./resources.js";
import { methodNotAllowed, notAcceptable, notFoundPath, statusOf, type StatusTarget } from "./status.js";

export interface KubeApiOptions {
  /** The apiserver's --min-request-timeout (see KubeRequest). */
  readonly minRequestTimeoutSeconds: number;
}

/** Each request gets the gRPC server's instruments: a span continuing the caller's traceparent, the API latency metric. */
export function createKubeApiServer(service: ObjectService, opts: Instruments, options: KubeApiOptions): Server {
  const sockets = remoteCommandSockets();
  const server = createServer((req, res) => {
    // What the request turns out to be about, for the details of a failure's Status and the metric.
    const target: StatusTarget = { kind: "", name: "" };
    const { ctx, done } = instrument(req, opts, target);
    res.once("close", () => done(res.statusCode));
    void handle(service, req, res, target, ctx, options).catch((e: unknown) => fail(res, e, opts.log, req, target));
  });
  // pods/exec and pods/attach: kubectl's WebSocket (or the SPDY it falls back to, refused with the reason).
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { done } = instrument(req, opts, { kind: "Pod", name: "" });
    serveUpgrade(service, sockets, req, socket, head, opts.log, done);
  });
  server.on("close", () => {
    for (const ws of sockets.clients) ws.terminate();
    sockets.close();
  });
  return server;
}

/**
 * A request's span, continuing the caller's traceparent, and the call context carrying it; `done`
 * ends the span and records the latency metric with the status code the request was answered with.
 */
function instrument(req: IncomingMessage, opts: Instruments, target: StatusTarget): { ctx: CallContext; done: (code: number) => void } {
  const started = performance.now();
  const method = `KubeAPI/${req.method ?? "GET"}`;
  const parent = contextFromTraceparent(header(req, "traceparent"), header(req, "tracestate"));
  const span = opts.tracer.startSpan(method, { attributes: { "url.path": req.url ?? "" } }, parent);
  const done = (code: number) => {
    span.setAttribute("http.response.status_code", code);
    span.end();
    opts.recordRequest(secondsSince(started), {
      "http.request.method": req.method ?? "GET",
      "http.response.status_code": String(code),
      ...(target.kind ? { "capstan.verb": kubeVerb(req, target.name), ...kindAttribute(target.kind) } : {}),
    });
  };
  // Anonymous until authentication comes to this API.
  return { ctx: { actor: "anonymous", ...injectTraceContext(trace.setSpan(parent, span)) }, done };
}

/** The apiserver's verb for a request on a resource (`name` empty for a collection). */
function kubeVerb(req: IncomingMessage, name: string): KubeVerb {
  switch (req.method) {
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return name ? "delete" : "deletecollection";
    default: {
      const watch = new URL(req.url ?? "/", "http://kube-api").searchParams.get("watch");
      if (watch === "true" || watch === "1") return "watch";
      return name ? "get" : "list";
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Listens on `host:port` (port 0 picks one); resolves with the port. */
export function listenKubeApi(server: Server, address: string): Promise<number> {
  const colon = address.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(address.slice(colon + 1)), address.slice(0, colon), () => {
      server.off("error", reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

async function handle(service: ObjectService, req: IncomingMessage, res: ServerResponse, target: StatusTarget, ctx: CallContext, options: KubeApiOptions): Promise<void> {
  const url = new URL(req.url ?? "/", "http://kube-api");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  const method = req.method ?? "GET";
  const discovery = discoveryAnswer(path, req.headers.accept);
  if (discovery !== undefined) {
    if (method !== "GET") throw methodNotAllowed(method);
    if (typeof discovery === "string") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end(discovery);
      return;
    }
    return sendJson(res, 200, discovery.body, discovery.contentType);
  }
  if (!path.startsWith("/api/") && !path.startsWith("/apis/")) throw notFoundPath();
  const resource = parseResourcePath(path);
  target.kind = resource.info.kind;
  target.name = resource.name;
  await serveResource(service, {
    method,
    path: resource,
    target,
    query: url.searchParams,
    accept: req.headers.accept,
    contentType: req.headers["content-type"] ?? "application/json",
    ctx,
    http: req,
    res,
    minRequestTimeoutSeconds: options.minRequestTimeoutSeconds,
  });
}

/** The answer of a discovery path (text for the health checks; the OpenAPI documents too), or undefined for any other path. */
function discoveryAnswer(path: string, accept: string | undefined): string | { body: unknown; contentType?: string } | undefined {
  const aggregated = wantsAggregatedDiscovery(accept);
  const segments = path.split("/").filter((s) => s !== "");
  switch (path) {
    case "/healthz":
    case "/livez":
    case "/readyz":
      return "ok";
    case "/version":
      return { body: versionInfo() };
    case "/api":
      return aggregated ? { body: aggregatedDiscovery(true), contentType: AGGREGATED_DISCOVERY } : { body: apiVersions() };
    case "/apis":
      return aggregated ? { body: aggregatedDiscovery(false), contentType: AGGREGATED_DISCOVERY } : { body: apiGroupList() };
    case "/api/v1":
      return { body: apiResourceList("v1") };
    case "/openapi/v2":
      // kubectl asks for the protobuf form only, and falls back to v3 on 406.
      if (accept !== undefined && !/json|\*\/\*/.test(accept)) throw notAcceptable("application/json");
      return { body: openApiV2() };
    case "/openapi/v3":
      return { body: openApiV3Discovery() };
  }
  if (path.startsWith("/openapi/v3/")) {
    const document = openApiV3(path.slice("/openapi/v3/".length));
    if (document === undefined) throw notFoundPath();
    return { body: document };
  }
  if (segments[0] !== "apis" || segments.length > 3 || segments.length < 2) return undefined;
  const body = segments.length === 2 ? apiGroupOf(segments[1]!) : apiResourceList(`${segments[1]}/${segments[2]}`);
  if (body === undefined) throw notFoundPath();
  return { body };
}

function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => {
    const params = part.split(";").map((p) => p.trim());
    return params.includes("g=apidiscovery.k8s.io") && params.includes("v=v2") && params.includes("as=APIGroupDiscoveryList");
  });
}

function fail(res: ServerResponse, e: unknown, log: (message: string) => void, req: IncomingMessage, target: StatusTarget): void {
  const status = statusOf(e, target.kind ? target : undefined);
  if (status.code >= 500) log(`${req.method} ${req.url}: ${status.message}`);
  // A stream already under way (a watch, a log) can only be cut.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status.code, status);
}
