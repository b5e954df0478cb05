import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventRecorder } from "@capstan/client";
import { createFakeGateway, type FakeGateway } from "@capstan/client/testing";
import type { Informer } from "@capstan/controller-runtime";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { ClaimReconciler, VolumeReconciler } from "./provisioner.js";

type Json = Record<string, any>;

const baseDir = mkdtempSync(join(tmpdir(), "capstan-local-path-"));
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

function aClass(name: string, fields: Json = {}): Json {
  return { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name }, provisioner: "capstan.io/local-path", volumeBindingMode: "WaitForFirstConsumer", ...fields };
}

function aClaim(name: string, storageClassName: string, annotations: Json = {}): Json {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default", annotations },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: "1Gi" } } },
  };
}

function aNode(name: string, ready = true, labels: Json = {}): Json {
  return { apiVersion: "v1", kind: "Node", metadata: { name, labels }, status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } };
}

const selectedNode = (node: string) => ({ "volume.kubernetes.io/selected-node": node });

/** A FakeGateway with synced informers, the real EventRecorder, and the two reconcilers. */
class Cluster {
  private constructor(
    readonly gateway: FakeGateway,
    private readonly informers: Record<"claims" | "volumes" | "classes" | "nodes", Informer>,
  ) {}

  static async with(objects: Json[]): Promise<Cluster> {
    const gateway = await createFakeGateway();
    for (const o of objects) await gateway.apply(o);
    const [claims, volumes, classes, nodes] = await Promise.all(["PersistentVolumeClaim", "PersistentVolume", "StorageClass", "Node"].map((k) => syncedInformer(gateway, k)));
    return new Cluster(gateway, { claims: claims!, volumes: volumes!, classes: classes!, nodes: nodes! });
  }

  async provision(key: string): Promise<void> {
    const recorder = new EventRecorder(this.gateway, { component: "capstan.io/local-path" }, (m) => {
      throw new Error(m);
    });
    const { claims, volumes, classes, nodes } = this.informers;
    await new ClaimReconciler(claims, volumes, classes, nodes, this.gateway, recorder, baseDir).reconcile(key);
    await this.gateway.settled();
  }

  async reclaim(name: string): Promise<void> {
    await new VolumeReconciler(this.informers.volumes, this.gateway, baseDir).reconcile(name);
  }

  volumes = () => this.gateway.objects("PersistentVolume") as Json[];
  claim = (name: string) => this.gateway.stored("PersistentVolumeClaim", name) as Json;
}

describe("ClaimReconciler", () => {
  it("provisions a WaitForFirstConsumer claim on the node the scheduler selected, pre-bound to it", async () => {
    const cluster = await Cluster.with([aClass("kept", { reclaimPolicy: "Retain" }), aNode("node-1"), aNode("node-2"), aClaim("data", "kept", selectedNode("node-2"))]);
    await cluster.provision("default/data");

    const uid = cluster.claim("data")["metadata"].uid;
    const [pv, ...more] = cluster.volumes();
    expect(more).toEqual([]);
    expect(pv).toMatchObject({
      metadata: { name: `pvc-${uid}`, annotations: { "pv.kubernetes.io/provisioned-by": "capstan.io/local-path" } },
      spec: {
        capacity: { storage: "1Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "kept",
        hostPath: { path: join(baseDir, `pvc-${uid}_default_data`), type: "DirectoryOrCreate" },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["node-2"] }] }] } },
        claimRef: { kind: "PersistentVolumeClaim", namespace: "default", name: "data", uid },
      },
    });
  });

  it("makes one volume however often it runs", async () => {
    const cluster = await Cluster.with([aClass("local-path"), aNode("node-1"), aClaim("data", "local-path", selectedNode("node-1"))]);
    await cluster.provision("default/data");
    await cluster.provision("default/data");
    expect(cluster.volumes()).toHaveLength(1);
  });

  it("provisions an Immediate claim at once, on the first ready node", async () => {
    const cluster = await Cluster.with([aClass("now", { volumeBindingMode: "Immediate" }), aNode("node-a", false), aNode("node-b"), aNode("node-c"), aClaim("data", "now")]);
    await cluster.provision("default/data");
    expect(cluster.volumes().map((v) => v["spec"].nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values)).toEqual([["node-b"]]);
  });

  it("provisions an Immediate claim only on a node the class's allowedTopologies allow", async () => {
    const zoned = aClass("zoned", { volumeBindingMode: "Immediate", allowedTopologies: [{ matchLabelExpressions: [{ key: "zone", values: ["z2"] }] }] });
    const cluster = await Cluster.with([zoned, aNode("node-a", true, { zone: "z1" }), aNode("node-b", true, { zone: "z2" }), aClaim("data", "zoned")]);
    await cluster.provision("default/data");
    expect(cluster.volumes().map((v) => v["spec"].nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values)).toEqual([["node-b"]]);
  });

  it.each([
    { name: "a WaitForFirstConsumer claim no pod has been scheduled for", objects: [aClass("local-path"), aNode("n"), aClaim("data", "local-path")] },
    { name: "a claim of another provisioner's class", objects: [aClass("nfs", { provisioner: "example.com/nfs", volumeBindingMode: "Immediate" }), aNode("n"), aClaim("data", "nfs")] },
    { name: "a claim of a class that does not exist", objects: [aNode("n"), aClaim("data", "missing", selectedNode("n"))] },
    { name: "a claim of no class", objects: [aClass("local-path"), aNode("n"), aClaim("data", "", selectedNode("n"))] },
  ])("leaves alone $name", async ({ objects }) => {
    const cluster = await Cluster.with(objects);
    await cluster.provision("default/data");
    expect(cluster.volumes()).toEqual([]);
  });
});

describe("VolumeReconciler", () => {
  const released = (name: string, policy: string, path: string, provisionedBy = "capstan.io/local-path"): Json => ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, annotations: { "pv.kubernetes.io/provisioned-by": provisionedBy } },
    spec: { accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" }, persistentVolumeReclaimPolicy: policy, hostPath: { path }, claimRef: { namespace: "default", name: "gone", uid: "uid-gone" } },
  });

  it.each([
    { name: "a Released volume with Delete goes, and its directory", policy: "Delete", provisionedBy: "capstan.io/local-path", phase: "Released", kept: false },
    { name: "a Released volume with Retain stays, and its directory", policy: "Retain", provisionedBy: "capstan.io/local-path", phase: "Released", kept: true },
    { name: "a Bound volume with Delete stays", policy: "Delete", provisionedBy: "capstan.io/local-path", phase: "Bound", kept: true },
    { name: "another provisioner's volume stays", policy: "Delete", provisionedBy: "example.com/nfs", phase: "Released", kept: true },
  ])("$name", async ({ policy, provisionedBy, phase, kept }) => {
    const path = join(baseDir, `pv_default_${phase}_${policy}_${provisionedBy.length}`);
    mkdirSync(path, { recursive: true });
    const cluster = await Cluster.with([released("pv", policy, path, provisionedBy)]);
    const pv = cluster.gateway.stored("PersistentVolume", "pv") as Json;
    await cluster.gateway.updateStatus({ persistentVolume: { ...pv, status: { phase } } } as never);
    await cluster.gateway.settled();
    await cluster.reclaim("pv");

    expect(cluster.volumes().map((v) => v["metadata"].name)).toEqual(kept ? ["pv"] : []);
    expect(existsSync(path)).toBe(kept);
  });
});
