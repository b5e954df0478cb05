import { describe, expect, it } from "vitest";
import { isCapstanError, type DeletionPropagation, type ErrorCode, type ObjectKey } from "@capstan/apimachinery";
import type { Decision, JsonObject, ObjectRecord } from "@capstan/apimachinery";
import {
  changesNothing,
  decideBind,
  decideCreate,
  decideDelete,
  decideFinalize,
  decideUpdate,
  decideUpdateStatus,
  inActiveNamespace,
  namespaceKey,
} from "./object-decisions.js";
import { namespaceForCreate } from "./kinds/namespace/lifecycle.js";

const now = new Date("2026-03-01T12:00:00.000Z");
const created = "2026-01-01T00:00:00.000Z";
const uid = "7d3c1f5e-0000-4000-8000-000000000001";
const otherUid = "7d3c1f5e-0000-4000-8000-000000000002";
/** The revision every built record is at; its resourceVersion is this, as a string. */
const revision = 7;

const podKey: ObjectKey = { kind: "Pod", namespace: "default", name: "web" };
const configMapKey: ObjectKey = { kind: "ConfigMap", namespace: "default", name: "settings" };
const replicaSetKey: ObjectKey = { kind: "ReplicaSet", namespace: "default", name: "web" };

/** `seconds` after `now`, as the API writes timestamps. */
function after(seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}

interface MetaOptions {
  finalizers?: string[] | undefined;
  deletionTimestamp?: string | undefined;
  /** metadata.deletionGracePeriodSeconds */
  grace?: number | undefined;
  generation?: number | undefined;
  labels?: Record<string, string> | undefined;
}

function aMetadata(key: ObjectKey, o: MetaOptions): JsonObject {
  return {
    name: key.name,
    namespace: key.namespace,
    uid,
    resourceVersion: String(revision),
    creationTimestamp: created,
    generation: o.generation ?? 1,
    labels: o.labels ?? { app: "web" },
    ...(o.finalizers ? { finalizers: o.finalizers } : {}),
    ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp } : {}),
    ...(o.grace !== undefined ? { deletionGracePeriodSeconds: o.grace } : {}),
  };
}

interface PodOptions extends MetaOptions {
  nodeName?: string | undefined;
  phase?: string | undefined;
  conditions?: JsonObject[] | undefined;
  image?: string | undefined;
  tolerations?: JsonObject[] | undefined;
  activeDeadlineSeconds?: number | undefined;
  restartPolicy?: string | undefined;
  terminationGracePeriodSeconds?: number | undefined;
}

function aPod(o: PodOptions = {}): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: aMetadata(podKey, o),
    spec: {
      containers: [{ name: "web", image: o.image ?? "web:1" }],
      restartPolicy: o.restartPolicy ?? "Always",
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: o.activeDeadlineSeconds } : {}),
      ...(o.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: o.terminationGracePeriodSeconds } : {}),
    },
    status: { phase: o.phase ?? "Pending", ...(o.conditions ? { conditions: o.conditions } : {}) },
  };
}

function aRecord(key: ObjectKey, object: JsonObject, nodeName = ""): ObjectRecord {
  return { ...key, uid, nodeName, revision, object };
}

function keyOf(record: ObjectRecord): ObjectKey {
  return { kind: record.kind, namespace: record.namespace, name: record.name };
}

function aPodRecord(o: PodOptions = {}): ObjectRecord {
  return aRecord(podKey, aPod(o), o.nodeName ?? "");
}

function aConfigMap(o: MetaOptions = {}): JsonObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: aMetadata(configMapKey, o), data: { mode: "fast" } };
}

function aConfigMapRecord(o: MetaOptions = {}): ObjectRecord {
  return aRecord(configMapKey, aConfigMap(o));
}

function aReplicaSet(o: MetaOptions & { replicas?: number | undefined } = {}): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: aMetadata(replicaSetKey, o),
    spec: { replicas: o.replicas ?? 1, selector: { matchLabels: { app: "web" } } },
    status: { replicas: 1, readyReplicas: 1 },
  };
}

const namespaceKeyTeam = namespaceKey("team-a");

/** A namespace as the store holds one: created with the `kubernetes` spec finalizer unless told otherwise. */
function aNamespace(o: MetaOptions & { specFinalizers?: string[] | undefined; phase?: string | undefined } = {}): JsonObject {
  const { namespace: _cluster, ...metadata } = aMetadata(namespaceKeyTeam, o);
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata,
    spec: { finalizers: o.specFinalizers ?? ["kubernetes"] },
    status: { phase: o.phase ?? "Active" },
  };
}

const deploymentKey: ObjectKey = { kind: "Deployment", namespace: "default", name: "web" };

interface DeploymentOptions extends MetaOptions {
  replicas?: number | undefined;
  image?: string | undefined;
  selector?: JsonObject | undefined;
  strategy?: JsonObject | undefined;
  status?: JsonObject | undefined;
}

/** A defaulted Deployment, as the store holds one. */
function aDeployment(o: DeploymentOptions = {}): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: aMetadata(deploymentKey, o),
    spec: {
      replicas: o.replicas ?? 3,
      selector: o.selector ?? { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: o.image ?? "web:1" }], restartPolicy: "Always" } },
      strategy: o.strategy ?? { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: o.status ?? { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 },
  };
}

/** A copy of `object` with `changes` merged into its metadata, as a client would send it back. */
function withMetadata(object: JsonObject, changes: JsonObject): JsonObject {
  return { ...object, metadata: { ...metadataOf(object), ...changes } };
}

function withoutMetadata(object: JsonObject, ...fields: string[]): JsonObject {
  const metadata = { ...metadataOf(object) };
  for (const f of fields) delete metadata[f];
  return { ...object, metadata };
}

function metadataOf(object: JsonObject): JsonObject {
  return object["metadata"] as JsonObject;
}

/** `current`'s object, terminating from `deletionTimestamp` with `grace` seconds. */
function terminating(current: ObjectRecord, deletionTimestamp: string, grace: number): JsonObject {
  return withMetadata(current.object, { deletionTimestamp, deletionGracePeriodSeconds: grace });
}

function expectEvent(decision: Decision, type: string): JsonObject {
  if ("error" in decision) throw decision.error;
  expect(decision.type).toBe(type);
  return decision.object;
}

function expectError(decision: Decision, code: ErrorCode): Error {
  if (!("error" in decision)) return expect.fail(`wanted a ${code} error, got a ${decision.type} event`);
  expect(isCapstanError(decision.error, code), `${decision.error.name}: ${decision.error.message}`).toBe(true);
  return decision.error;
}

describe("decideCreate", () => {
  it("given no object, when created, then it is ADDED as requested", () => {
    const pod = aPod();
    expect(expectEvent(decideCreate(podKey, pod)(undefined), "ADDED")).toEqual(pod);
  });

  it("given an object of that name, when created, then AlreadyExists", () => {
    expectError(decideCreate(podKey, aPod())(aPodRecord()), "AlreadyExists");
  });
});

describe("inActiveNamespace", () => {
  const namespace = (o: MetaOptions = {}) => aRecord(namespaceKey("default"), { apiVersion: "v1", kind: "Namespace", metadata: aMetadata(namespaceKey("default"), o) });
  const createIn = (ns: ObjectRecord | undefined) => inActiveNamespace("default", decideCreate(podKey, aPod()))(undefined, () => ns);

  it("given an active namespace, when a pod is created in it, then it is ADDED", () => {
    expectEvent(createIn(namespace()), "ADDED");
  });

  it("given no such namespace, when a pod is created in it, then NotFound names the namespace", () => {
    expect(expectError(createIn(undefined), "NotFound").message).toContain("default");
  });

  it("given a terminating namespace, when a pod is created in it, then Forbidden", () => {
    expectError(createIn(namespace({ deletionTimestamp: created })), "Forbidden");
  });
});

describe("decideUpdate", () => {
  it.each([
    { name: "stale resourceVersion", resourceVersion: String(revision - 1), want: "Conflict" },
    { name: "resourceVersion from the future", resourceVersion: String(revision + 1), want: "Conflict" },
    { name: "current resourceVersion", resourceVersion: String(revision), want: "MODIFIED" },
    { name: "no resourceVersion", resourceVersion: undefined, want: "MODIFIED" },
  ])("given a pod at revision 7, when updated with $name, then $want", ({ resourceVersion, want }) => {
    const current = aPodRecord();
    const requested = withMetadata(withoutMetadata(current.object, "resourceVersion"), {
      labels: { app: "web", tier: "front" },
      ...(resourceVersion ? { resourceVersion } : {}),
    });
    const decision = decideUpdate(podKey, requested)(current);
    if (want === "Conflict") expectError(decision, "Conflict");
    else expect(metadataOf(expectEvent(decision, "MODIFIED"))["labels"]).toEqual({ app: "web", tier: "front" });
  });

  it("given a pod, when updated with another uid, then Conflict", () => {
    const current = aPodRecord();
    expectError(decideUpdate(podKey, withMetadata(current.object, { uid: otherUid }))(current), "Conflict");
  });

  it("given no object, when updated, then NotFound", () => {
    expectError(decideUpdate(podKey, aPod())(undefined), "NotFound");
  });

  it("given a terminating pod, when the update rewrites identity, status and deletion fields, then the current ones are kept", () => {
    const current = aPodRecord({ nodeName: "node-1", phase: "Running", deletionTimestamp: after(30), grace: 30, finalizers: ["example.com/keep"] });
    const requested = {
      ...withMetadata(withoutMetadata(current.object, "uid", "deletionTimestamp", "deletionGracePeriodSeconds"), {
        creationTimestamp: "1999-01-01T00:00:00.000Z",
        labels: { app: "web", tier: "front" },
      }),
      status: { phase: "Succeeded" },
    };

    const object = expectEvent(decideUpdate(podKey, requested)(current), "MODIFIED");

    expect(object).toEqual(withMetadata(withoutMetadata(current.object, "resourceVersion"), { labels: { app: "web", tier: "front" } }));
  });

  it("given a live object, when the update sets deletion fields, then they are dropped", () => {
    const current = aConfigMapRecord();
    const requested = withMetadata(current.object, { deletionTimestamp: after(0), deletionGracePeriodSeconds: 0 });
    const metadata = metadataOf(expectEvent(decideUpdate(configMapKey, requested)(current), "MODIFIED"));
    expect(metadata).not.toHaveProperty("deletionTimestamp");
    expect(metadata).not.toHaveProperty("deletionGracePeriodSeconds");
  });

  it.each([
    { name: "pod image changed", key: podKey, current: aPod({ generation: 3 }), requested: aPod({ generation: 3, image: "web:2" }), generation: 4 },
    { name: "pod labels changed", key: podKey, current: aPod({ generation: 3 }), requested: aPod({ generation: 3, labels: { app: "api" } }), generation: 3 },
    { name: "replica set scaled", key: replicaSetKey, current: aReplicaSet({ generation: 3 }), requested: aReplicaSet({ generation: 3, replicas: 5 }), generation: 4 },
    { name: "replica set relabelled", key: replicaSetKey, current: aReplicaSet({ generation: 3 }), requested: aReplicaSet({ generation: 3, labels: { app: "api" } }), generation: 3 },
    { name: "generation in the request ignored", key: replicaSetKey, current: aReplicaSet({ generation: 3 }), requested: aReplicaSet({ generation: 9 }), generation: 3 },
  ])("given generation 3, when $name, then generation is $generation", ({ key, current, requested, generation }) => {
    const object = expectEvent(decideUpdate(key, requested)(aRecord(key, current)), "MODIFIED");
    expect(metadataOf(object)["generation"]).toBe(generation);
  });

  it.each([
    { name: "scaled", requested: aDeployment({ generation: 3, replicas: 5 }), generation: 4 },
    { name: "given a new image", requested: aDeployment({ generation: 3, image: "web:2" }), generation: 4 },
    { name: "switched to Recreate", requested: aDeployment({ generation: 3, strategy: { type: "Recreate" } }), generation: 4 },
    { name: "relabelled", requested: aDeployment({ generation: 3, labels: { app: "web", team: "a" } }), generation: 3 },
    { name: "applied unchanged", requested: aDeployment({ generation: 3 }), generation: 3 },
    { name: "sent with another status", requested: aDeployment({ generation: 3, status: { replicas: 9 } }), generation: 3 },
  ])("given a deployment at generation 3, when $name, then generation is $generation and status is kept", ({ requested, generation }) => {
    const current = aRecord(deploymentKey, aDeployment({ generation: 3 }));
    const object = expectEvent(decideUpdate(deploymentKey, requested)(current), "MODIFIED");
    expect(metadataOf(object)["generation"]).toBe(generation);
    expect(object["spec"]).toEqual(requested["spec"]);
    expect(object["status"]).toEqual(current.object["status"]);
  });

  it.each([
    { name: "Deployment", key: deploymentKey, current: aDeployment(), requested: aDeployment({ selector: { matchLabels: { app: "api" } } }), allowed: false },
    {
      name: "ReplicaSet",
      key: replicaSetKey,
      current: aReplicaSet(),
      requested: { ...aReplicaSet(), spec: { replicas: 1, selector: { matchLabels: { app: "web", tier: "front" } } } },
      allowed: false,
    },
    {
      name: "ReplicationController",
      key: { kind: "ReplicationController", namespace: "default", name: "web" },
      current: { kind: "ReplicationController", metadata: aMetadata(replicaSetKey, {}), spec: { selector: { app: "web" } } },
      requested: { kind: "ReplicationController", metadata: aMetadata(replicaSetKey, {}), spec: { selector: { app: "api" } } },
      allowed: true,
    },
  ])("given a $name, when its selector changes, then allowed is $allowed", ({ key, current, requested, allowed }) => {
    const decision = decideUpdate(key, requested)(aRecord(key, current));
    if (allowed) expectEvent(decision, "MODIFIED");
    else expect(expectError(decision, "Invalid")).toMatchObject({ fieldErrors: [{ path: "spec.selector", message: expect.stringMatching(/: field is immutable$/) }] });
  });

  it.each([
    { name: "container image", change: { image: "web:2" }, allowed: true },
    { name: "tolerations", change: { tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoSchedule" }] }, allowed: true },
    { name: "activeDeadlineSeconds", change: { activeDeadlineSeconds: 600 }, allowed: true },
    { name: "restartPolicy", change: { restartPolicy: "Never" }, allowed: false },
    { name: "nodeName", change: { nodeName: "node-2" }, allowed: false },
    { name: "terminationGracePeriodSeconds", change: { terminationGracePeriodSeconds: 5 }, allowed: false },
  ])("given a bound pod, when its $name changes, then allowed is $allowed", ({ change, allowed }) => {
    const current = aPodRecord({ nodeName: "node-1", phase: "Running" });
    const requested = aPod({ nodeName: "node-1", ...change });

    const decision = decideUpdate(podKey, requested)(current);

    if (allowed) expect(expectEvent(decision, "MODIFIED")["spec"]).toEqual(requested["spec"]);
    else expect(expectError(decision, "Invalid")).toMatchObject({ fieldErrors: [{ path: "spec" }] });
  });

  it("given a pod with two containers, when the second one's image changes, then it is allowed", () => {
    const twoContainers = (image: string) => ({ ...aPod(), spec: { containers: [{ name: "web", image: "web:1" }, { name: "proxy", image }] } });
    const current = aRecord(podKey, twoContainers("proxy:1"));
    expectEvent(decideUpdate(podKey, twoContainers("proxy:2"))(current), "MODIFIED");
  });

  it.each([
    { name: "terminating config map", key: configMapKey, build: aConfigMap, deleting: true, finalizers: [], want: "DELETED" },
    { name: "terminating config map", key: configMapKey, build: aConfigMap, deleting: true, finalizers: undefined, want: "DELETED" },
    { name: "terminating config map", key: configMapKey, build: aConfigMap, deleting: true, finalizers: ["example.com/b"], want: "MODIFIED" },
    { name: "live config map", key: configMapKey, build: aConfigMap, deleting: false, finalizers: [], want: "MODIFIED" },
    { name: "terminating replica set", key: replicaSetKey, build: aReplicaSet, deleting: true, finalizers: [], want: "DELETED" },
    // A pod's grace period is over once its node agent has deleted it with grace 0 (or it was never bound).
    { name: "terminating pod, grace period over", key: podKey, build: aPod, deleting: true, finalizers: [], want: "DELETED" },
    { name: "terminating pod, grace period over", key: podKey, build: aPod, deleting: true, finalizers: ["example.com/b"], want: "MODIFIED" },
    // Its containers still run: the node agent finishes the deletion.
    { name: "terminating pod in its grace period", key: podKey, build: aPod, deleting: true, grace: 30, finalizers: [], want: "MODIFIED" },
  ])("given a $name with two finalizers, when updated to finalizers $finalizers, then $want", ({ key, build, deleting, grace, finalizers, want }) => {
    const object = build({ finalizers: ["example.com/a", "example.com/b"], ...(deleting ? { deletionTimestamp: after(-5), grace: grace ?? 0 } : {}) });
    const requested = finalizers === undefined ? withoutMetadata(object, "finalizers") : withMetadata(object, { finalizers });

    const event = expectEvent(decideUpdate(key, requested)(aRecord(key, object)), want);

    expect(metadataOf(event)["finalizers"]).toEqual(finalizers);
  });

  it("given a namespace, when an update drops or changes spec.finalizers, then they are kept (only Finalize sets them)", () => {
    const current = aRecord(namespaceKeyTeam, aNamespace({ labels: { team: "a" } }));
    const requested = { ...aNamespace({ labels: { team: "b" } }), spec: { finalizers: ["example.com/other"] } };

    const object = expectEvent(decideUpdate(namespaceKeyTeam, requested)(current), "MODIFIED");

    expect(object["spec"]).toEqual({ finalizers: ["kubernetes"] });
    expect(metadataOf(object)["labels"]).toEqual({ team: "b" });
    expect(metadataOf(object)["generation"]).toBe(1);
  });

  it("given a terminating namespace, when an update removes its last metadata finalizer, then it stays for its spec finalizer", () => {
    const current = aRecord(namespaceKeyTeam, aNamespace({ finalizers: ["example.com/a"], deletionTimestamp: after(0), grace: 0, phase: "Terminating" }));
    expectEvent(decideUpdate(namespaceKeyTeam, withMetadata(current.object, { finalizers: [] }))(current), "MODIFIED");
  });
});

describe("decideFinalize", () => {
  const terminatingNamespace = (o: { finalizers?: string[]; specFinalizers?: string[] } = {}) =>
    aRecord(namespaceKeyTeam, aNamespace({ ...o, deletionTimestamp: after(0), grace: 0, phase: "Terminating" }));
  const finalizing = (record: ObjectRecord, specFinalizers: string[], changes: JsonObject = {}) =>
    withMetadata({ ...record.object, spec: { finalizers: specFinalizers } }, changes);

  it.each([
    { name: "terminating namespace", current: terminatingNamespace(), finalizers: [], want: "DELETED" },
    { name: "terminating namespace", current: terminatingNamespace({ specFinalizers: ["kubernetes", "example.com/a"] }), finalizers: ["example.com/a"], want: "MODIFIED" },
    { name: "terminating namespace with a metadata finalizer", current: terminatingNamespace({ finalizers: ["example.com/a"] }), finalizers: [], want: "MODIFIED" },
    { name: "active namespace", current: aRecord(namespaceKeyTeam, aNamespace()), finalizers: [], want: "MODIFIED" },
  ])("given a $name, when finalized to $finalizers, then $want", ({ current, finalizers, want }) => {
    const object = expectEvent(decideFinalize(namespaceKeyTeam, finalizing(current, finalizers, { labels: { changed: "ignored" } }))(current), want);
    expect(object).toEqual({ ...current.object, spec: finalizers.length > 0 ? { finalizers } : {} });
  });

  it.each([
    { name: "a stale resourceVersion", changes: { resourceVersion: String(revision - 1) } },
    { name: "another uid", changes: { uid: otherUid } },
  ])("given a namespace, when finalized with $name, then Conflict", ({ changes }) => {
    const current = terminatingNamespace();
    expectError(decideFinalize(namespaceKeyTeam, finalizing(current, [], changes))(current), "Conflict");
  });

  it("given no namespace, when finalized, then NotFound", () => {
    expectError(decideFinalize(namespaceKeyTeam, aNamespace())(undefined), "NotFound");
  });
});

describe("namespaceForCreate", () => {
  it.each([
    { name: "no spec", spec: undefined, want: ["kubernetes"] },
    { name: "other finalizers", spec: { finalizers: ["example.com/a"] }, want: ["example.com/a", "kubernetes"] },
    { name: "the kubernetes finalizer", spec: { finalizers: ["kubernetes"] }, want: ["kubernetes"] },
  ])("given a namespace with $name, when created, then it is Active with finalizers $want", ({ spec, want }) => {
    const requested = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" }, ...(spec ? { spec } : {}), status: { phase: "Terminating" } };
    expect(namespaceForCreate(requested)).toEqual({ ...requested, spec: { finalizers: want }, status: { phase: "Active" } });
  });
});

describe("decideUpdateStatus", () => {
  it("given a pod, when its status is updated, then only the status changes", () => {
    const current = aPodRecord({ nodeName: "node-1" });
    const status = { phase: "Running", podIP: "10.0.0.5" };
    const requested = { ...aPod({ nodeName: "node-2", image: "web:2", labels: { app: "api" } }), status };

    const object = expectEvent(decideUpdateStatus(podKey, requested)(current), "MODIFIED");

    expect(object).toEqual({ ...current.object, status });
  });

  it.each([
    { name: "current resourceVersion", metadata: { resourceVersion: String(revision) }, want: "MODIFIED" },
    { name: "no resourceVersion or uid", metadata: {}, want: "MODIFIED" },
    { name: "stale resourceVersion", metadata: { resourceVersion: String(revision - 1) }, want: "Conflict" },
    { name: "another uid", metadata: { uid: otherUid }, want: "Conflict" },
  ])("given a pod at revision 7, when its status is updated with $name, then $want", ({ metadata, want }) => {
    const requested = { metadata: { name: podKey.name, namespace: podKey.namespace, ...metadata }, status: { phase: "Running" } };
    const decision = decideUpdateStatus(podKey, requested)(aPodRecord());
    if (want === "Conflict") expectError(decision, "Conflict");
    else expect(expectEvent(decision, "MODIFIED")["status"]).toEqual({ phase: "Running" });
  });

  it("given a deployment, when a controller reports its status, then spec, metadata and generation are kept", () => {
    const current = aRecord(deploymentKey, aDeployment({ generation: 2 }));
    const status = { observedGeneration: 2, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 };
    const requested = { ...aDeployment({ generation: 9, replicas: 1, labels: { app: "api" } }), status };

    const object = expectEvent(decideUpdateStatus(deploymentKey, requested)(current), "MODIFIED");

    expect(object).toEqual({ ...current.object, status });
  });

  it("given no object, when its status is updated, then NotFound", () => {
    expectError(decideUpdateStatus(podKey, aPod())(undefined), "NotFound");
  });
});

describe("decideDelete", () => {
  const bound = { nodeName: "node-1", phase: "Running" };

  it.each([
    { name: "unbound pod", current: aPodRecord(), grace: undefined, want: "DELETED" },
    { name: "bound pod", current: aPodRecord(bound), grace: 10, want: "MODIFIED", seconds: 10 },
    { name: "bound pod, spec 45s", current: aPodRecord({ ...bound, terminationGracePeriodSeconds: 45 }), grace: 10, want: "MODIFIED", seconds: 10 },
    { name: "bound pod, spec 45s", current: aPodRecord({ ...bound, terminationGracePeriodSeconds: 45 }), grace: undefined, want: "MODIFIED", seconds: 45 },
    { name: "bound pod", current: aPodRecord(bound), grace: undefined, want: "MODIFIED", seconds: 30 },
    { name: "bound pod, spec 45s", current: aPodRecord({ ...bound, terminationGracePeriodSeconds: 45 }), grace: 0, want: "DELETED" },
    { name: "bound succeeded pod", current: aPodRecord({ ...bound, phase: "Succeeded" }), grace: 10, want: "DELETED" },
    { name: "bound failed pod", current: aPodRecord({ ...bound, phase: "Failed" }), grace: undefined, want: "DELETED" },
    { name: "unbound pod, finalizer", current: aPodRecord({ finalizers: ["example.com/a"] }), grace: undefined, want: "MODIFIED", seconds: 0 },
    { name: "bound pod, finalizer", current: aPodRecord({ ...bound, finalizers: ["example.com/a"] }), grace: 0, want: "MODIFIED", seconds: 0 },
    { name: "bound pod, finalizer", current: aPodRecord({ ...bound, finalizers: ["example.com/a"] }), grace: 10, want: "MODIFIED", seconds: 10 },
    { name: "config map", current: aConfigMapRecord(), grace: 30, want: "DELETED" },
    { name: "config map, finalizer", current: aConfigMapRecord({ finalizers: ["example.com/a"] }), grace: undefined, want: "MODIFIED", seconds: 0 },
  ])("given a $name, when deleted with grace $grace, then $want", ({ current, grace, want, seconds }) => {
    const decision = decideDelete(keyOf(current), { gracePeriodSeconds: grace, now })(current);
    if (seconds === undefined) expect(expectEvent(decision, want)).toEqual(current.object);
    else expect(expectEvent(decision, want)).toEqual(terminating(current, after(seconds), seconds));
  });

  it.each([
    { name: "the same grace", grace: 30, want: "MODIFIED", at: 20, seconds: 30 },
    { name: "a longer grace", grace: 60, want: "MODIFIED", at: 20, seconds: 30 },
    { name: "no grace (default 30)", grace: undefined, want: "MODIFIED", at: 20, seconds: 30 },
    { name: "a shorter grace", grace: 5, want: "MODIFIED", at: 5, seconds: 5 },
    { name: "grace 0", grace: 0, want: "DELETED" },
  ])("given a pod 10s into a 30s grace period, when deleted with $name, then $want", ({ grace, want, at, seconds }) => {
    const current = aPodRecord({ ...bound, deletionTimestamp: after(20), grace: 30 });
    const decision = decideDelete(podKey, { gracePeriodSeconds: grace, now })(current);
    if (at === undefined || seconds === undefined) expect(expectEvent(decision, want)).toEqual(current.object);
    else expect(expectEvent(decision, want)).toEqual(terminating(current, after(at), seconds));
  });

  it("given a terminating pod with a finalizer, when deleted with grace 0, then it waits for the finalizer", () => {
    const current = aPodRecord({ ...bound, finalizers: ["example.com/a"], deletionTimestamp: after(20), grace: 30 });
    const object = expectEvent(decideDelete(podKey, { gracePeriodSeconds: 0, now })(current), "MODIFIED");
    expect(object).toEqual(terminating(current, after(0), 0));
  });

  it.each([
    { name: "matching uid and resourceVersion", preconditions: { uid, resourceVersion: String(revision) }, want: "DELETED" },
    { name: "another uid", preconditions: { uid: otherUid }, want: "Conflict" },
    { name: "stale resourceVersion", preconditions: { resourceVersion: String(revision - 1) }, want: "Conflict" },
    { name: "matching uid, stale resourceVersion", preconditions: { uid, resourceVersion: String(revision - 1) }, want: "Conflict" },
  ])("given a pod, when deleted with $name as preconditions, then $want", ({ preconditions, want }) => {
    const decision = decideDelete(podKey, { preconditions, now })(aPodRecord());
    if (want === "Conflict") expectError(decision, "Conflict");
    else expectEvent(decision, "DELETED");
  });

  it("given no object, when deleted, then NotFound", () => {
    expectError(decideDelete(podKey, { now })(undefined), "NotFound");
  });

  it.each([
    { name: "Background", current: aReplicaSet(), policy: "Background", want: "DELETED" },
    { name: "no policy", current: aReplicaSet(), policy: undefined, want: "DELETED" },
    { name: "Foreground", current: aReplicaSet(), policy: "Foreground", want: "MODIFIED", finalizers: ["foregroundDeletion"] },
    { name: "Orphan", current: aReplicaSet(), policy: "Orphan", want: "MODIFIED", finalizers: ["orphan"] },
    { name: "Orphan, with a finalizer", current: aReplicaSet({ finalizers: ["example.com/a"] }), policy: "Orphan", want: "MODIFIED", finalizers: ["example.com/a", "orphan"] },
    { name: "Background, with a finalizer", current: aReplicaSet({ finalizers: ["example.com/a"] }), policy: "Background", want: "MODIFIED", finalizers: ["example.com/a"] },
  ])("given a live replica set, when deleted with $name, then $want with finalizers $finalizers", ({ current, policy, want, finalizers }) => {
    const record = aRecord(replicaSetKey, current);
    const object = expectEvent(decideDelete(replicaSetKey, { propagationPolicy: policy as DeletionPropagation | undefined, now })(record), want);
    if (want === "DELETED") expect(object).toEqual(current);
    else expect(object).toEqual(withMetadata(current, { finalizers, deletionTimestamp: after(0), deletionGracePeriodSeconds: 0 }));
  });

  it.each([
    { name: "no policy", policy: undefined, want: "MODIFIED", finalizers: ["foregroundDeletion"] },
    { name: "Foreground again", policy: "Foreground", want: "MODIFIED", finalizers: ["foregroundDeletion"] },
    { name: "Orphan", policy: "Orphan", want: "MODIFIED", finalizers: ["orphan"] },
    { name: "Background", policy: "Background", want: "DELETED", finalizers: ["foregroundDeletion"] },
  ])("given a replica set deleted in the foreground, when deleted again with $name, then $want", ({ policy, want, finalizers }) => {
    const current = aReplicaSet({ finalizers: ["foregroundDeletion"], deletionTimestamp: after(-10), grace: 0 });
    const record = aRecord(replicaSetKey, current);
    const decision = decideDelete(replicaSetKey, { propagationPolicy: policy as DeletionPropagation | undefined, now })(record);

    const object = expectEvent(decision, want);

    // The deletion keeps its first timestamp.
    expect(object).toEqual(withMetadata(current, { finalizers }));
    expect(changesNothing(decision, record)).toBe(want === "MODIFIED" && finalizers[0] === "foregroundDeletion");
  });

  it("given a bound pod, when deleted in the foreground, then it gets its grace period and the finalizer", () => {
    const current = aPodRecord(bound);
    const object = expectEvent(decideDelete(podKey, { propagationPolicy: "Foreground", now })(current), "MODIFIED");
    expect(object).toEqual(withMetadata(current.object, { deletionTimestamp: after(30), deletionGracePeriodSeconds: 30, finalizers: ["foregroundDeletion"] }));
  });

  it("given a bound pod with a finalizer, when its node agent finishes and the finalizer goes, then it is DELETED only then", () => {
    const current = aPodRecord({ ...bound, finalizers: ["example.com/a"] });

    const terminating = expectEvent(decideDelete(podKey, { now })(current), "MODIFIED");
    const stopped = expectEvent(decideDelete(podKey, { gracePeriodSeconds: 0, preconditions: { uid }, now })(aRecord(podKey, terminating, "node-1")), "MODIFIED");
    const stoppedRecord = aRecord(podKey, stopped, "node-1");
    const repeated = decideDelete(podKey, { gracePeriodSeconds: 0, preconditions: { uid }, now })(stoppedRecord);

    expect(metadataOf(stopped)).toMatchObject({ deletionGracePeriodSeconds: 0, finalizers: ["example.com/a"] });
    expect(changesNothing(repeated, stoppedRecord)).toBe(true);
    expectEvent(decideUpdate(podKey, withMetadata(stopped, { finalizers: [] }))(stoppedRecord), "DELETED");
  });

  it.each(["default", "kube-system", "kube-public", "kube-node-lease"])("given the system namespace %s, when deleted, then Forbidden", (name) => {
    const key = namespaceKey(name);
    const error = expectError(decideDelete(key, { now })(aRecord(key, aNamespace())), "Forbidden");
    expect(error.message).toBe(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
  });

  it.each([
    { name: "the kubernetes finalizer", current: aNamespace(), want: "MODIFIED" },
    { name: "no finalizer", current: aNamespace({ specFinalizers: [] }), want: "DELETED" },
  ])("given a namespace with $name, when deleted, then $want", ({ current, want }) => {
    const object = expectEvent(decideDelete(namespaceKeyTeam, { gracePeriodSeconds: 30, now })(aRecord(namespaceKeyTeam, current)), want);
    if (want === "DELETED") expect(object).toEqual(current);
    else expect(object).toEqual({ ...withMetadata(current, { deletionTimestamp: after(0), deletionGracePeriodSeconds: 0 }), status: { phase: "Terminating" } });
  });
});

describe("decideBind", () => {
  const scheduled = { type: "PodScheduled", status: "True", lastTransitionTime: now.toISOString() };

  it.each([
    { name: "no conditions", conditions: undefined, want: [scheduled] },
    {
      name: "PodScheduled=False",
      conditions: [
        { type: "PodScheduled", status: "False", reason: "Unschedulable", lastTransitionTime: created },
        { type: "Initialized", status: "True" },
      ],
      want: [{ type: "Initialized", status: "True" }, scheduled],
    },
  ])("given a pending pod with $name, when bound, then it has the node and PodScheduled=True", ({ conditions, want }) => {
    const current = aPodRecord({ conditions });

    const object = expectEvent(decideBind(podKey, "node-1", now, { uid })(current), "MODIFIED");

    expect(object).toEqual({
      ...current.object,
      spec: { ...(current.object["spec"] as JsonObject), nodeName: "node-1" },
      status: { phase: "Pending", conditions: want },
    });
  });

  it.each([
    { name: "a pod bound to node-2", current: aPodRecord({ nodeName: "node-2" }), preconditions: undefined, message: '"node-2"' },
    { name: "a terminating pod", current: aPodRecord({ deletionTimestamp: after(30), grace: 30 }), preconditions: undefined, message: "being deleted" },
    { name: "another uid in the precondition", current: aPodRecord(), preconditions: { uid: otherUid }, message: otherUid },
  ])("given $name, when bound, then Conflict", ({ current, preconditions, message }) => {
    expect(expectError(decideBind(podKey, "node-1", now, preconditions)(current), "Conflict").message).toContain(message);
  });

  it("given no pod, when bound, then NotFound", () => {
    expectError(decideBind(podKey, "node-1", now)(undefined), "NotFound");
  });
});

describe("every decision", () => {
  const current = aPodRecord({ finalizers: ["example.com/a"], conditions: [{ type: "PodScheduled", status: "False" }] });
  const requested = aPod({ image: "web:2", phase: "Succeeded" });

  it.each([
    { name: "update", decide: decideUpdate(podKey, requested) },
    { name: "updateStatus", decide: decideUpdateStatus(podKey, requested) },
    { name: "delete", decide: decideDelete(podKey, { gracePeriodSeconds: 10, now }) },
    { name: "bind", decide: decideBind(podKey, "node-2", now) },
  ])("leaves the current record and the request as they were: $name", ({ decide }) => {
    const before = structuredClone({ current, requested });
    expectEvent(decide(current), "MODIFIED");
    expect({ current, requested }).toEqual(before);
  });
});

describe("decideUpdate of a pod's scheduling gates", () => {
  const gated = (...names: string[]) => {
    const pod = aPod();
    return { ...pod, spec: { ...(pod["spec"] as JsonObject), schedulingGates: names.map((name) => ({ name })) } };
  };
  it.each([
    { name: "one gate removed", before: ["a", "b"], after: ["b"], error: undefined },
    { name: "every gate removed", before: ["a"], after: [], error: undefined },
    { name: "a gate added", before: ["a"], after: ["a", "c"], error: "spec.schedulingGates: Forbidden: only deletion is allowed, but found new scheduling gate 'c'" },
  ])("$name", ({ before, after, error }) => {
    const decision = decideUpdate(podKey, gated(...after))(aRecord(podKey, gated(...before)));
    if (error === undefined) expectEvent(decision, "MODIFIED");
    else expect(expectError(decision, "Invalid").message).toContain(error);
  });
});

describe("decideUpdate of a mirror pod", () => {
  const mirrored = (annotations: Record<string, string>, image = "web:1") => {
    const pod = aPod({ image });
    return { ...pod, metadata: { ...(pod["metadata"] as JsonObject), annotations } };
  };
  const mirror = { "kubernetes.io/config.mirror": "abc" };
  it.each([
    { name: "its spec changed", before: mirrored(mirror), after: mirrored(mirror, "web:2"), error: "spec: Forbidden: a mirror pod may not be updated" },
    { name: "its mirror annotation removed", before: mirrored(mirror), after: mirrored({}), error: "Forbidden: may not add or remove mirror pod annotation" },
    { name: "a mirror annotation added", before: mirrored({}), after: mirrored(mirror), error: "Forbidden: may not add or remove mirror pod annotation" },
    { name: "a label added, the spec unchanged", before: mirrored(mirror), after: { ...mirrored(mirror), metadata: { ...(mirrored(mirror)["metadata"] as JsonObject), labels: { a: "b" } } }, error: undefined },
  ])("$name", ({ before, after, error }) => {
    const decision = decideUpdate(podKey, after)(aRecord(podKey, before));
    if (error === undefined) expectEvent(decision, "MODIFIED");
    else expect(expectError(decision, "Invalid").message).toContain(error);
  });
});
