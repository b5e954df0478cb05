import { credentials, Metadata, type CallOptions, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";
import {
  ApiObject,
  GatewayClient,
  type BindRequest,
  type DeleteRequest,
  type DeleteResponse,
  type EvictRequest,
  type ExecRequest,
  type ExecResponse,
  type ExecStart,
  type GetRequest,
  type HistoryRequest,
  type HistoryResponse,
  type ListRequest,
  type ListResponse,
  type LogsRequest,
  type WatchEvent,
  type WatchRequest,
} from "@capstan/api";
import { CapstanError, type ErrorCode } from "@capstan/apimachinery";
import { traceClientInterceptor } from "@capstan/telemetry";
import type { CapstanClient, ExecCall, Stream } from "./capstan-client.js";
import { fromServiceError } from "@capstan/api";

export interface ClientOptions {
  /** host:port of the gateway. */
  readonly address: string;
  /** Who is calling; recorded as the actor of every event this client causes. */
  readonly actor: string;
  /** Per-call deadline, 0 for none; calls wait for the gateway to be reachable up to it. */
  readonly timeoutMs?: number;
  /** Services wait for a (re)starting gateway (the default); a CLI says at once that it is not there. */
  readonly waitForReady?: boolean;
}

type Unary<Req, Res> = (req: Req, md: Metadata, opts: Partial<CallOptions>, cb: (e: ServiceError | null, r: Res) => void) => unknown;

/** The gateway's API over gRPC: promise-shaped, errors mapped back to Capstan errors. */
export class GrpcCapstanClient implements CapstanClient {
  private readonly grpc: GatewayClient;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ClientOptions) {
    this.grpc = new GatewayClient(opts.address, credentials.createInsecure(), {
      "grpc.max_receive_message_length": 256 * 1024 * 1024,
      // grpc-js backs off reconnects up to 120 s: a service would stay deaf for minutes after the gateway
      // restarted a few times in a row. The gateway is near; trying again every 2 s at most costs nothing.
      "grpc.initial_reconnect_backoff_ms": 200,
      "grpc.max_reconnect_backoff_ms": 2_000,
      interceptors: [traceClientInterceptor],
    });
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  create(object: ApiObject): Promise<ApiObject> {
    return this.unary(this.grpc.create, { object });
  }

  get(req: GetRequest): Promise<ApiObject> {
    return this.unary(this.grpc.get, req);
  }

  list(req: Partial<ListRequest> & { kind: string }): Promise<ListResponse> {
    return this.unary(this.grpc.list, { namespace: "", labelSelector: "", fieldSelector: "", ...req });
  }

  update(object: ApiObject): Promise<ApiObject> {
    return this.unary(this.grpc.update, { object });
  }

  updateStatus(object: ApiObject): Promise<ApiObject> {
    return this.unary(this.grpc.updateStatus, { object });
  }

  finalize(object: ApiObject): Promise<ApiObject> {
    return this.unary(this.grpc.finalize, { object });
  }

  delete(req: Partial<DeleteRequest> & { kind: string; name: string }): Promise<DeleteResponse> {
    return this.unary(this.grpc.delete, { namespace: "", propagationPolicy: "", ...req });
  }

  evict(req: Partial<EvictRequest> & { name: string }): Promise<DeleteResponse> {
    return this.unary(this.grpc.evict, { namespace: "", ...req });
  }

  bind(req: Omit<BindRequest, "traceparent" | "tracestate">): Promise<ApiObject> {
    return this.unary(this.grpc.bind, { ...req, traceparent: "", tracestate: "" });
  }

  async bindBatch(bindings: BindRequest[]): Promise<PromiseSettledResult<ApiObject>[]> {
    const { results } = await this.unary(this.grpc.bindBatch, { bindings });
    return results.map((r): PromiseSettledResult<ApiObject> =>
      r.errorCode ? { status: "rejected", reason: new CapstanError(r.errorCode as ErrorCode, r.errorMessage) } : { status: "fulfilled", value: r.object ?? {} },
    );
  }

  watch(req: Partial<WatchRequest> & { kind: string }): Stream<WatchEvent> {
    const full: WatchRequest = { namespace: "", labelSelector: "", fieldSelector: "", resourceVersion: "", ...req };
    return this.stream(this.grpc.watch(full, this.metadata()));
  }

  history(req: HistoryRequest): Promise<HistoryResponse> {
    return this.unary(this.grpc.history, req);
  }

  logs(req: LogsRequest): Stream<Uint8Array> {
    const call = this.grpc.logs(req, this.metadata());
    const chunks = this.stream(call);
    return {
      cancel: () => chunks.cancel(),
      async *[Symbol.asyncIterator]() {
        for await (const chunk of chunks) yield chunk.data;
      },
    };
  }

  exec(start: ExecStart): ExecCall {
    return this.execCall(this.grpc.exec(this.metadata()), start);
  }

  attach(start: ExecStart): ExecCall {
    return this.execCall(this.grpc.attach(this.metadata()), start);
  }

  close(): void {
    this.grpc.close();
  }

  private metadata(): Metadata {
    const md = new Metadata({ waitForReady: this.opts.waitForReady ?? true });
    md.set("capstan-actor", this.opts.actor);
    return md;
  }

  private unary<Req, Res>(method: Unary<Req, Res>, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(
        this.grpc,
        req,
        this.metadata(),
        { deadline: this.timeoutMs === 0 ? Infinity : Date.now() + this.timeoutMs },
        (e: ServiceError | null, res: Res) => (e ? reject(fromServiceError(e)) : resolve(res)),
      );
    });
  }

  private execCall(call: ClientDuplexStream<ExecRequest, ExecResponse>, start: ExecStart): ExecCall {
    call.write({ start });
    return { ...this.stream(call), send: (req) => call.write(req) };
  }

  private stream<T>(call: ClientReadableStream<T>): Stream<T> {
    return {
      cancel: () => call.cancel(),
      async *[Symbol.asyncIterator]() {
        try {
          for await (const item of call as AsyncIterable<T>) yield item;
        } catch (e) {
          const se = e as ServiceError;
          if (se.code === 1 /* CANCELLED by us */) return;
          throw fromServiceError(se);
        } finally {
          call.cancel();
        }
      },
    };
  }
}

export function createClient(opts: ClientOptions): CapstanClient {
  return new GrpcCapstanClient(opts);
}
