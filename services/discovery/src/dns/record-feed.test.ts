import { describe, expect, it } from "vitest";
import { Informer } from "@capstan/controller-runtime";
import { FakeListWatch } from "@capstan/controller-runtime/testing";
import { indexSlicesByService } from "../endpoints/reconcile.js";
import { feedRecordStore } from "./record-feed.js";
import { createRecordStore, type Lookup } from "./record-store.js";

type Json = Record<string, any>;

function aService(name: string, spec: Json): Json {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default", resourceVersion: "1" }, spec };
}

function aSlice(name: string, service: string, endpoints: Json[], ports: Json[] = [{ name: "http", port: 8080, protocol: "TCP" }]): Json {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, namespace: "default", labels: { "kubernetes.io/service-name": service } },
    addressType: "IPv4",
    endpoints,
    ports,
  };
}

const endpoint = (ip: string, ready: boolean | undefined, hostname?: string): Json => ({
  addresses: [ip],
  ...(ready === undefined ? {} : { conditions: { ready } }),
  ...(hostname ? { hostname } : {}),
});

function answers(lookup: Lookup): string[] {
  if (lookup.kind !== "authoritative") throw new Error("expected an authoritative answer");
  if (lookup.rcode !== "NOERROR") return [lookup.rcode];
  return lookup.answers.map((a) => (a.type === "SRV" ? `${a.data.port} ${a.data.target}` : a.type === "A" || a.type === "CNAME" ? a.data : a.type)).sort();
}

async function aFeed() {
  const serviceFeed = new FakeListWatch();
  const sliceFeed = new FakeListWatch();
  const services = new Informer({ kind: "Service", listWatch: serviceFeed.listWatch, log: () => {} }).start();
  const slices = new Informer({ kind: "EndpointSlice", listWatch: sliceFeed.listWatch, log: () => {} }).start();
  indexSlicesByService(slices);
  await serviceFeed.list([aService("web", { clusterIP: "10.96.0.20", ports: [{ name: "http", port: 80, protocol: "TCP" }] })]);
  await sliceFeed.list([]);
  const store = createRecordStore();
  const stop = feedRecordStore(store, services, slices);
  return { store, serviceFeed, sliceFeed, stop };
}

describe("feedRecordStore", () => {
  it("answers Services already cached when it starts, and follows their changes and deletion", async () => {
    const { store, serviceFeed } = await aFeed();
    expect(answers(store.lookup("web.default.svc.cluster.local", "A"))).toEqual(["10.96.0.20"]);
    await serviceFeed.emit("ADDED", aService("search", { type: "ExternalName", externalName: "search.example.com" }));
    expect(answers(store.lookup("search.default.svc.cluster.local", "A"))).toEqual(["search.example.com"]);
    await serviceFeed.emit("DELETED", aService("web", {}));
    expect(answers(store.lookup("web.default.svc.cluster.local", "A"))).toEqual(["NXDOMAIN"]);
  });

  it("answers a headless Service with the ready endpoints of all its slices, as each slice changes", async () => {
    const { store, serviceFeed, sliceFeed } = await aFeed();
    await serviceFeed.emit("ADDED", aService("db", { clusterIP: "None", ports: [{ name: "pg", port: 5432, protocol: "TCP" }] }));
    await sliceFeed.emit("ADDED", aSlice("db-a", "db", [endpoint("10.1.0.1", true, "db-0"), endpoint("10.1.0.2", false)], [{ name: "pg", port: 5433, protocol: "TCP" }]));
    await sliceFeed.emit("ADDED", aSlice("db-b", "db", [endpoint("10.1.0.3", undefined)], [{ name: "pg", port: 5433, protocol: "TCP" }]));
    expect(answers(store.lookup("db.default.svc.cluster.local", "A"))).toEqual(["10.1.0.1", "10.1.0.3"]);
    expect(answers(store.lookup("db-0.db.default.svc.cluster.local", "A"))).toEqual(["10.1.0.1"]);
    expect(answers(store.lookup("_pg._tcp.db.default.svc.cluster.local", "SRV"))).toEqual(["5433 10-1-0-3.db.default.svc.cluster.local", "5433 db-0.db.default.svc.cluster.local"]);

    await sliceFeed.emit("MODIFIED", aSlice("db-a", "db", [endpoint("10.1.0.1", false, "db-0"), endpoint("10.1.0.2", true)], [{ name: "pg", port: 5433, protocol: "TCP" }]));
    expect(answers(store.lookup("db.default.svc.cluster.local", "A"))).toEqual(["10.1.0.2", "10.1.0.3"]);
    await sliceFeed.emit("DELETED", aSlice("db-b", "db", []));
    expect(answers(store.lookup("db.default.svc.cluster.local", "A"))).toEqual(["10.1.0.2"]);
    await sliceFeed.emit("DELETED", aSlice("db-a", "db", []));
    expect(answers(store.lookup("db.default.svc.cluster.local", "A"))).toEqual([]);
  });

  it("counts an address in two slices (a pod moving between them) as ready if either says so", async () => {
    const { store, serviceFeed, sliceFeed } = await aFeed();
    await serviceFeed.emit("ADDED", aService("db", { clusterIP: "None", ports: [] }));
    await sliceFeed.emit("ADDED", aSlice("db-a", "db", [endpoint("10.1.0.1", true)]));
    await sliceFeed.emit("ADDED", aSlice("db-b", "db", [endpoint("10.1.0.1", false)]));
    expect(answers(store.lookup("db.default.svc.cluster.local", "A"))).toEqual(["10.1.0.1"]);
  });

  it("stops following when stopped", async () => {
    const { store, serviceFeed, stop } = await aFeed();
    stop();
    await serviceFeed.emit("DELETED", aService("web", {}));
    expect(answers(store.lookup("web.default.svc.cluster.local", "A"))).toEqual(["10.96.0.20"]);
  });
});
