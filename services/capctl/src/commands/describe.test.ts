import { afterEach, describe as suite, expect, it, vi } from "vitest";
import { toApiObject, type ApiObject, type ListRequest } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import { describe } from "./describe.js";

suite("describe deployment", () => {
  afterEach(() => vi.restoreAllMocks());

  const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } };
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", uid: "d-1", creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } } },
    status: { replicas: 4, updatedReplicas: 1, availableReplicas: 3, unavailableReplicas: 1, conditions: [{ type: "Progressing", status: "True", reason: "ReplicaSetUpdated" }] },
  };
  const replicaSet = (name: string, image: string, replicas: number, owner = "d-1") => ({
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default", ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: owner, controller: true }] },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web", "pod-template-hash": name.slice(4) } }, spec: { containers: [{ name: "web", image }] } },
    },
    status: { replicas },
  });
  const lists: Record<string, object[]> = {
    ReplicaSet: [replicaSet("web-new", "nginx:1.27", 1), replicaSet("web-old", "nginx:1.26", 3), replicaSet("web-other", "nginx:1.27", 1, "d-2")],
    Event: [],
  };
  const client = {
    get: async () => toApiObject(deployment),
    list: async (req: ListRequest) => ({ items: (lists[req.kind] ?? []).map((o) => toApiObject(o)) as ApiObject[], resourceVersion: "9" }),
    history: async () => ({ events: [{ revision: 7, traceId: "0af7651916cd43dd8448eb211c80319c" }, { revision: 8, traceId: "4bf92f3577b34da6a3ce929d0e0e4736" }], resourceVersion: "9" }),
  } as unknown as CapstanClient;

  it("shows replicas, strategy, template, conditions and the ReplicaSets it controls", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await describe(client, ["deployment", "web"], "default");
    const text = String(log.mock.calls[0]?.[0]);
    expect(text).toContain("Replicas:         3 desired | 1 updated | 4 total | 3 available | 1 unavailable");
    expect(text).toContain("RollingUpdateStrategy: 25% max unavailable, 1 max surge");
    expect(text).toContain("    Image:        nginx:1.27");
    expect(text).toContain("  Progressing   True     ReplicaSetUpdated");
    expect(text).toContain("OldReplicaSets:   web-old (3/3 replicas created)");
    expect(text).toContain("NewReplicaSet:    web-new (1/1 replicas created)");
    expect(text).not.toContain("web-other");
    expect(text).toContain("Trace ID:         4bf92f3577b34da6a3ce929d0e0e4736\nEvents:            <none>");
  });
});

suite("describe service", () => {
  afterEach(() => vi.restoreAllMocks());

  const svc = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default", uid: "s-1", creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: {
      type: "NodePort",
      selector: { app: "web" },
      clusterIP: "10.96.0.2",
      clusterIPs: ["10.96.0.2"],
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      ports: [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080, nodePort: 30080 }],
      sessionAffinity: "None",
      externalTrafficPolicy: "Cluster",
    },
  };
  const endpoints = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "web", namespace: "default" },
    subsets: [{ addresses: [{ ip: "127.0.1.5" }, { ip: "127.0.1.6" }], ports: [{ name: "http", port: 8080, protocol: "TCP" }] }],
  };
  const client = {
    get: async (req: { kind: string }) => toApiObject(req.kind === "Service" ? svc : endpoints),
    list: async () => ({ items: [], resourceVersion: "9" }),
    history: async () => ({ events: [], resourceVersion: "9" }),
  } as unknown as CapstanClient;

  it("shows the addresses, each port with its target and node port, and the endpoints", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await describe(client, ["svc", "web"], "default");
    const text = String(log.mock.calls[0]?.[0]);
    expect(text).toContain("Selector:         app=web");
    expect(text).toContain("Type:             NodePort");
    expect(text).toContain("IP:               10.96.0.2");
    expect(text).toContain("Port:             http  80/TCP");
    expect(text).toContain("TargetPort:       8080/TCP");
    expect(text).toContain("NodePort:         http  30080/TCP");
    expect(text).toContain("Endpoints:        127.0.1.5:8080,127.0.1.6:8080");
    expect(text).toContain("Session Affinity: None");
    expect(text).toContain("Events:            <none>");
  });
});

suite("describe without a kind's own describer", () => {
  afterEach(() => vi.restoreAllMocks());

  const node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1", uid: "n-1", labels: { zone: "a" }, creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: { unschedulable: true },
  };
  const event = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "web.1", namespace: "default", uid: "e-1", creationTimestamp: "2026-01-01T00:00:00Z" },
    involvedObject: { kind: "Node", name: "node-1", uid: "n-1" },
    reason: "NodeNotSchedulable",
    message: "Node node-1 status is now: NodeNotSchedulable",
    type: "Normal",
    source: { component: "node-controller" },
    lastTimestamp: "2026-01-01T00:00:05Z",
  };
  const client = {
    get: async (req: { kind: string }) => toApiObject(req.kind === "Node" ? node : event),
    list: async (req: ListRequest) => ({ items: req.kind === "Event" && req.fieldSelector === "involvedObject.uid=n-1" ? [toApiObject(event)] : [], resourceVersion: "9" }),
    history: async () => ({ events: [{ revision: 3, traceId: "" }], resourceVersion: "9" }),
  } as unknown as CapstanClient;

  it("dumps metadata and the rest, then the events about the object", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await describe(client, ["node", "node-1"], "default");
    const lines = String(log.mock.calls[0]?.[0]).split("\n");
    expect(lines.slice(0, 6)).toEqual(["Name:             node-1", "Labels:           zone=a", "Annotations:      <none>", "CreationTimestamp: 2026-01-01T00:00:00Z", "spec:", "  unschedulable: true"]);
    expect(lines[6]).toBe("Trace ID:         <none>");
    expect(lines[7]).toBe("Events:");
    expect(lines[10]).toMatch(/^ {2}Normal {3}NodeNotSchedulable {3}\S+ +node-controller {3}Node node-1 status is now: NodeNotSchedulable$/);
  });

  it("describes an event without a list of events about it", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await describe(client, ["event", "web.1"], "default");
    const text = String(log.mock.calls[0]?.[0]);
    expect(text).toContain("Namespace:        default");
    expect(text).toContain("reason: NodeNotSchedulable");
    expect(text).not.toContain("Events:");
  });
});
