import { trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromApiObject, metaOf, toApiObject } from "@capstan/api";
import { ExpiredError } from "@capstan/apimachinery";
import type { JetStreamBus } from "@capstan/bus";
import { openEventStore, type EventStore } from "@capstan/eventstore";
import { ObjectService } from "../object-service.js";
import { createKubeApiServer, listenKubeApi } from "./server.js";
import { BOOKMARK_BEFORE_END_MS, BOOKMARK_INTERVAL_MS, nextBookmarkAt, watchDurationMs } from "./watch.js";

const instruments = { tracer: trace.getTracer("test"), recordCall: () => {}, recordRequest: () => {}, log: () => {} };

/** A stream that holds every revision and gets no new event: a subscription waits until stopped. */
const quietBus = {
  subscribe: () => {
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    return Promise.resolve({
      stop: () => Promise.resolve(stop()),
      async *[Symbol.asyncIterator]() {
        await stopped;
      },
    });
  },
} as unknown as JetStreamBus;

/** The JSON lines of a watch's whole answer. */
async function eventsOf(res: Response): Promise<unknown[]> {
  return (await res.text())
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as unknown);
}

/** A stream that no longer holds revision 3: the bus says so as JetStreamBus does, with ExpiredError. */
const compactedBus = {
  subscribe: (_filter: unknown, after: number) => Promise.reject(new ExpiredError(after, 10)),
} as unknown as JetStreamBus;

/** A Kubernetes API over a fresh store (with the default namespace) and `bus`; `close` ends both. */
async function kubeApiOver(bus: JetStreamBus): Promise<{ store: EventStore; service: ObjectService; url: string; close: () => Promise<void> }> {
  const store = await openEventStore({});
  const service = new ObjectService(store, bus, () => {}, {});
  await service.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }), { actor: "test" });
  const server = createKubeApiServer(service, instruments, { minRequestTimeoutSeconds: 1800 });
  const url = `http://127.0.0.1:${await listenKubeApi(server, "127.0.0.1:0")}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  };
  return { store, service, url, close };
}

describe("a watch from a revision the stream no longer holds", () => {
  let api: Awaited<ReturnType<typeof kubeApiOver>>;
  let url: string;

  beforeAll(async () => {
    api = await kubeApiOver(compactedBus);
    url = api.url;
  }, 30_000);

  afterAll(() => api?.close());

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

describe("a watch over a stream that holds every revision", () => {
  let api: Awaited<ReturnType<typeof kubeApiOver>>;
  let url: string;
  let created: number;
  let head: number;

  beforeAll(async () => {
    api = await kubeApiOver(quietBus);
    url = api.url;
    const ctx = { actor: "test" };
    const cm = await api.service.create(toApiObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "default" } }), ctx);
    created = Number(metaOf(fromApiObject(cm).json).resourceVersion);
    // Later revisions of another kind: a bookmark of the ConfigMaps' watch may claim them.
    const other = await api.service.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } }), ctx);
    head = Number(metaOf(fromApiObject(other).json).resourceVersion);
  }, 30_000);

  afterAll(() => api?.close());

  it("sends a bookmark of the revision the watch reached before timeoutSeconds ends it", async () => {
    const res = await fetch(`${url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${created}&allowWatchBookmarks=true&timeoutSeconds=3`);
    expect(res.status).toBe(200);
    expect(await eventsOf(res)).toEqual([{ type: "BOOKMARK", object: { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: String(head) } } }]);
  });

  it("sends no bookmark to a watch that did not allow them", async () => {
    const res = await fetch(`${url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${created}&timeoutSeconds=3`);
    expect(await res.text()).toBe("");
  });

  it("answers a revision the log has compacted away with the 410 Expired ERROR event", async () => {
    await api.store.compact(head);
    const res = await fetch(`${url}/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${created}`);
    expect(res.status).toBe(200);
    expect(await eventsOf(res)).toEqual([
      {
        type: "ERROR",
        object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${created} (oldest available ${head})`, reason: "Expired", code: 410 },
      },
    ]);
  });
});

describe("watch timing", () => {
  it("lasts timeoutSeconds, else 1 to 2 times the min-request-timeout", () => {
    expect(watchDurationMs(5, 1800, 0.7)).toBe(5000);
    expect(watchDurationMs(undefined, 1800, 0)).toBe(1_800_000);
    expect(watchDurationMs(0, 1800, 0.5)).toBe(2_700_000);
  });

  it("bookmarks every interval, and last just before the end", () => {
    expect(nextBookmarkAt(0, 10 * BOOKMARK_INTERVAL_MS)).toBe(BOOKMARK_INTERVAL_MS);
    expect(nextBookmarkAt(0, 10_000)).toBe(10_000 - BOOKMARK_BEFORE_END_MS);
    expect(nextBookmarkAt(10_000 - BOOKMARK_BEFORE_END_MS, 10_000)).toBeUndefined();
  });
});
