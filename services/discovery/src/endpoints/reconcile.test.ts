import { describe, expect, it } from "vitest";
import { aPod as aPodBuilder, aService as aServiceBuilder } from "@capstan/api/testing";
import type { JsonObject } from "@capstan/client";
import { endpointsPropagationDuration, type Histogram } from "@capstan/telemetry";
import { InMemoryMetrics } from "@capstan/telemetry/testing";
import { Cluster } from "../testing/cluster.js";
import { EndpointsReconciler, indexPodsByLabel, indexServicesBySelector, indexSlicesByService, servicesSelecting } from "./reconcile.js";

type Json = Record<string, any>;

/** A Service of team a selecting app=web; the gateway allocates its cluster IP. */
function aService(name: string, spec: Json = {}): Json {
  return aServiceBuilder(name).labelled({ team: "a" }).withSpec(spec).json();
}

interface PodOptions {
  ip?: string;
  ready?: boolean;
  terminating?: boolean;
  phase?: string;
  labels?: Record<string, string>;
  ports?: Json[];
  hostname?: string;
  subdomain?: string;
}

/** A pod of app=web on node-1, Running and Ready, serving "http" on 8080, unless said. */
function aPod(name: string, o: PodOptions = {}): Json {
  const pod = aPodBuilder(name)
    .labelled(o.labels ?? { app: "web" })
    .onNode("node-1")
    .withContainer("web", "nginx", { ports: o.ports ?? [{ name: "http", containerPort: 8080, protocol: "TCP" }] })
    .withSpec({ ...(o.hostname ? { hostname: o.hostname } : {}), ...(o.subdomain ? { subdomain: o.subdomain } : {}) })
    .withCondition("Ready", o.ready === false ? "False" : "True")
    .inPhase(o.phase ?? "Running")
    .withIP(o.ip ?? "");
  return (o.terminating ? pod.terminating() : pod).json();
}

async function aCluster(objects: Json[], propagation?: Histogram): Promise<{ cluster: Cluster; reconciler: EndpointsReconciler }> {
  const cluster = await Cluster.start();
  indexPodsByLabel(cluster.informer("Pod"));
  indexServicesBySelector(cluster.informer("Service"));
  indexSlicesByService(cluster.informer("EndpointSlice"));
  for (const o of objects) await cluster.put(o);
  const reconciler = new EndpointsReconciler(
    cluster.informer("Service"),
    cluster.informer("Pod"),
    cluster.informer("Endpoints"),
    cluster.informer("EndpointSlice"),
    cluster.gateway,
    propagation,
  );
  return { cluster, reconciler };
}

/** The slices' endpoints as "ip ready/serving/terminating [hostname]" strings, sorted. */
function sliceEndpoints(cluster: Cluster): string[] {
  return cluster
    .list("EndpointSlice")
    .flatMap((s) => (s["endpoints"] ?? []) as Json[])
    .map((e) => {
      const c = e["conditions"];
      return `${e["addresses"][0]} ${c.ready}/${c.serving}/${c.terminating}${e["hostname"] ? ` ${e["hostname"]}` : ""}`;
    })
    .sort();
}

function endpointsOf(cluster: Cluster, name = "web"): Json | undefined {
  return cluster.informer("Endpoints").get("default", name) as Json | undefined;
}

describe("EndpointsReconciler", () => {
  it("writes Endpoints and EndpointSlices for the selected pods, one slice per set of resolved ports", async () => {
    const { cluster, reconciler } = await aCluster([
      aService("web"),
      aPod("web-a", { ip: "10.1.0.1" }),
      aPod("web-b", { ip: "10.1.0.2", ready: false }),
      aPod("web-c", { ip: "10.1.0.3", ports: [{ name: "http", containerPort: 9090, protocol: "TCP" }] }),
      aPod("web-noport", { ip: "10.1.0.4", ports: [] }),
      aPod("web-pending", {}),
      aPod("other", { ip: "10.1.0.9", labels: { app: "db" } }),
    ]);
    await reconciler.reconcile("default/web");

    const endpoints = endpointsOf(cluster)!;
    expect(endpoints["metadata"].ownerReferences).toEqual([{ apiVersion: "v1", kind: "Service", name: "web", uid: expect.any(String), controller: true, blockOwnerDeletion: true }]);
    expect(endpoints["subsets"]).toEqual([
      {
        addresses: [{ ip: "10.1.0.1", nodeName: "node-1", targetRef: { kind: "Pod", namespace: "default", name: "web-a", uid: expect.any(String) } }],
        notReadyAddresses: [{ ip: "10.1.0.2", nodeName: "node-1", targetRef: { kind: "Pod", namespace: "default", name: "web-b", uid: expect.any(String) } }],
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      },
      {
        addresses: [{ ip: "10.1.0.3", nodeName: "node-1", targetRef: { kind: "Pod", namespace: "default", name: "web-c", uid: expect.any(String) } }],
        ports: [{ name: "http", port: 9090, protocol: "TCP" }],
      },
    ]);

    const slices = cluster.list("EndpointSlice");
    // As Kubernetes: a pod without the named port is an endpoint without ports, in a slice of its own.
    expect(slices).toHaveLength(3);
    for (const slice of slices) {
      expect(slice["metadata"].name).toMatch(/^web-/);
      expect(slice["metadata"].labels).toEqual({ team: "a", "kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" });
      expect(slice["metadata"].ownerReferences[0]).toMatchObject({ kind: "Service", name: "web", controller: true });
      expect(slice["addressType"]).toBe("IPv4");
    }
    expect(slices.map((s) => `${s["ports"]?.[0]?.port ?? "none"}: ${s["endpoints"].map((e: Json) => e.addresses[0]).join(" ")}`).sort()).toEqual([
      "8080: 10.1.0.1 10.1.0.2",
      "9090: 10.1.0.3",
      "none: 10.1.0.4",
    ]);
    expect(sliceEndpoints(cluster)).toEqual(["10.1.0.1 true/true/false", "10.1.0.2 false/false/false", "10.1.0.3 true/true/false", "10.1.0.4 true/true/false"]);
  });

  it("records each pod change's propagation once, when its slice is written and cached", async () => {
    const metrics = new InMemoryMetrics();
    const { cluster, reconciler } = await aCluster([aService("web"), aPod("web-a", { ip: "10.1.0.1" })], endpointsPropagationDuration(metrics.meter));
    const recorded = async () => (await metrics.points("capstan.endpoints.propagation.duration"))[0];
    await reconciler.reconcile("default/web");
    expect((await recorded())?.value).toBe(1);
    await reconciler.reconcile("default/web");
    expect((await recorded())?.value).toBe(1);

    const notReady = aPod("web-a", { ip: "10.1.0.1", ready: false });
    const later = new Date(Date.now() + 1000).toISOString();
    notReady["status"]["conditions"] = notReady["status"]["conditions"].map((c: Json) => (c["type"] === "Ready" ? { ...c, lastTransitionTime: later } : c));
    await cluster.put(notReady);
    await reconciler.reconcile("default/web");
    const after = await recorded();
    expect(after?.value).toBe(2);
    expect(after?.sum).toBeGreaterThanOrEqual(0);
  });

  it("writes nothing when nothing changed", async () => {
    const { cluster, reconciler } = await aCluster([aService("web"), aPod("web-a", { ip: "10.1.0.1" })]);
    await reconciler.reconcile("default/web");
    const revision = cluster.revision;
    await reconciler.reconcile("default/web");
    expect(cluster.revision).toBe(revision);
  });

  it.each([
    {
      name: "a pod turning not ready",
      change: aPod("web-a", { ip: "10.1.0.1", ready: false }),
      endpoints: { ready: [], notReady: ["10.1.0.1"] },
      slices: ["10.1.0.1 false/false/false"],
    },
    {
      name: "a terminating pod: out of Endpoints, kept in the slice as terminating",
      change: aPod("web-a", { ip: "10.1.0.1", terminating: true }),
      endpoints: { ready: [], notReady: [] },
      slices: ["10.1.0.1 false/true/true"],
    },
    {
      name: "a succeeded pod",
      change: aPod("web-a", { ip: "10.1.0.1", phase: "Succeeded" }),
      endpoints: { ready: [], notReady: [] },
      slices: [],
    },
    {
      name: "a pod whose labels no longer match",
      change: aPod("web-a", { ip: "10.1.0.1", labels: { app: "other" } }),
      endpoints: { ready: [], notReady: [] },
      slices: [],
    },
  ])("follows $name", async ({ change, endpoints, slices }) => {
    const { cluster, reconciler } = await aCluster([aService("web"), aPod("web-a", { ip: "10.1.0.1" })]);
    await reconciler.reconcile("default/web");
    await cluster.put(change);
    await reconciler.reconcile("default/web");

    const subsets = (endpointsOf(cluster)!["subsets"] ?? []) as Json[];
    expect({
      ready: subsets.flatMap((s) => (s["addresses"] ?? []).map((a: Json) => a["ip"])),
      notReady: subsets.flatMap((s) => (s["notReadyAddresses"] ?? []).map((a: Json) => a["ip"])),
    }).toEqual(endpoints);
    expect(sliceEndpoints(cluster)).toEqual(slices);
    // Without endpoints one empty slice stays, as Kubernetes keeps a placeholder.
    expect(cluster.list("EndpointSlice")).toHaveLength(1);
  });

  it("publishes not-ready and terminating pods as ready when the Service asks", async () => {
    const { cluster, reconciler } = await aCluster([
      aService("web", { publishNotReadyAddresses: true }),
      aPod("web-a", { ip: "10.1.0.1", ready: false }),
      aPod("web-b", { ip: "10.1.0.2", terminating: true }),
    ]);
    await reconciler.reconcile("default/web");
    expect(endpointsOf(cluster)!["subsets"][0].addresses.map((a: Json) => a.ip)).toEqual(["10.1.0.1", "10.1.0.2"]);
    expect(sliceEndpoints(cluster)).toEqual(["10.1.0.1 true/false/false", "10.1.0.2 true/true/true"]);
  });

  it("gives a pod its hostname only under the Service its subdomain names", async () => {
    const { cluster, reconciler } = await aCluster([
      aService("nginx", { clusterIP: "None" }),
      aPod("web-0", { ip: "10.1.0.1", hostname: "web-0", subdomain: "nginx" }),
      aPod("web-1", { ip: "10.1.0.2", hostname: "web-1", subdomain: "elsewhere" }),
    ]);
    await reconciler.reconcile("default/nginx");
    expect(sliceEndpoints(cluster)).toEqual(["10.1.0.1 true/true/false web-0", "10.1.0.2 true/true/false"]);
    expect(endpointsOf(cluster, "nginx")!["subsets"][0].addresses.map((a: Json) => a.hostname ?? "")).toEqual(["web-0", ""]);
    expect(cluster.list("EndpointSlice")[0]!["metadata"].labels["service.kubernetes.io/headless"]).toBe("");
  });

  it("spreads 250 endpoints over slices of at most 100, and moves one pod's change into one slice", async () => {
    const pods = Array.from({ length: 250 }, (_, i) => aPod(`web-${String(i).padStart(3, "0")}`, { ip: `10.1.${Math.floor(i / 200)}.${i % 200}` }));
    const { cluster, reconciler } = await aCluster([aService("web"), ...pods]);
    await reconciler.reconcile("default/web");
    expect(cluster.list("EndpointSlice").map((s) => s["endpoints"].length).sort()).toEqual([100, 100, 50]);

    await cluster.put(aPod("web-007", { ip: "10.1.0.7", ready: false }));
    const revision = cluster.revision;
    await reconciler.reconcile("default/web");
    // The Endpoints and the one slice holding the pod.
    expect(cluster.revision - revision).toBe(2);
    expect(sliceEndpoints(cluster)).toContain("10.1.0.7 false/false/false");
  });

  it("fills the room a removed pod left before creating a slice", async () => {
    const pods = Array.from({ length: 100 }, (_, i) => aPod(`web-${i}`, { ip: `10.1.0.${i}` }));
    const { cluster, reconciler } = await aCluster([aService("web"), ...pods]);
    await reconciler.reconcile("default/web");
    await cluster.remove("Pod", "default", "web-5");
    await cluster.put(aPod("web-new", { ip: "10.1.1.1" }));
    await reconciler.reconcile("default/web");
    expect(cluster.list("EndpointSlice").map((s) => s["endpoints"].length)).toEqual([100]);
  });

  it("deletes slices of an earlier Service of the same name", async () => {
    const { cluster, reconciler } = await aCluster([aService("web"), aPod("web-a", { ip: "10.1.0.1" })]);
    await reconciler.reconcile("default/web");
    const [old] = cluster.list("EndpointSlice");
    await cluster.remove("Service", "default", "web");
    await cluster.put(aService("web"));
    await reconciler.reconcile("default/web");
    const slices = cluster.list("EndpointSlice");
    expect(slices).toHaveLength(1);
    expect(slices[0]!["metadata"].name).not.toBe(old!["metadata"].name);
    expect(slices[0]!["metadata"].ownerReferences[0].uid).toBe(cluster.informer("Service").get("default", "web")!["metadata"]!["uid" as never]);
  });

  it("deletes the Endpoints of a Service that is gone, as Kubernetes' endpoints controller, and leaves its slices to the garbage collector", async () => {
    const { cluster, reconciler } = await aCluster([aService("web"), aService("api", { selector: { app: "api" } }), aPod("web-a", { ip: "10.1.0.1" }), aPod("api-a", { ip: "10.1.0.2", labels: { app: "api" } })]);
    await reconciler.reconcile("default/web");
    await reconciler.reconcile("default/api");
    await cluster.remove("Service", "default", "web");

    await reconciler.reconcile("default/web");

    expect(endpointsOf(cluster, "web")).toBeUndefined();
    expect(endpointsOf(cluster, "api")).toBeDefined();
    expect(cluster.list("EndpointSlice").map((s) => s["metadata"].labels["kubernetes.io/service-name"]).sort()).toEqual(["api", "web"]);
  });

  it("leaves Endpoints no Service controlled when there is no Service of their name", async () => {
    const { cluster, reconciler } = await aCluster([{ apiVersion: "v1", kind: "Endpoints", metadata: { name: "manual", namespace: "default" }, subsets: [] }]);
    const revision = cluster.revision;
    await reconciler.reconcile("default/manual");
    expect(endpointsOf(cluster, "manual")).toBeDefined();
    expect(cluster.revision).toBe(revision);
  });

  it.each([
    { name: "a Service without a selector (endpoints managed by hand)", service: aService("web", { selector: {} }) },
    { name: "an ExternalName Service", service: aService("web", { type: "ExternalName", clusterIP: "", externalName: "example.com" }) },
  ])("leaves $name alone", async ({ service }) => {
    const { cluster, reconciler } = await aCluster([service, aPod("web-a", { ip: "10.1.0.1" })]);
    const revision = cluster.revision;
    await reconciler.reconcile("default/web");
    expect(cluster.revision).toBe(revision);
  });

  it("maps a pod to the Services of its namespace that select it", async () => {
    const { cluster } = await aCluster([
      aService("web"),
      aService("all-web", { selector: { app: "web" } }),
      aService("db", { selector: { app: "db" } }),
      aService("manual", { selector: {} }),
      aService("web-canary", { selector: { app: "web", track: "canary" } }),
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } },
      { ...aService("elsewhere"), metadata: { name: "elsewhere", namespace: "other" } },
    ]);
    const keys = [...servicesSelecting(cluster.informer("Service"))(aPod("web-a") as JsonObject)].sort();
    expect(keys).toEqual(["default/all-web", "default/web"]);
  });
});
