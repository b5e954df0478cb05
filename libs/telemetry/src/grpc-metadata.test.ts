import {
  type Client,
  type ServiceError,
  Server,
  ServerCredentials,
  credentials,
  makeGenericClientConstructor,
} from "@grpc/grpc-js";
import { trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextFromMetadata, traceClientInterceptor } from "./grpc-metadata.js";
import { initTelemetry } from "./telemetry.js";
import { withSpan } from "./with-span.js";

const raw = (b: Buffer) => b;
// A one-method service whose handler answers with the trace id it continued from the call's metadata.
const traceEcho = {
  Echo: {
    path: "/capstan.test.TraceEcho/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  },
} as const;
type EchoClient = Client & {
  Echo(req: Buffer, cb: (err: ServiceError | null, res?: Buffer) => void): void;
};

describe("traceClientInterceptor", () => {
  const { tracer } = initTelemetry("grpc-metadata-test");
  const server = new Server();
  let client: EchoClient;

  beforeAll(async () => {
    server.addService(traceEcho, {
      Echo: (call: { metadata: import("@grpc/grpc-js").Metadata }, cb: (err: null, res: Buffer) => void) => {
        const remote = trace.getSpanContext(contextFromMetadata(call.metadata));
        cb(null, Buffer.from(remote ? `${remote.traceId}/${remote.spanId}` : "none"));
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const Ctor = makeGenericClientConstructor(traceEcho, "TraceEcho");
    client = new Ctor(`127.0.0.1:${port}`, credentials.createInsecure(), {
      interceptors: [traceClientInterceptor],
    }) as unknown as EchoClient;
  });

  afterAll(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  const echo = () =>
    new Promise<string>((resolve, reject) =>
      client.Echo(Buffer.alloc(0), (err, res) => (err ? reject(err) : resolve(res?.toString() ?? ""))),
    );

  it("sends the caller's active span to the server", async () => {
    const seen = await withSpan(tracer, "client-call", {}, async (span) => {
      const answer = await echo();
      return { answer, expected: `${span.spanContext().traceId}/${span.spanContext().spanId}` };
    });
    expect(seen.answer).toBe(seen.expected);
  });

  it("sends nothing outside a trace", async () => {
    expect(await echo()).toBe("none");
  });
});
