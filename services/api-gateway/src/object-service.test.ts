import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeManifest, fromApiObject, toApiObject, type ApiObject } from "@capstan/api";
import { kubernetesExamples } from "@capstan/api/testing";
import { isCapstanError, type InvalidError } from "@capstan/apimachinery";
import type { JetStreamBus } from "@capstan/bus";
import { openEventStore, type EventStore } from "@capstan/eventstore";
import { ObjectService, type CallContext } from "./object-service.js";

type Json = Record<string, any>;

const ctx: CallContext = { actor: "test" };

/** The verbs below never reach the bus; only Watch subscribes to it. */
const noBus = {
  subscribe: () => {
    throw new Error("this test does not watch");
  },
} as unknown as JetStreamBus;

function manifest(name: string): Json {
  const example = kubernetesExamples.find((e) => e.name === name);
  if (!example) throw new Error(`no example ${name}`);
  return structuredClone(example.manifest);
}

function json(obj: ApiObject): Json {
  return fromApiObject(obj).json;
}

async function invalidErrors(write: Promise<unknown>): Promise<{ path: string; message: string }[]> {
  try {
    await write;
  } catch (e) {
    if (isCapstanError(e, "Invalid")) return [...(e as InvalidError).fieldErrors];
    throw e;
  }
  throw new Error("expected the write to be rejected as Invalid");
}

describe("ObjectService with the workload kinds (on an in-memory event store)", () => {
  let store: EventStore;
  let service: ObjectService;

  beforeAll(async () => {
    store = await openEventStore({});
    service = new ObjectService(store, noBus, () => {}, { now: () => new Date("2026-03-01T12:00:00.000Z") });
    await service.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }), ctx);
  }, 30_000);

  afterAll(async () => {
    await store?.close();
  });

  it("creates the example Deployment defaulted, at generation 1, without the status it was sent", async () => {
    const sent = { ...manifest("deployment.yaml"), status: { replicas: 7 } };
    const created = json(await service.create(decodeManifest(sent).apiObject, ctx));

    expect(created).toMatchObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "my-deployment", namespace: "default", generation: 1 },
      spec: {
        replicas: 3,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        template: { spec: { restartPolicy: "Always", dnsPolicy: "ClusterFirst", terminationGracePeriodSeconds: 30 } },
      },
    });
    expect(created).not.toHaveProperty("status");
    expect(json(await service.get({ kind: "Deployment", namespace: "default", name: "my-deployment" }))).toEqual(created);
  });

  it("increments generation on a spec change only, and writes status only through UpdateStatus", async () => {
    const key = { kind: "Deployment", namespace: "default", name: "my-deployment" };
    const current = json(await service.get(key));

    const relabelled = json(await service.update(toApiObject({ ...current, metadata: { ...current["metadata"], labels: { team: "a" } } }), ctx));
    expect(relabelled["metadata"]["generation"]).toBe(1);

    const scaled = json(await service.update(toApiObject({ ...relabelled, spec: { ...relabelled["spec"], replicas: 5 }, status: { replicas: 5 } }), ctx));
    expect(scaled["metadata"]["generation"]).toBe(2);
    expect(scaled).not.toHaveProperty("status");

    const status = { observedGeneration: 2, replicas: 5, updatedReplicas: 5, readyReplicas: 4, availableReplicas: 4, unavailableReplicas: 1 };
    const reported = json(await service.updateStatus(toApiObject({ ...scaled, status }), ctx));
    expect(reported["status"]).toEqual(status);
    expect(reported["metadata"]["generation"]).toBe(2);

    expect(await invalidErrors(service.updateStatus(toApiObject({ ...reported, status: { replicas: 1, readyReplicas: 2, availableReplicas: 2 } }), ctx))).toEqual([
      { path: "status.readyReplicas", message: "Invalid value 2: cannot be greater than status.replicas" },
      { path: "status.availableReplicas", message: "Invalid value 2: cannot be greater than status.replicas" },
    ]);
  });

  it("rejects a Deployment whose selector does not match its template, with the field path", async () => {
    const d = manifest("deployment.yaml");
    d["metadata"]["name"] = "mismatched";
    d["spec"]["selector"] = { matchLabels: { app: "other" } };
    expect(await invalidErrors(service.create(toApiObject(d), ctx))).toEqual([
      { path: "spec.template.metadata.labels", message: 'Invalid value {"app":"my-app"}: `selector` does not match template `labels`' },
    ]);
  });

  it("rejects a change of a Deployment's selector", async () => {
    const current = json(await service.get({ kind: "Deployment", namespace: "default", name: "my-deployment" }));
    const labels = { app: "my-app", track: "stable" };
    const moved = { ...current, spec: { ...current["spec"], selector: { matchLabels: labels }, template: { ...current["spec"]["template"], metadata: { labels } } } };
    expect(await invalidErrors(service.update(toApiObject(moved), ctx))).toEqual([
      { path: "spec.selector", message: 'Invalid value {"matchLabels":{"app":"my-app","track":"stable"}}: field is immutable' },
    ]);
  });

  it("lists ReplicaSets and ReplicationControllers by label and by the field selectors their registry entries allow", async () => {
    const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: "c", image: "busybox" }] } });
    for (const app of ["web", "api"]) {
      await service.create(
        toApiObject({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: `${app}-1`, labels: { app } }, spec: { selector: { matchLabels: { app } }, template: template(app) } }),
        ctx,
      );
    }
    await service.create(toApiObject({ apiVersion: "v1", kind: "ReplicationController", metadata: { name: "legacy" }, spec: { template: template("legacy") } }), ctx);

    const names = async (kind: string, labelSelector: string, fieldSelector: string) =>
      (await service.list({ kind, namespace: "default", labelSelector, fieldSelector })).items.map((o) => json(o)["metadata"]["name"]);

    expect(await names("ReplicaSet", "", "")).toEqual(["api-1", "web-1"]);
    expect(await names("ReplicaSet", "app=web", "")).toEqual(["web-1"]);
    expect(await names("ReplicaSet", "", "metadata.name=api-1")).toEqual(["api-1"]);
    expect(await names("ReplicaSet", "", "status.replicas=0")).toEqual(["api-1", "web-1"]);
    // A ReplicationController's labels and selector come from its template.
    expect(await names("ReplicationController", "app=legacy", "")).toEqual(["legacy"]);
    await expect(service.list({ kind: "Deployment", namespace: "default", labelSelector: "", fieldSelector: "spec.nodeName=n1" })).rejects.toThrow(
      /field label not supported; supported field labels: "metadata.name", "metadata.namespace"/,
    );
  });

  it("deletes a Deployment at once", async () => {
    const { deleted } = await service.delete({ kind: "Deployment", namespace: "default", name: "my-deployment", gracePeriodSeconds: undefined, preconditions: undefined, propagationPolicy: "" }, ctx);
    expect(deleted).toBe(true);
    await expect(service.get({ kind: "Deployment", namespace: "default", name: "my-deployment" })).rejects.toThrow(/not found/);
  });
});

describe("ObjectService deletion: finalizers, propagation and namespaces (on an in-memory event store)", () => {
  let store: EventStore;
  let service: ObjectService;

  const namespace = (name: string) => toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  const configPod = (namespace: string, name: string) =>
    toApiObject({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace }, spec: { containers: [{ name: "c", image: "busybox:1" }] } });
  const lastEvent = async () => {
    const head = await store.headRevision();
    return (await store.readEvents(head - 1, 1))[0];
  };

  beforeAll(async () => {
    store = await openEventStore({});
    service = new ObjectService(store, noBus, () => {}, { now: () => new Date("2026-03-01T12:00:00.000Z") });
    await service.create(namespace("default"), ctx);
  }, 30_000);

  afterAll(async () => {
    await store?.close();
  });

  it("takes a namespace through Active, Terminating and gone, its last event DELETED", async () => {
    expect(json(await service.create(namespace("team-a"), ctx))).toMatchObject({ spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
    await service.create(configPod("team-a", "web"), ctx);

    const { object, deleted } = await service.delete({ kind: "Namespace", namespace: "", name: "team-a", propagationPolicy: "" }, ctx);
    expect(deleted).toBe(false);
    expect(json(object)).toMatchObject({ metadata: { deletionTimestamp: "2026-03-01T12:00:00.000Z" }, status: { phase: "Terminating" } });
    await expect(service.create(configPod("team-a", "late"), ctx)).rejects.toThrow(/because it is being terminated/);

    // An apply without spec.finalizers leaves them: only Finalize removes them.
    const relabelled = json(await service.update(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a", labels: { team: "a" } } }), ctx));
    expect(relabelled).toMatchObject({ spec: { finalizers: ["kubernetes"] }, status: { phase: "Terminating" } });

    await service.finalize(toApiObject({ ...relabelled, spec: { finalizers: [] } }), ctx);
    await expect(service.get({ kind: "Namespace", namespace: "", name: "team-a" })).rejects.toThrow(/not found/);
    expect(await lastEvent()).toMatchObject({ type: "DELETED", kind: "Namespace", name: "team-a" });
  });

  it("refuses to delete a system namespace", async () => {
    await expect(service.delete({ kind: "Namespace", namespace: "", name: "default", propagationPolicy: "" }, ctx)).rejects.toThrow(
      'namespaces "default" is forbidden: this namespace may not be deleted',
    );
  });

  it("finalizes namespaces only", async () => {
    const pod = await service.create(configPod("default", "finalized"), ctx);
    expect(await invalidErrors(service.finalize(pod, ctx))).toEqual([{ path: "kind", message: 'Unsupported value "Pod": only namespaces are finalized' }]);
  });

  it("marks an object deleted in the foreground, writes nothing for a repeated delete, and removes it with its last finalizer", async () => {
    await service.create(configPod("default", "owner"), ctx);
    const marked = await service.delete({ kind: "Pod", namespace: "default", name: "owner", propagationPolicy: "Foreground" }, ctx);
    expect(json(marked.object)["metadata"]).toMatchObject({ finalizers: ["foregroundDeletion"], deletionGracePeriodSeconds: 0 });
    const head = await store.headRevision();

    const again = await service.delete({ kind: "Pod", namespace: "default", name: "owner", propagationPolicy: "" }, ctx);

    expect(again.deleted).toBe(false);
    expect(await store.headRevision()).toBe(head);
    await service.update(toApiObject({ ...json(again.object), metadata: { ...json(again.object)["metadata"], finalizers: [] } }), ctx);
    expect(await lastEvent()).toMatchObject({ type: "DELETED", kind: "Pod", name: "owner" });
  });

  it("rejects an unknown propagation policy", async () => {
    await service.create(configPod("default", "kept"), ctx);
    expect(await invalidErrors(service.delete({ kind: "Pod", namespace: "default", name: "kept", propagationPolicy: "Sideways" }, ctx))).toEqual([
      { path: "propagationPolicy", message: 'Unsupported value: "Sideways": supported values: "Orphan", "Background", "Foreground"' },
    ]);
  });
});

describe("ObjectService with Services (on an in-memory event store)", () => {
  let store: EventStore;
  let service: ObjectService;

  beforeAll(async () => {
    store = await openEventStore({});
    service = new ObjectService(store, noBus, () => {}, {
      serviceAllocation: { serviceCIDR: "10.96.0.0/24", nodePortRange: "30000-30100" },
      now: () => new Date("2026-03-01T12:00:00.000Z"),
    });
    await service.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }), ctx);
  }, 30_000);

  afterAll(async () => {
    await store?.close();
  });

  const svcKey = (name: string) => ({ kind: "Service", namespace: "default", name });
  const aService = (name: string, spec: Json = {}) =>
    decodeManifest({ ...manifest("service.yaml"), metadata: { name }, spec: { ...manifest("service.yaml")["spec"], ...spec } }).apiObject;
  const remove = (name: string) => service.delete({ kind: "Service", namespace: "default", name, propagationPolicy: "" }, ctx);

  it("creates the example service with a cluster IP, keeps it across an update, and frees it on delete for the next service", async () => {
    const created = json(await service.create(decodeManifest(manifest("service.yaml")).apiObject, ctx));
    expect(created["spec"]).toMatchObject({ type: "ClusterIP", clusterIP: "10.96.0.2", clusterIPs: ["10.96.0.2"], sessionAffinity: "None", ports: [{ protocol: "TCP", port: 80, targetPort: 8080 }] });

    // An apply of the manifest again (no clusterIP) keeps the address and the generation.
    const updated = json(await service.update(decodeManifest({ ...manifest("service.yaml"), metadata: { name: "my-service", labels: { a: "b" } } }).apiObject, ctx));
    expect(updated["spec"]["clusterIP"]).toBe("10.96.0.2");
    expect(updated["metadata"]["generation"]).toBe(1);
    expect(await invalidErrors(service.update(toApiObject({ ...updated, spec: { ...updated["spec"], clusterIP: "10.96.0.9", clusterIPs: ["10.96.0.9"] } }), ctx))).toEqual([
      { path: "spec.clusterIP", message: 'Invalid value "10.96.0.9": field is immutable' },
    ]);

    expect(await invalidErrors(service.create(aService("other", { clusterIP: "10.96.0.2" }), ctx))).toEqual([
      { path: "spec.clusterIP", message: 'Invalid value "10.96.0.2": provided IP is already allocated' },
    ]);
    expect((await remove("my-service")).deleted).toBe(true);
    const reused = json(await service.create(aService("other", { clusterIP: "10.96.0.2" }), ctx));
    expect(reused["spec"]["clusterIP"]).toBe("10.96.0.2");
    await remove("other");
  });

  it("gives one of two creates in the same batch a requested IP and node port, and refuses the other", async () => {
    const ask = (name: string) => aService(name, { type: "NodePort", clusterIP: "10.96.0.10", ports: [{ protocol: "TCP", port: 80, targetPort: 8080, nodePort: 30080 }] });
    const head = await store.headRevision();
    const [first, second] = await Promise.allSettled([service.create(ask("first"), ctx), service.create(ask("second"), ctx)]);

    expect(first.status).toBe("fulfilled");
    expect(second.status === "rejected" && String(second.reason)).toContain('spec.clusterIP: Invalid value "10.96.0.10": provided IP is already allocated');
    // The Service and its two allocation records commit together: three events.
    expect(await store.headRevision()).toBe(head + 3);

    const onlyPort = aService("third", { type: "NodePort", ports: [{ protocol: "TCP", port: 80, targetPort: 8080, nodePort: 30080 }] });
    expect(await invalidErrors(service.create(onlyPort, ctx))).toEqual([{ path: "spec.ports[0].nodePort", message: "Invalid value 30080: provided port is already allocated" }]);
    await remove("first");
    expect(json(await service.create(onlyPort, ctx))["spec"]["ports"][0]["nodePort"]).toBe(30080);
    await remove("third");
  });

  it("allocates node ports for a LoadBalancer and reports the node address as its ingress", async () => {
    const lb = json(await service.create(aService("lb", { type: "LoadBalancer" }), ctx));
    expect(lb).toMatchObject({ spec: { type: "LoadBalancer", externalTrafficPolicy: "Cluster", ports: [{ nodePort: 30000 }] }, status: { loadBalancer: { ingress: [{ ip: "127.0.0.1" }] } } });
    expect(json(await service.get(svcKey("lb")))).toEqual(lb);
    await remove("lb");
  });

  it("serves Endpoints and EndpointSlices as written, defaulted", async () => {
    const ep = await service.create(
      toApiObject({ apiVersion: "v1", kind: "Endpoints", metadata: { name: "web" }, subsets: [{ addresses: [{ ip: "127.0.1.5" }], ports: [{ port: 8080 }] }] }),
      ctx,
    );
    expect(json(ep)).toMatchObject({ subsets: [{ ports: [{ port: 8080, protocol: "TCP" }] }] });
    const slice = {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "web-abc", labels: { "kubernetes.io/service-name": "web" } },
      addressType: "IPv4",
      endpoints: [{ addresses: ["127.0.1.5"], conditions: { ready: true } }],
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    };
    await service.create(decodeManifest(slice).apiObject, ctx);
    const listed = await service.list({ kind: "EndpointSlice", namespace: "default", labelSelector: "kubernetes.io/service-name=web", fieldSelector: "" });
    expect(listed.items.map((o) => json(o)["metadata"]["name"])).toEqual(["web-abc"]);
  });
});

describe("ObjectService BindBatch (on an in-memory event store)", () => {
  let store: EventStore;
  let service: ObjectService;
  const pod = (name: string) => toApiObject({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { containers: [{ name: "c", image: "nginx" }] } });

  beforeAll(async () => {
    store = await openEventStore({});
    service = new ObjectService(store, noBus, () => {}, { now: () => new Date("2026-03-01T12:00:00.000Z") });
    await service.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }), ctx);
    await service.create(toApiObject({ apiVersion: "v1", kind: "Node", metadata: { name: "n1" } }), ctx);
  }, 30_000);

  afterAll(async () => {
    await store?.close();
  });

  it("decides each binding on its own, as Bind would, and answers in order", async () => {
    for (const name of ["a", "b", "c", "d"]) await service.create(pod(name), ctx);
    await service.bind("default", "d", "n1", undefined, ctx);
    const results = await service.bindBatch(
      [
        { namespace: "default", name: "a", nodeName: "n1", uid: undefined, ctx },
        { namespace: "default", name: "b", nodeName: "missing", uid: undefined, ctx },
        { namespace: "default", name: "c", nodeName: "n1", uid: "not-its-uid", ctx },
        { namespace: "default", name: "d", nodeName: "n1", uid: undefined, ctx },
        { namespace: "default", name: "gone", nodeName: "n1", uid: undefined, ctx },
      ],
    );
    const outcome = (r: PromiseSettledResult<ApiObject>) =>
      r.status === "fulfilled" ? `bound to ${String(json(r.value)["spec"]["nodeName"])}` : isCapstanError(r.reason) ? r.reason.code : "not a Capstan error";
    expect(results.map(outcome)).toEqual(["bound to n1", "NotFound", "Conflict", "Conflict", "NotFound"]);
    expect(json(await service.get({ kind: "Pod", namespace: "default", name: "c" }))["spec"]["nodeName"]).toBeUndefined();
  });
});

describe("ObjectService.changedSince (a list continued or read Exact at an older revision)", () => {
  let store: EventStore;
  let service: ObjectService;

  beforeAll(async () => {
    store = await openEventStore({});
    service = new ObjectService(store, noBus, () => {}, {});
    for (const name of ["default", "other"]) await service.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name } }), ctx);
  }, 30_000);

  afterAll(async () => {
    await store?.close();
  });

  const configMap = (namespace: string, name: string) => toApiObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data: { a: "1" } });

  it("is false until an object of the kind in the namespace changes, whatever else changes", async () => {
    await service.create(configMap("default", "a"), ctx);
    const at = await store.headRevision();
    await service.create(configMap("other", "b"), ctx);
    await service.create(toApiObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "default" } }), ctx);
    let head = await store.headRevision();
    expect(await service.changedSince("ConfigMap", "default", at, head)).toBe(false);
    expect(await service.changedSince("ConfigMap", "", at, head)).toBe(true);

    await service.delete({ kind: "ConfigMap", namespace: "default", name: "a", propagationPolicy: "" }, ctx);
    head = await store.headRevision();
    expect(await service.changedSince("ConfigMap", "default", at, head)).toBe(true);
    // Only the window counts: a change after `head` is not one.
    expect(await service.changedSince("ConfigMap", "default", at, head - 1)).toBe(false);
  });
});
