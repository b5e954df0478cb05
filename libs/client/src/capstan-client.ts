import type {
  ApiObject,
  BindRequest,
  DeleteRequest,
  DeleteResponse,
  EvictRequest,
  ExecRequest,
  ExecResponse,
  ExecStart,
  GetRequest,
  HistoryRequest,
  HistoryResponse,
  ListRequest,
  ListResponse,
  LogsRequest,
  WatchEvent,
  WatchRequest,
} from "@capstan/api";

export interface Stream<T> extends AsyncIterable<T> {
  cancel(): void;
}

/** An Exec call: its responses as a stream, and the later requests (stdin, its end, resizes) sent on it. */
export interface ExecCall extends Stream<ExecResponse> {
  send(req: Omit<ExecRequest, "start">): void;
}

/**
 * The gateway's API as services call it; errors come back as Capstan errors. Implemented over gRPC
 * (createClient) and, for tests, by the FakeGateway of @capstan/client/testing.
 */
export interface CapstanClient {
  create(object: ApiObject): Promise<ApiObject>;
  get(req: GetRequest): Promise<ApiObject>;
  list(req: Partial<ListRequest> & { kind: string }): Promise<ListResponse>;
  update(object: ApiObject): Promise<ApiObject>;
  updateStatus(object: ApiObject): Promise<ApiObject>;
  /** Namespaces only: sets spec.finalizers, as the namespace controller does once a namespace is empty. */
  finalize(object: ApiObject): Promise<ApiObject>;
  delete(req: Partial<DeleteRequest> & { kind: string; name: string }): Promise<DeleteResponse>;
  /** Deletes a pod if its PodDisruptionBudget allows; TooManyRequests while the budget holds it back. */
  evict(req: Partial<EvictRequest> & { name: string }): Promise<DeleteResponse>;
  /** The binding's trace context travels in the call's metadata. */
  bind(req: Omit<BindRequest, "traceparent" | "tracestate">): Promise<ApiObject>;
  /** Several bindings in one call; each settles as its own bind would have (a Capstan error on failure). */
  bindBatch(bindings: BindRequest[]): Promise<PromiseSettledResult<ApiObject>[]>;
  watch(req: Partial<WatchRequest> & { kind: string }): Stream<WatchEvent>;
  /** Every event of one object the log holds, oldest first. */
  history(req: HistoryRequest): Promise<HistoryResponse>;
  logs(req: LogsRequest): Stream<Uint8Array>;
  /** Runs a command in a container: output, then the exit, come back on the call. */
  exec(start: ExecStart): ExecCall;
  /** Streams a running container's output until it exits (start.command empty, no stdin). */
  attach(start: ExecStart): ExecCall;
  close(): void;
}
