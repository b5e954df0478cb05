import { InvalidError, isCapstanError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { Pod } from "./gen/capstan/v1/core.js";
import { toApiObject } from "./manifest.js";
import {
  fromApiObject,
  kindInfo,
  objectKey,
  objectKind,
  objectMeta,
  resolveResourceName,
  selectableFieldValue,
  supportedKinds,
  unwrapObject,
  wrapObject,
} from "./kinds.js";

describe("kindInfo", () => {
  it.each([
    { name: "Namespace", apiVersion: "v1", namespaced: false, plural: "namespaces", singular: "namespace", short: ["ns"], field: "namespace", proto: ".capstan.v1.Namespace" },
    { name: "Pod", apiVersion: "v1", namespaced: true, plural: "pods", singular: "pod", short: ["po"], field: "pod", proto: ".capstan.v1.Pod" },
    { name: "Node", apiVersion: "v1", namespaced: false, plural: "nodes", singular: "node", short: ["no"], field: "node", proto: ".capstan.v1.Node" },
    { name: "Event", apiVersion: "v1", namespaced: true, plural: "events", singular: "event", short: ["ev"], field: "event", proto: ".capstan.v1.Event" },
    { name: "PriorityClass", apiVersion: "scheduling.k8s.io/v1", namespaced: false, plural: "priorityclasses", singular: "priorityclass", short: ["pc"], field: "priorityClass", proto: ".capstan.v1.PriorityClass" },
    { name: "PersistentVolume", apiVersion: "v1", namespaced: false, plural: "persistentvolumes", singular: "persistentvolume", short: ["pv"], field: "persistentVolume", proto: ".capstan.v1.PersistentVolume" },
    { name: "PersistentVolumeClaim", apiVersion: "v1", namespaced: true, plural: "persistentvolumeclaims", singular: "persistentvolumeclaim", short: ["pvc"], field: "persistentVolumeClaim", proto: ".capstan.v1.PersistentVolumeClaim" },
    { name: "StorageClass", apiVersion: "storage.k8s.io/v1", namespaced: false, plural: "storageclasses", singular: "storageclass", short: ["sc"], field: "storageClass", proto: ".capstan.v1.StorageClass" },
    {
      name: "ReplicaSet",
      apiVersion: "apps/v1",
      namespaced: true,
      plural: "replicasets",
      singular: "replicaset",
      short: ["rs"],
      field: "replicaSet",
      proto: ".capstan.v1.ReplicaSet",
    },
    {
      name: "Deployment",
      apiVersion: "apps/v1",
      namespaced: true,
      plural: "deployments",
      singular: "deployment",
      short: ["deploy"],
      field: "deployment",
      proto: ".capstan.v1.Deployment",
    },
    {
      name: "ReplicationController",
      apiVersion: "v1",
      namespaced: true,
      plural: "replicationcontrollers",
      singular: "replicationcontroller",
      short: ["rc"],
      field: "replicationController",
      proto: ".capstan.v1.ReplicationController",
    },
  ])("$name", ({ name, apiVersion, namespaced, plural, singular, short, field, proto }) => {
    const info = kindInfo(name);
    expect(info).toMatchObject({ kind: name, apiVersion, namespaced, plural, singular, shortNames: short, objectField: field, protoTypeName: proto });
    expect(info.group).toBe(apiVersion.includes("/") ? apiVersion.split("/")[0] : "");
    expect(typeof info.messageFns.fromJSON).toBe("function");
  });

  it("lists the kinds in the order they matter", () => {
    expect(supportedKinds().map((k) => k.kind)).toEqual(["Namespace", "Pod", "Node", "ReplicaSet", "Deployment", "ReplicationController", "Service", "Endpoints", "EndpointSlice", "ConfigMap", "Secret", "Event", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Job", "CronJob", "StorageClass", "ControllerRevision", "StatefulSet", "DaemonSet", "ResourceQuota", "LimitRange", "PodDisruptionBudget"]);
  });

  it("rejects an unknown kind with the supported ones", () => {
    expect(() => kindInfo("Foo")).toThrow(InvalidError);
    try {
      kindInfo("Foo");
    } catch (e) {
      expect((e as InvalidError).fieldErrors).toEqual([
        { path: "kind", message: `Unsupported value "Foo": supported kinds are ${supportedKinds().map((k) => `"${k.kind}"`).join(", ")}` },
      ]);
    }
  });
});

describe("resolveResourceName", () => {
  it.each([
    { name: "plural", input: "pods", want: "Pod" },
    { name: "short name", input: "po", want: "Pod" },
    { name: "kind", input: "Pod", want: "Pod" },
    { name: "singular", input: "pod", want: "Pod" },
    { name: "upper-case plural", input: "PODS", want: "Pod" },
    { name: "nodes short", input: "no", want: "Node" },
    { name: "namespaces short", input: "ns", want: "Namespace" },
    { name: "events short", input: "ev", want: "Event" },
    { name: "namespace plural", input: "namespaces", want: "Namespace" },
    { name: "deployments", input: "deployments", want: "Deployment" },
    { name: "deploy", input: "deploy", want: "Deployment" },
    { name: "rs", input: "rs", want: "ReplicaSet" },
    { name: "replicaset", input: "replicaset", want: "ReplicaSet" },
    { name: "rc", input: "rc", want: "ReplicationController" },
    { name: "ReplicationController kind", input: "ReplicationController", want: "ReplicationController" },
  ])("$name: $input", ({ input, want }) => {
    expect(resolveResourceName(input)).toBe(want);
  });

  it("names the supported resource types for an unknown one", () => {
    try {
      resolveResourceName("widgets");
      expect.unreachable();
    } catch (e) {
      expect(isCapstanError(e, "Invalid")).toBe(true);
      expect((e as InvalidError).fieldErrors[0]?.message).toBe(
        `Unsupported value "widgets": supported resource types are ${supportedKinds().map((k) => `"${k.plural}"`).join(", ")}`,
      );
    }
  });
});

describe("the gateway envelope", () => {
  const podJson = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "prod", labels: { app: "web" } },
    spec: { nodeName: "n1", containers: [{ name: "app", image: "nginx" }] },
    status: { phase: "Running" },
  };

  it.each([
    { name: "Pod", json: podJson, field: "pod" },
    { name: "Namespace", json: { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } }, field: "namespace" },
    { name: "Node", json: { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: { unschedulable: true } }, field: "node" },
    {
      name: "Event",
      json: { apiVersion: "v1", kind: "Event", metadata: { name: "e1", namespace: "prod" }, reason: "Scheduled", count: 1 },
      field: "event",
    },
    {
      name: "Deployment",
      json: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "prod" },
        spec: {
          replicas: 0,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: {
              containers: [
                {
                  name: "app",
                  image: "nginx",
                  livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
                  readinessProbe: { tcpSocket: { port: "http" } },
                },
              ],
            },
          },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "50%" } },
          revisionHistoryLimit: 0,
        },
        status: { observedGeneration: 2, replicas: 1, conditions: [{ type: "Available", status: "True" }] },
      },
      field: "deployment",
    },
    {
      name: "ReplicaSet",
      json: {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: { name: "web-5d4f", namespace: "prod" },
        spec: { replicas: 2, selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] }, template: { metadata: { labels: { app: "web" } } } },
        status: { replicas: 2, readyReplicas: 1 },
      },
      field: "replicaSet",
    },
    {
      name: "ReplicationController",
      json: { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web" }, spec: { replicas: 1, selector: { app: "web" } } },
      field: "replicationController",
    },
  ])("round-trips a $name", ({ name, json, field }) => {
    const obj = toApiObject(json);
    expect(Object.keys(obj).filter((k) => obj[k as keyof typeof obj] !== undefined)).toEqual([field]);
    expect(objectKind(obj)).toBe(name);
    expect(fromApiObject(obj)).toEqual({ kind: name, json });
  });

  it("fills in apiVersion and kind, first", () => {
    const obj = wrapObject("Pod", Pod.fromPartial({ metadata: { name: "web" } }));
    const { json } = fromApiObject(obj);
    expect(json).toEqual({ apiVersion: "v1", kind: "Pod", metadata: { name: "web" } });
    expect(Object.keys(json).slice(0, 2)).toEqual(["apiVersion", "kind"]);
  });

  it("reads metadata, key and selectable fields", () => {
    const obj = toApiObject(podJson);
    expect(objectMeta(obj).labels).toEqual({ app: "web" });
    expect(objectKey(obj)).toEqual({ kind: "Pod", namespace: "prod", name: "web" });
    expect(selectableFieldValue(obj, "spec.nodeName")).toBe("n1");
    expect(selectableFieldValue(obj, "status.phase")).toBe("Running");
    expect(selectableFieldValue(obj, "status.podIP")).toBe("");
    expect(selectableFieldValue(obj, "spec.hostname")).toBeUndefined();
    expect(selectableFieldValue(toApiObject({ kind: "Node", spec: { unschedulable: true } }), "spec.unschedulable")).toBe("true");
  });

  it("holds IntOrString integers as decimal strings and writes them back as numbers", () => {
    const obj = toApiObject({
      kind: "Deployment",
      spec: { strategy: { rollingUpdate: { maxUnavailable: 2, maxSurge: "25%" } } },
    });
    expect(obj.deployment?.spec?.strategy?.rollingUpdate).toEqual({ maxUnavailable: "2", maxSurge: "25%" });
    expect(fromApiObject(obj).json).toMatchObject({ spec: { strategy: { rollingUpdate: { maxUnavailable: 2, maxSurge: "25%" } } } });
  });

  it("selects ReplicaSets by status.replicas, as Kubernetes does", () => {
    const rs = toApiObject({ kind: "ReplicaSet", metadata: { name: "a" }, status: { replicas: 3 } });
    expect(selectableFieldValue(rs, "status.replicas")).toBe("3");
    expect(selectableFieldValue(toApiObject({ kind: "ReplicaSet", metadata: { name: "a" } }), "status.replicas")).toBe("0");
    expect(kindInfo("Deployment").selectableFields).toEqual(["metadata.name", "metadata.namespace"]);
  });

  it("narrows the message by kind", () => {
    const unwrapped = unwrapObject(toApiObject(podJson));
    if (unwrapped.kind !== "Pod") throw new Error("expected a Pod");
    expect(unwrapped.message.spec?.containers[0]?.image).toBe("nginx");
  });

  it.each([
    { name: "empty envelope", obj: {}, message: `Required value: one of ${supportedKinds().map((k) => k.objectField).join(", ")} must be set` },
    { name: "two kinds", obj: { pod: Pod.create(), node: undefined, namespace: {} as never }, message: `Forbidden: only one of ${supportedKinds().map((k) => k.objectField).join(", ")} may be set` },
  ])("rejects an $name", ({ obj, message }) => {
    try {
      objectKind(obj);
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidError).fieldErrors).toEqual([{ path: "object", message }]);
    }
  });

  it.each([
    { name: "no kind", json: { metadata: { name: "x" } }, message: "Required value" },
    { name: "unknown kind", json: { kind: "Widget" }, message: expect.stringContaining('Unsupported value "Widget"') },
  ])("toApiObject rejects $name", ({ json, message }) => {
    try {
      toApiObject(json);
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidError).fieldErrors).toEqual([{ path: "kind", message }]);
    }
  });

  it("toApiObject refuses a field it does not know instead of dropping it (protobuf spelling included), and takes undefined as absent", () => {
    const pod = (status: Record<string, unknown>) => ({ kind: "Pod", metadata: { name: "a" }, spec: { containers: [] }, status });
    expect(() => toApiObject(pod({ containerStatuses: [{ name: "c", containerId: "process://1" }] }))).toThrow(/status\.containerStatuses\[0\]\.containerId/);
    const decoded = toApiObject(pod({ containerStatuses: [{ name: "c", containerID: "process://1" }], reason: undefined }));
    expect(decoded.pod!.status!.containerStatuses[0]!.containerId).toBe("process://1");
  });
});
