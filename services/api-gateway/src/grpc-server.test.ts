import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { trace } from "@opentelemetry/api";
import { BindBatchRequest, BindBatchResponse, CreateRequest, GetRequest, toApiObject } from "@capstan/api";
import type { JetStreamBus } from "@capstan/bus";
import { openEventStore, type EventStore } from "@capstan/eventstore";
import { rpcServerCallDuration } from "@capstan/telemetry";
import { InMemoryMetrics } from "@capstan/telemetry/testing";
import { createGatewayServer, listen } from "./grpc-server.js";
import { ObjectService } from "./object-service.js";

/** None of these requests gets as far as the bus. */
const noBus = {
  subscribe: () => {
    throw new Error("this test does not watch");
  },
} as unknown as JetStreamBus;

const identity = (b: Buffer) => b;

interface Answer {
  readonly code: number;
  readonly message: string;
  readonly body?: Buffer;
}

/** Sends `body` as the request of `method` as is, the way a broken client in any language could. */
function call(client: Client, method: string, body: Uint8Array): Promise<Answer> {
  const path = `/capstan.v1.Gateway/${method}`;
  const buffer = Buffer.from(body);
  if (method === "Exec" || method === "Attach") {
    return new Promise((resolve) => {
      const stream = client.makeBidiStreamRequest(path, identity, identity, new Metadata(), {});
      stream.on("data", () => {});
      stream.on("error", (e: ServiceError) => resolve({ code: e.code, message: e.details }));
      stream.on("end", () => resolve({ code: status.OK, message: "" }));
      stream.end(buffer);
    });
  }
  if (method === "Watch" || method === "Logs") {
    return new Promise((resolve) => {
      const stream = client.makeServerStreamRequest(path, identity, identity, buffer, new Metadata(), {});
      stream.on("data", () => {});
      stream.on("error", (e: ServiceError) => resolve({ code: e.code, message: e.details }));
      stream.on("end", () => resolve({ code: status.OK, message: "" }));
    });
  }
  return new Promise((resolve) =>
    client.makeUnaryRequest(path, identity, identity, buffer, (e: ServiceError | null, res?: Buffer) =>
      resolve(e ? { code: e.code, message: e.details } : { code: status.OK, message: "", ...(res ? { body: res } : {}) }),
    ),
  );
}

/** A string field of a request: protobuf tag (field number, wire type 2), length, bytes. */
const str = (fieldNumber: number, value: string) => [(fieldNumber << 3) | 2, value.length, ...Buffer.from(value)];
const bytes = (...parts: number[][]) => Uint8Array.from(parts.flat());

const EMPTY = new Uint8Array();
const NOT_PROTOBUF = Uint8Array.of(0x0a, 0x04, 0xff, 0xff, 0xff, 0xff);
const undecodable = (method: string) => new RegExp(`^request is invalid: body: Invalid value: cannot decode a /capstan\\.v1\\.Gateway/${method} request: .+`);

describe("the gateway's gRPC server, given requests it cannot serve", () => {
  let store: EventStore;
  let server: ReturnType<typeof createGatewayServer>;
  let client: Client;
  const logged: string[] = [];
  const metrics = new InMemoryMetrics();

  beforeAll(async () => {
    store = await openEventStore({});
    const service = new ObjectService(store, noBus, () => {}, {});
    const duration = rpcServerCallDuration(metrics.meter);
    server = createGatewayServer(service, {
      tracer: trace.getTracer("test"),
      recordCall: (seconds, attributes) => duration.record(seconds, attributes),
      recordRequest: () => {},
      log: (m) => logged.push(m),
    });
    const port = await listen(server, "127.0.0.1:0");
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  }, 30_000);

  afterAll(async () => {
    client?.close();
    await new Promise<void>((resolve) => (server ? server.tryShutdown(() => resolve()) : resolve()));
    await store?.close();
  });

  it.each([
    { name: "an empty CreateRequest", method: "Create", body: EMPTY, code: status.INVALID_ARGUMENT, message: /^request is invalid: object: Required value$/ },
    {
      name: "a CreateRequest with an empty object",
      method: "Create",
      body: bytes([0x0a, 0x00]),
      code: status.INVALID_ARGUMENT,
      message: /^object is invalid: object: Required value: one of namespace, pod, .+ must be set$/,
    },
    {
      name: "a CreateRequest with two objects",
      method: "Create",
      body: bytes([0x0a, 0x04], [0x12, 0x00], [0x1a, 0x00]),
      code: status.INVALID_ARGUMENT,
      message: /^object is invalid: object: Forbidden: only one of .+ may be set$/,
    },
    { name: "a CreateRequest that is not protobuf", method: "Create", body: NOT_PROTOBUF, code: status.INVALID_ARGUMENT, message: undecodable("Create") },
    {
      name: "a pod requesting 1e400 cpus",
      method: "Create",
      body: CreateRequest.encode({
        object: toApiObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "huge" }, spec: { containers: [{ name: "c", image: "busybox", resources: { requests: { cpu: "1e400" } } }] } }),
      }).finish(),
      code: status.INVALID_ARGUMENT,
      message: /^Pod "huge" is invalid: spec\.containers\[0\]\.resources\.requests\[cpu\]: Invalid value "1e400": quantities must be no larger than 2\^63-1/,
    },
    { name: "an empty UpdateRequest", method: "Update", body: EMPTY, code: status.INVALID_ARGUMENT, message: /^request is invalid: object: Required value$/ },
    { name: "an UpdateRequest that is not protobuf", method: "Update", body: NOT_PROTOBUF, code: status.INVALID_ARGUMENT, message: undecodable("Update") },
    { name: "an empty UpdateStatus", method: "UpdateStatus", body: EMPTY, code: status.INVALID_ARGUMENT, message: /^request is invalid: object: Required value$/ },
    { name: "an empty Finalize", method: "Finalize", body: EMPTY, code: status.INVALID_ARGUMENT, message: /^request is invalid: object: Required value$/ },
    {
      name: "an empty GetRequest",
      method: "Get",
      body: EMPTY,
      code: status.INVALID_ARGUMENT,
      message: /^request is invalid: kind: Unsupported value "": supported kinds are "Namespace", .+; name: Required value$/,
    },
    { name: "a Get of an unknown kind", method: "Get", body: bytes(str(1, "Teapot"), str(3, "t")), code: status.INVALID_ARGUMENT, message: /^request is invalid: kind: Unsupported value "Teapot": / },
    { name: "a Get of a pod that is not there", method: "Get", body: bytes(str(1, "Pod"), str(3, "nope")), code: status.NOT_FOUND, message: /^Pod "default\/nope" not found$/ },
    {
      name: "a Get of a kind that is not UTF-8",
      method: "Get",
      body: bytes([0x0a, 0x02, 0xce, 0x5e], str(3, "x")),
      code: status.INVALID_ARGUMENT,
      message: /^request is invalid: kind: Unsupported value "\uFFFD\^": /,
    },
    {
      name: "a pod named in letters no DNS name holds",
      method: "Create",
      body: CreateRequest.encode({ object: toApiObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "grüße" }, spec: { containers: [{ name: "c", image: "busybox" }] } }) }).finish(),
      code: status.INVALID_ARGUMENT,
      message: /^Pod "grüße" is invalid: metadata\.name: Invalid value "grüße": /,
    },
    {
      name: "a Get at a revision the log has not reached",
      method: "Get",
      body: GetRequest.encode({ kind: "Namespace", namespace: "", name: "default", revision: 1_000_000 }).finish(),
      code: status.INVALID_ARGUMENT,
      message: /^request is invalid: revision: Invalid value 1000000: Too large resource version: 1000000, current: \d+$/,
    },
    { name: "an empty HistoryRequest", method: "History", body: EMPTY, code: status.INVALID_ARGUMENT, message: /^request is invalid: kind: Unsupported value "": .+; name: Required value$/ },
    { name: "a History of a pod that never was", method: "History", body: bytes(str(1, "Pod"), str(3, "nope")), code: status.NOT_FOUND, message: /^Pod "default\/nope" not found$/ },
    { name: "a List of no kind", method: "List", body: EMPTY, code: status.INVALID_ARGUMENT, message: /^request is invalid: kind: Unsupported value "": / },
    { name: "a List with a garbage selector", method: "List", body: bytes(str(1, "Pod"), str(3, "a b c")), code: status.INVALID_ARGUMENT, message: /^label selector "a b c" is invalid: labelSelector: Invalid value "a b c": unable to parse requirement/ },
    { name: "a Delete without a name", method: "Delete", body: bytes(str(1, "Pod")), code: status.INVALID_ARGUMENT, message: /^request is invalid: name: Required value$/ },
    { name: "a Delete of no kind", method: "Delete", body: bytes(str(3, "x")), code: status.INVALID_ARGUMENT, message: /^request is invalid: kind: Unsupported value "": / },
    { name: "a Delete with an unknown propagation policy", method: "Delete", body: bytes(str(1, "Pod"), str(3, "x"), str(6, "Sideways")), code: status.INVALID_ARGUMENT, message: /propagationPolicy: Unsupported value/ },
    { name: "an empty BindRequest", method: "Bind", body: EMPTY, code: status.INVALID_ARGUMENT, message: /^request is invalid: name: Required value; nodeName: Required value$/ },
    { name: "a Bind to no node", method: "Bind", body: bytes(str(2, "web")), code: status.INVALID_ARGUMENT, message: /^request is invalid: nodeName: Required value$/ },
    { name: "a BindBatch that is not protobuf", method: "BindBatch", body: NOT_PROTOBUF, code: status.INVALID_ARGUMENT, message: undecodable("BindBatch") },
    {
      name: "an empty Watch",
      method: "Watch",
      body: EMPTY,
      code: status.INVALID_ARGUMENT,
      message: /^request is invalid: kind: Unsupported value "": supported kinds are "Namespace", /,
    },
    { name: "a Watch that is not protobuf", method: "Watch", body: Uint8Array.of(0xff), code: status.INVALID_ARGUMENT, message: undecodable("Watch") },
    { name: "a Watch from a revision that is none", method: "Watch", body: bytes(str(1, "Pod"), str(5, "yesterday")), code: status.INVALID_ARGUMENT, message: /resourceVersion: Invalid value "yesterday"/ },
    { name: "an empty LogsRequest", method: "Logs", body: EMPTY, code: status.INVALID_ARGUMENT, message: /^request is invalid: name: Required value$/ },
    { name: "a LogsRequest that is not protobuf", method: "Logs", body: Uint8Array.of(0xff), code: status.INVALID_ARGUMENT, message: undecodable("Logs") },
    { name: "an Exec that does not start", method: "Exec", body: EMPTY, code: status.INVALID_ARGUMENT, message: /^request is invalid: start: Required value$/ },
    { name: "an Exec of nothing", method: "Exec", body: bytes([0x0a, 0]), code: status.INVALID_ARGUMENT, message: /^request is invalid: start\.name: Required value; start\.command: Required value$/ },
    { name: "an Exec in a pod that is not there", method: "Exec", body: bytes([0x0a, 9], str(2, "web"), str(4, "sh")), code: status.NOT_FOUND, message: /^Pod "default\/web" not found$/ },
    {
      name: "an Attach that runs a command",
      method: "Attach",
      body: bytes([0x0a, 9], str(2, "web"), str(4, "sh")),
      code: status.INVALID_ARGUMENT,
      message: /^request is invalid: start\.command: Forbidden: attach runs no command$/,
    },
    { name: "an ExecRequest that is not protobuf", method: "Exec", body: Uint8Array.of(0xff), code: status.INVALID_ARGUMENT, message: undecodable("Exec") },
  ])("answers $name with its code and one line naming the field", async ({ method, body, code, message }) => {
    const answer = await call(client, method, body);
    expect(answer.message).toMatch(message);
    expect(answer.message).not.toContain("\n");
    expect(answer.code).toBe(code);
  });

  it("refuses each malformed binding of a BindBatch as Bind would, in its place among the others", async () => {
    const request = BindBatchRequest.encode({
      bindings: [
        { namespace: "", name: "", nodeName: "node-1", traceparent: "", tracestate: "" },
        { namespace: "", name: "web", nodeName: "node-1", traceparent: "", tracestate: "" },
        { namespace: "", name: "web", nodeName: "", traceparent: "", tracestate: "" },
      ],
    }).finish();

    const answer = await call(client, "BindBatch", request);

    expect(answer.code).toBe(status.OK);
    expect(BindBatchResponse.decode(answer.body!).results).toEqual([
      { errorCode: "Invalid", errorMessage: "request is invalid: name: Required value" },
      { errorCode: "NotFound", errorMessage: 'Node "node-1" not found' },
      { errorCode: "Invalid", errorMessage: "request is invalid: nodeName: Required value" },
    ]);
  });

  it.each(["Create", "Get", "List", "History", "Update", "UpdateStatus", "Delete", "Finalize", "Watch", "Bind", "BindBatch", "Logs", "Exec", "Attach"])(
    "answers any bytes sent to %s as invalid (or not found), never UNKNOWN or INTERNAL",
    async (method) => {
      const codes = new Set<number>();
      for (let i = 0; i < 100; i++) {
        const garbage = randomBytes(1 + (i % 64));
        // Random bytes alone, and as the message in field 1 (a CreateRequest's object, a Get's kind...).
        codes.add((await call(client, method, garbage)).code);
        codes.add((await call(client, method, bytes([0x0a, garbage.length], [...garbage]))).code);
      }
      // A BindBatch answers OK with each binding's refusal in its result.
      const expected = method === "BindBatch" ? [status.INVALID_ARGUMENT, status.NOT_FOUND, status.OK] : [status.INVALID_ARGUMENT, status.NOT_FOUND];
      expect([...codes].filter((c) => !expected.includes(c))).toEqual([]);
      expect(logged).toEqual([]);
    },
  );

  it("keeps serving after all of it", async () => {
    const created = await call(
      client,
      "Create",
      CreateRequest.encode({ object: toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "still-here" } }) }).finish(),
    );
    expect(created.code).toBe(status.OK);
  });

  it("records each unary call's duration by full method, status name and the kind it names", async () => {
    const points = await metrics.points("rpc.server.call.duration");
    const of = (method: string, code: string, kind?: string) =>
      points.find(
        (p) => p.attributes["rpc.method"] === `capstan.v1.Gateway/${method}` && p.attributes["rpc.response.status_code"] === code && p.attributes["capstan.kind"] === kind,
      );
    expect(of("Create", "OK", "Namespace")?.value).toBeGreaterThanOrEqual(1);
    expect(of("Get", "NOT_FOUND", "Pod")?.value).toBeGreaterThanOrEqual(1);
    // A kind no registry knows is left out, so callers cannot mint series.
    expect(points.filter((p) => p.attributes["capstan.kind"] === "Teapot")).toEqual([]);
    expect(points.every((p) => p.attributes["rpc.system"] === "grpc" && (p.sum ?? -1) >= 0)).toBe(true);
  });
});
