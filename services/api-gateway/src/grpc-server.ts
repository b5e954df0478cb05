import {
  Server,
  ServerCredentials,
  status,
  type Metadata,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
} from "@grpc/grpc-js";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  GatewayService,
  toGrpcError,
  unwrapObject,
  type ApiObject,
  type BindResult,
  type GatewayServer,
  type GrpcErrorStatus,
  type LogChunk,
  type LogsRequest,
  type WatchEvent,
  type WatchRequest,
} from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { contextFromMetadata, contextFromTraceparent, injectTraceContext, objectAttributes, secondsSince } from "@capstan/telemetry";
import { openContainerLog } from "./container-logs.js";
import { proxyExec } from "./exec-proxy.js";
import { kindAttribute, type Instruments } from "./instruments.js";
import type { CallContext, ObjectService } from "./object-service.js";
import {
  UndecodableRequest,
  bindRequestErrors,
  invalidRequest,
  keyRequestErrors,
  kindRequestErrors,
  podRequestErrors,
  objectRequestErrors,
  throwIfInvalidRequest,
  withUndecodableRequests,
} from "./request-validation.js";

function actorOf(md: Metadata): string {
  return md.get("capstan-actor")[0]?.toString() || "anonymous";
}

/**
 * The handler's answer to a request: a body that did not decode, or a synchronous throw (a missing
 * field, a decode of the object), is a rejection like any other, so it is mapped like any other.
 */
function answer<Req, Res>(handler: (req: Req, ctx: CallContext) => Promise<Res>, request: Req | UndecodableRequest, ctx: CallContext): Promise<Res> {
  if (request instanceof UndecodableRequest) return Promise.reject(request.error);
  try {
    return handler(request, ctx);
  } catch (e) {
    return Promise.reject(e);
  }
}

/** The status a failed call answers with; an error that cannot be mapped still gets an answer, INTERNAL. */
function statusOf(e: unknown): GrpcErrorStatus {
  try {
    return toGrpcError(e);
  } catch (mapping) {
    return toGrpcError(new Error(`cannot answer the error ${String(e)}: ${String(mapping)}`, { cause: mapping }));
  }
}

/** The span attributes of an answered object: the one a verb wrote (or read) at the revision it has now. */
function answeredObjectAttributes(obj: ApiObject | undefined) {
  if (!obj) return {};
  const { kind, message } = unwrapObject(obj);
  return objectAttributes({ kind, metadata: message.metadata });
}

/**
 * Wraps one unary verb: trace span from the caller's context, error mapping, latency metric. `answered`
 * picks the object of the answer, whose name, uid and revision the span then carries.
 */
function unary<Req, Res>(
  name: string,
  ins: Instruments,
  handler: (req: Req, ctx: CallContext) => Promise<Res>,
  answered?: (res: Res) => ApiObject | undefined,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    const started = performance.now();
    const record = (code: number) =>
      ins.recordCall(secondsSince(started), {
        "rpc.system": "grpc",
        "rpc.method": `capstan.v1.Gateway/${name}`,
        "rpc.response.status_code": status[code] ?? String(code),
        ...kindAttribute(requestKind(call.request)),
      });
    const parent = contextFromMetadata(call.metadata);
    const span = ins.tracer.startSpan(`Gateway/${name}`, {}, parent);
    const active = trace.setSpan(parent, span);
    context.with(active, () => {
      const ctx: CallContext = { actor: actorOf(call.metadata), ...injectTraceContext(active) };
      answer(handler, call.request as Req | UndecodableRequest, ctx).then(
        (res) => {
          if (answered) span.setAttributes(answeredObjectAttributes(answered(res)));
          span.end();
          record(status.OK);
          callback(null, res);
        },
        (e: unknown) => {
          const failure = statusOf(e);
          span.setAttribute("capstan.error", failure.details);
          span.end();
          record(failure.code);
          if (failure.code === status.INTERNAL) ins.log(`${name}: ${failure.details}`);
          callback({ code: failure.code, details: failure.details, metadata: failure.metadata });
        },
      );
    });
  };
}

/** The kind a request is about: its `kind`, or the kind of the object it carries; a binding's is Pod. */
function requestKind(req: unknown): unknown {
  if (typeof req !== "object" || req === null) return undefined;
  const r = req as { kind?: unknown; object?: Record<string, { kind?: unknown } | undefined>; bindings?: unknown; nodeName?: unknown };
  if (r.kind !== undefined) return r.kind;
  if (r.object) return Object.values(r.object).find((o) => o !== undefined)?.kind;
  return r.bindings !== undefined || r.nodeName !== undefined ? "Pod" : undefined;
}

function failStream(call: ServerWritableStream<unknown, unknown>, e: unknown): void {
  const status = statusOf(e);
  call.emit("error", { code: status.code, details: status.details, metadata: status.metadata });
}

export function createGatewayServer(service: ObjectService, ins: Instruments): Server {
  const impl: GatewayServer = {
    create: unary("Create", ins, (req, ctx) => service.create(required(req.object), ctx, { dryRun: req.dryRun }), itself),
    get: unary(
      "Get",
      ins,
      (req) => {
        throwIfInvalidRequest(keyRequestErrors(req));
        return service.get(req);
      },
      itself,
    ),
    list: unary("List", ins, (req) => {
      throwIfInvalidRequest(kindRequestErrors(req));
      return service.list(req);
    }),
    history: unary("History", ins, (req) => {
      throwIfInvalidRequest(keyRequestErrors(req));
      return service.history(req);
    }),
    update: unary("Update", ins, (req, ctx) => service.update(required(req.object), ctx, { dryRun: req.dryRun }), itself),
    updateStatus: unary("UpdateStatus", ins, (req, ctx) => service.updateStatus(required(req.object), ctx, { dryRun: req.dryRun }), itself),
    delete: unary(
      "Delete",
      ins,
      (req, ctx) => {
        throwIfInvalidRequest(keyRequestErrors(req));
        return service.delete(req, ctx);
      },
      (res) => res.object,
    ),
    finalize: unary("Finalize", ins, (req, ctx) => service.finalize(required(req.object), ctx, { dryRun: req.dryRun }), itself),
    bind: unary(
      "Bind",
      ins,
      (req, ctx) => {
        throwIfInvalidRequest(bindRequestErrors(req));
        return service.bind(req.namespace, req.name, req.nodeName, req.preconditions?.uid, ctx);
      },
      itself,
    ),
    evict: unary(
      "Evict",
      ins,
      (req, ctx) => {
        throwIfInvalidRequest(podRequestErrors(req));
        return service.evict(req, ctx);
      },
      (res) => res.object,
    ),
    bindBatch: unary("BindBatch", ins, async (req, ctx) => {
      // A malformed binding is refused as Bind would refuse it; the others go ahead.
      const refused = req.bindings.map((b) => bindRequestErrors(b));
      const bindings = req.bindings.filter((_, i) => refused[i]!.length === 0);
      // Each binding continues its own pod's trace with a Gateway/Bind span, as a Bind call would.
      const spans = bindings.map((b) => ins.tracer.startSpan("Gateway/Bind", { attributes: { "k8s.pod.name": b.name, "k8s.namespace.name": b.namespace } }, contextFromTraceparent(b.traceparent, b.tracestate)));
      const settled = await service.bindBatch(
        bindings.map((b, i) => ({
          namespace: b.namespace,
          name: b.name,
          nodeName: b.nodeName,
          uid: b.preconditions?.uid,
          ctx: { actor: ctx.actor, ...injectTraceContext(trace.setSpan(context.active(), spans[i]!)) },
        })),
      );
      settled.forEach((r, i) => {
        if (r.status === "fulfilled") spans[i]!.setAttributes(answeredObjectAttributes(r.value));
        if (r.status === "rejected") spans[i]!.setStatus({ code: SpanStatusCode.ERROR, message: String(r.reason) });
        spans[i]!.end();
      });
      const decided = settled.values();
      return {
        results: refused.map((errors) =>
          errors.length > 0 ? bindResult({ status: "rejected", reason: invalidRequest(errors) }) : bindResult(decided.next().value!),
        ),
      };
    }),
    watch: (call: ServerWritableStream<WatchRequest, WatchEvent>) => {
      const abort = new AbortController();
      call.on("cancelled", () => abort.abort());
      call.on("close", () => abort.abort());
      void (async () => {
        try {
          const req = call.request as WatchRequest | UndecodableRequest;
          if (req instanceof UndecodableRequest) throw req.error;
          throwIfInvalidRequest(kindRequestErrors(req));
          for await (const event of service.watch(req, abort.signal, "grpc")) {
            if (!call.write(event)) await new Promise((r) => call.once("drain", r));
          }
          call.end();
        } catch (e) {
          if (!abort.signal.aborted) failStream(call as ServerWritableStream<unknown, unknown>, e);
        }
      })();
    },
    logs: (call: ServerWritableStream<LogsRequest, LogChunk>) => {
      void proxyLogs(service, call).catch((e: unknown) => failStream(call as ServerWritableStream<unknown, unknown>, e));
    },
    exec: (call) => proxyExec("exec", service, call, (e) => failStream(call as unknown as ServerWritableStream<unknown, unknown>, e)),
    attach: (call) => proxyExec("attach", service, call, (e) => failStream(call as unknown as ServerWritableStream<unknown, unknown>, e)),
  };
  const server = new Server({ "grpc.max_receive_message_length": 16 * 1024 * 1024 });
  server.addService(withUndecodableRequests(GatewayService), impl);
  return server;
}

/** One binding's outcome in Bind's terms: the pod, or the error code and message Bind would have failed with. */
function bindResult(r: PromiseSettledResult<ApiObject>): BindResult {
  if (r.status === "fulfilled") return { object: r.value, errorCode: "", errorMessage: "" };
  const e: unknown = r.reason;
  return isCapstanError(e) ? { errorCode: e.code, errorMessage: e.message } : { errorCode: "Internal", errorMessage: e instanceof Error ? e.message : String(e) };
}

const itself = (obj: ApiObject): ApiObject => obj;

function required<T>(value: T | undefined): T {
  throwIfInvalidRequest(objectRequestErrors({ object: value }));
  return value!;
}

/** Streams a container log from the node agent that runs the pod. */
async function proxyLogs(service: ObjectService, call: ServerWritableStream<LogsRequest, LogChunk>): Promise<void> {
  const req = call.request as LogsRequest | UndecodableRequest;
  if (req instanceof UndecodableRequest) throw req.error;
  throwIfInvalidRequest(podRequestErrors(req));
  const log = await openContainerLog(service, req);
  call.on("cancelled", () => log.destroy());
  await new Promise<void>((resolve, reject) => {
    log.on("data", (d: Buffer) => call.write({ data: d }));
    log.on("end", () => {
      call.end();
      resolve();
    });
    log.on("error", reject);
  });
}

export async function listen(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(port))),
  );
}
