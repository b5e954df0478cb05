import { describe, expect, it } from "vitest";
import { createRecordStore, type InMemoryRecordStore, type Lookup } from "./record-store.js";

/** A small cluster: a ClusterIP service, a headless StatefulSet service, an ExternalName service. */
function aCluster(options: { zone?: string; ttl?: number } = {}): InMemoryRecordStore {
  const store = createRecordStore(options);
  store.setService({
    namespace: "default",
    name: "web",
    clusterIP: "10.96.0.10",
    ports: [
      { name: "http", protocol: "TCP", port: 80 },
      { name: "dns", protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 9000 },
    ],
  });
  store.setEndpoints("default", "web", [{ ip: "10.244.1.5", ready: true }], [{ name: "http", protocol: "TCP", port: 8080 }]);
  store.setService({ namespace: "db", name: "pg", clusterIP: "None", ports: [{ name: "postgres", protocol: "TCP", port: 5432 }] });
  store.setEndpoints(
    "db",
    "pg",
    [
      { ip: "10.244.2.1", hostname: "pg-0", ready: true },
      { ip: "10.244.2.2", hostname: "pg-1", ready: true },
      { ip: "10.244.2.3", hostname: "pg-2", ready: false },
      { ip: "10.244.2.4", ready: true },
    ],
    [{ name: "postgres", protocol: "TCP", port: 5433 }],
  );
  store.setService({ namespace: "default", name: "search", clusterIP: "", ports: [], externalName: "search.example.com" });
  return store;
}

function answered(lookup: Lookup): Extract<Lookup, { kind: "authoritative" }> {
  if (lookup.kind !== "authoritative") throw new Error("expected an authoritative answer, got one to forward");
  return lookup;
}

/** The answers as "TYPE data" strings, sorted, for compact expectations. */
function answersOf(lookup: Lookup): string[] {
  return answered(lookup)
    .answers.map((a) => {
      if (a.type === "SRV") return `SRV ${a.data.priority ?? 0} ${a.data.weight ?? 0} ${a.data.port} ${a.data.target}`;
      if (a.type === "A" || a.type === "AAAA" || a.type === "CNAME" || a.type === "PTR" || a.type === "NS") return `${a.type} ${a.data}`;
      return a.type;
    })
    .sort();
}

describe("InMemoryRecordStore lookups", () => {
  it.each([
    { case: "ClusterIP service A", name: "web.default.svc.cluster.local", type: "A", want: ["A 10.96.0.10"] },
    { case: "trailing dot and upper case", name: "WEB.Default.svc.cluster.local.", type: "A", want: ["A 10.96.0.10"] },
    { case: "headless service A: ready endpoints only", name: "pg.db.svc.cluster.local", type: "A", want: ["A 10.244.2.1", "A 10.244.2.2", "A 10.244.2.4"] },
    { case: "StatefulSet pod hostname", name: "pg-1.pg.db.svc.cluster.local", type: "A", want: ["A 10.244.2.2"] },
    { case: "headless pod without hostname by dashed IP", name: "10-244-2-4.pg.db.svc.cluster.local", type: "A", want: ["A 10.244.2.4"] },
    { case: "SRV of a ClusterIP named port", name: "_http._tcp.web.default.svc.cluster.local", type: "SRV", want: ["SRV 0 100 80 web.default.svc.cluster.local"] },
    { case: "SRV of a UDP named port", name: "_dns._udp.web.default.svc.cluster.local", type: "SRV", want: ["SRV 0 100 53 web.default.svc.cluster.local"] },
    {
      case: "SRV of a headless named port: one per ready pod, endpoint port",
      name: "_postgres._tcp.pg.db.svc.cluster.local",
      type: "SRV",
      want: [
        "SRV 0 33 5433 10-244-2-4.pg.db.svc.cluster.local",
        "SRV 0 33 5433 pg-0.pg.db.svc.cluster.local",
        "SRV 0 33 5433 pg-1.pg.db.svc.cluster.local",
      ],
    },
    { case: "ExternalName CNAME for an A question", name: "search.default.svc.cluster.local", type: "A", want: ["CNAME search.example.com"] },
    { case: "ExternalName CNAME for a CNAME question", name: "search.default.svc.cluster.local", type: "CNAME", want: ["CNAME search.example.com"] },
    { case: "PTR of a service IP", name: "10.0.96.10.in-addr.arpa", type: "PTR", want: ["PTR web.default.svc.cluster.local"] },
    { case: "PTR of a pod IP with hostname", name: "1.2.244.10.in-addr.arpa", type: "PTR", want: ["PTR pg-0.pg.db.svc.cluster.local"] },
    { case: "PTR of a pod IP behind a ClusterIP service", name: "5.1.244.10.in-addr.arpa", type: "PTR", want: ["PTR 10-244-1-5.web.default.svc.cluster.local"] },
    { case: "zone apex NS", name: "cluster.local", type: "NS", want: ["NS ns.dns.cluster.local"] },
  ])("$case", ({ name, type, want }) => {
    const lookup = aCluster().lookup(name, type);
    expect(answered(lookup).rcode).toBe("NOERROR");
    expect(answersOf(lookup)).toEqual(want);
  });

  it.each([
    { case: "unknown service", name: "nope.default.svc.cluster.local", type: "A" },
    { case: "unknown namespace", name: "nope.svc.cluster.local", type: "A" },
    { case: "not-ready StatefulSet pod", name: "pg-2.pg.db.svc.cluster.local", type: "A" },
    { case: "pod hostname under a ClusterIP service", name: "10-244-1-5.web.default.svc.cluster.local", type: "A" },
    { case: "unnamed port has no SRV", name: "_9000._tcp.web.default.svc.cluster.local", type: "SRV" },
    { case: "named port with the wrong protocol", name: "_http._udp.web.default.svc.cluster.local", type: "SRV" },
    { case: "name outside svc", name: "foo.cluster.local", type: "A" },
    { case: "too many labels", name: "a.pg-0.pg.db.svc.cluster.local", type: "A" },
  ])("NXDOMAIN: $case, with the SOA in authority", ({ name, type }) => {
    const lookup = answered(aCluster().lookup(name, type));
    expect(lookup.rcode).toBe("NXDOMAIN");
    expect(lookup.answers).toEqual([]);
    expect(lookup.authorities.map((a) => a.type)).toEqual(["SOA"]);
  });

  it.each([
    { case: "AAAA of an IPv4 service", name: "web.default.svc.cluster.local", type: "AAAA" },
    { case: "TXT of a service", name: "web.default.svc.cluster.local", type: "TXT" },
    { case: "SRV of a bare service name", name: "web.default.svc.cluster.local", type: "SRV" },
    { case: "A of an SRV name", name: "_http._tcp.web.default.svc.cluster.local", type: "A" },
    { case: "namespace (empty non-terminal)", name: "default.svc.cluster.local", type: "A" },
    { case: "protocol label (empty non-terminal)", name: "_tcp.web.default.svc.cluster.local", type: "SRV" },
    { case: "A of a known reverse name", name: "10.0.96.10.in-addr.arpa", type: "A" },
  ])("NODATA: $case", ({ name, type }) => {
    const lookup = answered(aCluster().lookup(name, type));
    expect(lookup.rcode).toBe("NOERROR");
    expect(lookup.answers).toEqual([]);
    expect(lookup.authorities.map((a) => a.type)).toEqual(["SOA"]);
  });

  it.each([
    { case: "another domain", name: "example.com" },
    { case: "a suffix that only looks like the zone", name: "notcluster.local" },
    { case: "reverse name of an unknown IP", name: "1.1.168.192.in-addr.arpa" },
  ])("forwards $case", ({ name }) => {
    expect(aCluster().lookup(name, "A")).toEqual({ kind: "outside" });
    expect(aCluster().lookup(name, "PTR")).toEqual({ kind: "outside" });
  });

  it("gives SRV targets' addresses as additionals", () => {
    const lookup = answered(aCluster().lookup("_postgres._tcp.pg.db.svc.cluster.local", "SRV"));
    expect(lookup.additionals.map((a) => `${a.name} ${a.type === "A" ? a.data : ""}`).sort()).toEqual([
      "10-244-2-4.pg.db.svc.cluster.local 10.244.2.4",
      "pg-0.pg.db.svc.cluster.local 10.244.2.1",
      "pg-1.pg.db.svc.cluster.local 10.244.2.2",
    ]);
  });

  it("uses the configured zone and TTL everywhere, including the SOA minimum", () => {
    const store = aCluster({ zone: "corp.example", ttl: 30 });
    const hit = answered(store.lookup("web.default.svc.corp.example", "A"));
    expect(hit.answers).toEqual([{ type: "A", name: "web.default.svc.corp.example", ttl: 30, data: "10.96.0.10" }]);
    expect(store.lookup("web.default.svc.cluster.local", "A")).toEqual({ kind: "outside" });
    const miss = answered(store.lookup("nope.default.svc.corp.example", "A"));
    expect(miss.authorities).toMatchObject([{ type: "SOA", name: "corp.example", ttl: 30, data: { minimum: 30 } }]);
  });

  it("defaults to a TTL of 5 seconds", () => {
    expect(answered(aCluster().lookup("web.default.svc.cluster.local", "A")).answers).toMatchObject([{ ttl: 5 }]);
  });

  it("answers IPv6 cluster IPs as AAAA", () => {
    const store = createRecordStore();
    store.setService({ namespace: "default", name: "v6", clusterIP: "fd00::10", ports: [] });
    expect(answersOf(store.lookup("v6.default.svc.cluster.local", "AAAA"))).toEqual(["AAAA fd00::10"]);
    expect(answered(store.lookup("v6.default.svc.cluster.local", "A")).answers).toEqual([]);
  });

  it("publishes not-ready addresses when the service asks for it", () => {
    const store = aCluster();
    store.setService({ namespace: "db", name: "pg", clusterIP: "None", ports: [], publishNotReadyAddresses: true });
    expect(answersOf(store.lookup("pg-2.pg.db.svc.cluster.local", "A"))).toEqual(["A 10.244.2.3"]);
  });
});

describe("InMemoryRecordStore updates", () => {
  it("uses endpoints that arrived before their service", () => {
    const store = createRecordStore();
    store.setEndpoints("ns", "h", [{ ip: "10.0.0.1", ready: true }], []);
    expect(answered(store.lookup("h.ns.svc.cluster.local", "A")).rcode).toBe("NXDOMAIN");
    store.setService({ namespace: "ns", name: "h", clusterIP: "None", ports: [] });
    expect(answersOf(store.lookup("h.ns.svc.cluster.local", "A"))).toEqual(["A 10.0.0.1"]);
  });

  it("replaces endpoints and their reverse names", () => {
    const store = aCluster();
    store.setEndpoints("db", "pg", [{ ip: "10.244.2.9", hostname: "pg-0", ready: true }], [{ name: "postgres", protocol: "TCP", port: 5433 }]);
    expect(answersOf(store.lookup("pg-0.pg.db.svc.cluster.local", "A"))).toEqual(["A 10.244.2.9"]);
    expect(answered(store.lookup("pg-1.pg.db.svc.cluster.local", "A")).rcode).toBe("NXDOMAIN");
    expect(store.lookup("1.2.244.10.in-addr.arpa", "PTR")).toEqual({ kind: "outside" });
    expect(answersOf(store.lookup("9.2.244.10.in-addr.arpa", "PTR"))).toEqual(["PTR pg-0.pg.db.svc.cluster.local"]);
  });

  it("forgets a deleted service, its reverse names and its namespace when it was the last", () => {
    const store = aCluster();
    store.deleteService("db", "pg");
    expect(answered(store.lookup("pg.db.svc.cluster.local", "A")).rcode).toBe("NXDOMAIN");
    expect(answered(store.lookup("db.svc.cluster.local", "A")).rcode).toBe("NXDOMAIN");
    expect(store.lookup("1.2.244.10.in-addr.arpa", "PTR")).toEqual({ kind: "outside" });
    expect(answered(store.lookup("default.svc.cluster.local", "A")).rcode).toBe("NOERROR");
  });

  it("leaves a headless service without addresses when its endpoints are deleted", () => {
    const store = aCluster();
    store.deleteEndpoints("db", "pg");
    const lookup = answered(store.lookup("pg.db.svc.cluster.local", "A"));
    expect([lookup.rcode, lookup.answers]).toEqual(["NOERROR", []]);
  });

  it("keeps a reverse name shared by two services until both are gone", () => {
    const store = createRecordStore();
    for (const name of ["a", "b"]) {
      store.setService({ namespace: "ns", name, clusterIP: "None", ports: [] });
      store.setEndpoints("ns", name, [{ ip: "10.1.1.1", ready: true }], []);
    }
    expect(answersOf(store.lookup("1.1.1.10.in-addr.arpa", "PTR"))).toEqual(["PTR 10-1-1-1.a.ns.svc.cluster.local", "PTR 10-1-1-1.b.ns.svc.cluster.local"]);
    store.deleteService("ns", "a");
    expect(answersOf(store.lookup("1.1.1.10.in-addr.arpa", "PTR"))).toEqual(["PTR 10-1-1-1.b.ns.svc.cluster.local"]);
  });

  it("changes the SOA serial on every update", () => {
    const store = aCluster();
    const before = store.soa().data.serial;
    store.deleteEndpoints("default", "web");
    expect(store.soa().data.serial).not.toBe(before);
  });
});
