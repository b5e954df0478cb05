import { trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject } from "@capstan/api";
import { ExpiredError } from "@capstan/apimachinery";
import type { JetStreamBus } from "@capstan/bus";
import { openEventStore, type EventStore } from "@capstan/eventstore";
import { ObjectService } from "../object-service.js";
import { createKubeApiServer, listenKubeApi } from "./server.js";

/** A stream that no longer holds revision 3: the bus says so as JetStreamBus does, with ExpiredError. */
const compactedBus = {
  subscribe: (_filter: unknown, after: number) => Promise.reject(new ExpiredError(after, 10)),
} as unknown as JetStreamBus;

describe("a watch from a revision the stream no longer holds", () => {
  let store: EventStore;
  let server: ReturnType<typeof createKubeApiServer>;
  let url: string;

  beforeAll(async () => {
    store = await openEventStore({});
    const service = new ObjectService(store, compactedBus, () => {}, {});
    await service.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }), { actor: "test" });
    server = createKubeApiServer(service, { tracer: trace.getTracer("test"), recordCall: () => {}, recordRequest: () => {}, log: () => {} });
    url = `http://127.0.0.1:${await listenKubeApi(server, "127.0.0.1:0")}`;
  }, 30_000);

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await store?.close();
  });

  it("answers 200 and one ERROR event holding the 410 Expired Status, as the apiserver does", async () => {
    const res = await fetch(`${url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=3`);
    expect(res.status).toBe(200);
    const events = (await res.text()).trim().split("\n").map((line) => JSON.parse(line) as unknown);
    expect(events).toEqual([
      {
        type: "ERROR",
        object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "too old resource version: 3 (oldest available 10)", reason: "Expired", code: 410 },
      },
    ]);
  });
});
