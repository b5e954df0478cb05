import { describe, expect, it } from "vitest";
import { EventRecorder } from "@capstan/client";
import { createFakeGateway, type FakeGateway } from "@capstan/client/testing";
import type { Informer } from "@capstan/controller-runtime";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { ClaimReconciler, NO_VOLUMES_MESSAGE, VolumeReconciler, WAIT_FOR_FIRST_CONSUMER_MESSAGE, externalProvisioningMessage } from "./reconcile.js";

type Json = Record<string, any>;

function aVolume(name: string, spec: Json = {}, phase = "Available"): Json {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, uid: `uid-${name}`, resourceVersion: "1" },
    spec: { accessModes: ["ReadWriteOnce"], capacity: { storage: "10Gi" }, storageClassName: "ssd", persistentVolumeReclaimPolicy: "Retain", volumeMode: "Filesystem", hostPath: { path: `/mnt/${name}` }, ...spec },
    status: { phase },
  };
}

function aClaim(name: string, spec: Json = {}): Json {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1" },
    spec: { accessModes: ["ReadWriteOnce"], storageClassName: "ssd", resources: { requests: { storage: "10Gi" } }, volumeMode: "Filesystem", ...spec },
    status: { phase: "Pending" },
  };
}

/**
 * A FakeGateway with synced informers of volumes and claims, and the real EventRecorder; `writes` counts
 * the gateway's writes since the objects were put in place.
 */
class Cluster {
  private start = 0;

  private constructor(
    readonly gateway: FakeGateway,
    readonly volumes: Informer,
    readonly claims: Informer,
    readonly classes: Informer,
    private readonly recorder: EventRecorder,
  ) {}

  static async with(volumes: Json[], claims: Json[], classes: Json[] = []): Promise<Cluster> {
    const gateway = await createFakeGateway();
    for (const o of [...classes, ...volumes, ...claims]) await gateway.apply(o);
    const recorder = new EventRecorder(gateway, { component: "persistentvolume-controller" }, (message) => {
      throw new Error(message);
    });
    const c = new Cluster(
      gateway,
      await syncedInformer(gateway, "PersistentVolume"),
      await syncedInformer(gateway, "PersistentVolumeClaim"),
      await syncedInformer(gateway, "StorageClass"),
      recorder,
    );
    c.start = gateway.revision;
    return c;
  }

  /** Writes of volumes and claims since the start (the recorder's Events are not counted). */
  get writes(): number {
    return this.gateway.store.events(this.start).filter((e) => e.kind !== "Event").length;
  }

  /** The Events recorded, as "type reason object: message". */
  async events(): Promise<string[]> {
    await this.gateway.settled();
    return this.gateway.objects("Event").map((e) => `${e["type"]} ${e["reason"]} ${(e["involvedObject"] as Json)["name"]}: ${e["message"]}`);
  }

  claimReconciler = () => new ClaimReconciler(this.claims, this.volumes, this.classes, this.gateway, this.recorder);
  volumeReconciler = () => new VolumeReconciler(this.volumes, this.claims, this.gateway);
  volume = (name: string) => this.gateway.stored("PersistentVolume", name) as Json;
  claim = (name: string) => this.gateway.stored("PersistentVolumeClaim", name) as Json;
  /** name phase claim, as `capctl get pv` shows it. */
  volumeRows = () => (this.gateway.objects("PersistentVolume") as Json[]).map((v) => `${v["metadata"].name} ${v["status"]?.phase} ${v["spec"].claimRef?.name ?? "-"}`).sort();
}

describe("ClaimReconciler", () => {
  it.each([
    { name: "the only volume that fits", volumes: [aVolume("pv")], claim: aClaim("pvc"), bound: "pv" },
    { name: "the smallest of those that fit", volumes: [aVolume("big", { capacity: { storage: "100Gi" } }), aVolume("small", { capacity: { storage: "20Gi" } }), aVolume("tiny", { capacity: { storage: "1Gi" } })], claim: aClaim("pvc"), bound: "small" },
    { name: "one offering more access modes than asked", volumes: [aVolume("rwx", { accessModes: ["ReadWriteOnce", "ReadWriteMany"] })], claim: aClaim("pvc"), bound: "rwx" },
    { name: "the volume the selector picks", volumes: [aVolume("a", { capacity: { storage: "10Gi" } }), { ...aVolume("b", { capacity: { storage: "50Gi" } }), metadata: { name: "b", uid: "uid-b", resourceVersion: "1", labels: { tier: "fast" } } }], claim: aClaim("pvc", { selector: { matchLabels: { tier: "fast" } } }), bound: "b" },
    { name: "the volume named by spec.volumeName though a smaller one fits", volumes: [aVolume("small"), aVolume("named", { capacity: { storage: "50Gi" } })], claim: aClaim("pvc", { volumeName: "named" }), bound: "named" },
    { name: "a volume pre-bound to it by claimRef (no uid)", volumes: [aVolume("small"), aVolume("pre", { capacity: { storage: "50Gi" }, claimRef: { namespace: "default", name: "pvc" } })], claim: aClaim("pvc"), bound: "pre" },
  ])("binds a pending claim to $name, volume first", async ({ volumes, claim, bound }) => {
    const cluster = await Cluster.with(volumes, [claim]);
    await cluster.claimReconciler().reconcile("default/pvc");

    expect(cluster.volume(bound)["spec"].claimRef).toMatchObject({ kind: "PersistentVolumeClaim", namespace: "default", name: "pvc", uid: "uid-pvc" });
    expect(cluster.volume(bound)["status"].phase).toBe("Bound");
    expect(cluster.claim("pvc")["spec"].volumeName).toBe(bound);
    expect(cluster.claim("pvc")["status"]).toEqual({ phase: "Bound", accessModes: cluster.volume(bound)["spec"].accessModes, capacity: cluster.volume(bound)["spec"].capacity });
    expect(await cluster.events()).toEqual([]);
  });

  it.each([
    { name: "no volume at all", volumes: [] },
    { name: "another storage class", volumes: [aVolume("pv", { storageClassName: "hdd" })] },
    { name: "too small", volumes: [aVolume("pv", { capacity: { storage: "5Gi" } })] },
    { name: "missing an access mode", volumes: [aVolume("pv", { accessModes: ["ReadOnlyMany"] })] },
    { name: "another volume mode", volumes: [aVolume("pv", { volumeMode: "Block" })] },
    { name: "bound to another claim", volumes: [aVolume("pv", { claimRef: { namespace: "default", name: "other", uid: "uid-other" } }, "Bound")] },
    { name: "released by an old claim", volumes: [aVolume("pv", { claimRef: { namespace: "default", name: "pvc", uid: "uid-gone" } }, "Released")] },
    { name: "not yet Available", volumes: [aVolume("pv", {}, "Pending")] },
  ])("leaves a claim Pending when the volume is $name", async ({ volumes }) => {
    const cluster = await Cluster.with(volumes, [aClaim("pvc")]);
    await cluster.claimReconciler().reconcile("default/pvc");

    expect(cluster.claim("pvc")["status"].phase).toBe("Pending");
    expect(cluster.claim("pvc")["spec"].volumeName).toBeUndefined();
    expect(cluster.writes).toBe(0);
    // Its class "ssd" is no StorageClass, so nothing can provision one either.
    expect(await cluster.events()).toEqual(['Warning ProvisioningFailed pvc: storageclass.storage.k8s.io "ssd" not found']);
  });

  const aClass = (name: string, volumeBindingMode: string) => ({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name }, provisioner: "example.com/disk", volumeBindingMode });
  const selected = { metadata: { name: "pvc", namespace: "default", annotations: { "volume.kubernetes.io/selected-node": "node-1" } } };

  it.each([
    { name: "no class: nothing will provision one", claim: aClaim("pvc", { storageClassName: "" }), volumes: [], classes: [], event: `Warning FailedBinding pvc: ${NO_VOLUMES_MESSAGE}` },
    { name: "an Immediate class: its provisioner", claim: aClaim("pvc"), volumes: [], classes: [aClass("ssd", "Immediate")], event: `Normal ExternalProvisioning pvc: ${externalProvisioningMessage("example.com/disk")}` },
    {
      name: "a WaitForFirstConsumer class: a pod, though a free volume fits (the scheduler places it)",
      claim: aClaim("pvc"),
      volumes: [aVolume("pv")],
      classes: [aClass("ssd", "WaitForFirstConsumer")],
      event: `Normal WaitForFirstConsumer pvc: ${WAIT_FOR_FIRST_CONSUMER_MESSAGE}`,
    },
    {
      name: "a WaitForFirstConsumer class with a node selected: its provisioner",
      claim: { ...aClaim("pvc"), ...selected },
      volumes: [],
      classes: [aClass("ssd", "WaitForFirstConsumer")],
      event: `Normal ExternalProvisioning pvc: ${externalProvisioningMessage("example.com/disk")}`,
    },
  ])("says what an unbound claim waits for: $name", async ({ claim, volumes, classes, event }) => {
    const cluster = await Cluster.with(volumes, [claim], classes);
    await cluster.claimReconciler().reconcile("default/pvc");

    expect(cluster.writes).toBe(0);
    expect(await cluster.events()).toEqual([event]);
  });

  it("binds a WaitForFirstConsumer claim to the volume provisioned for it", async () => {
    const claim = { ...aClaim("pvc"), ...selected };
    const cluster = await Cluster.with([aVolume("provisioned", { claimRef: { namespace: "default", name: "pvc", uid: "uid-pvc" } }, "Pending")], [claim], [aClass("ssd", "WaitForFirstConsumer")]);
    await cluster.claimReconciler().reconcile("default/pvc");

    expect(cluster.claim("pvc")["spec"].volumeName).toBe("provisioned");
    expect(cluster.claim("pvc")["status"].phase).toBe("Bound");
    expect(cluster.volumeRows()).toEqual(["provisioned Bound pvc"]);
  });

  it("does not bind a claim to the volume it names when that volume does not fit", async () => {
    const cluster = await Cluster.with([aVolume("pv", { capacity: { storage: "1Gi" } })], [aClaim("pvc", { volumeName: "pv" })]);
    await cluster.claimReconciler().reconcile("default/pvc");

    expect(cluster.writes).toBe(0);
    expect(await cluster.events()).toEqual(['Warning VolumeMismatch pvc: Cannot bind to requested volume "pv": requested PV is too small']);
  });

  it.each([1, 2, 3])("finishes a binding that crashed after %i of its 4 writes", async (done) => {
    const cluster = await Cluster.with([aVolume("other"), aVolume("pv")], [aClaim("pvc")]);
    cluster.gateway.refuseWritesAfter(done);
    await expect(cluster.claimReconciler().reconcile("default/pvc")).rejects.toThrow("refused by the test");

    cluster.gateway.refuseWritesAfter(Infinity);
    await cluster.claimReconciler().reconcile("default/pvc");
    await cluster.claimReconciler().reconcile("default/pvc");

    const bound = cluster.claim("pvc")["spec"].volumeName;
    expect(cluster.claim("pvc")["status"].phase).toBe("Bound");
    expect(cluster.volumeRows()).toEqual(bound === "pv" ? ["other Available -", "pv Bound pvc"] : ["other Bound pvc", "pv Available -"]);
    expect(cluster.writes, "its 4 writes, none made twice").toBe(4);
  });
});

describe("VolumeReconciler", () => {
  it.each([
    { name: "a new volume becomes Available", volume: aVolume("pv", {}, "Pending"), claims: [], phase: "Available", claimRef: undefined },
    { name: "a volume pre-bound to a claim not yet made is Available", volume: aVolume("pv", { claimRef: { namespace: "default", name: "pvc" } }, "Pending"), claims: [], phase: "Available", claimRef: "pvc" },
    { name: "a volume whose claim is bound to it is Bound", volume: aVolume("pv", { claimRef: { namespace: "default", name: "pvc", uid: "uid-pvc" } }), claims: [aClaim("pvc", { volumeName: "pv" })], phase: "Bound", claimRef: "pvc" },
    { name: "a Bound volume whose claim was deleted is Released (Retain)", volume: aVolume("pv", { claimRef: { namespace: "default", name: "pvc", uid: "uid-pvc" } }, "Bound"), claims: [], phase: "Released", claimRef: "pvc" },
    { name: "a volume whose claim was made again is Released", volume: aVolume("pv", { claimRef: { namespace: "default", name: "pvc", uid: "uid-old" } }, "Bound"), claims: [aClaim("pvc")], phase: "Released", claimRef: "pvc" },
    { name: "a volume halfway through binding is left to the claim", volume: aVolume("pv", { claimRef: { namespace: "default", name: "pvc", uid: "uid-pvc" } }), claims: [aClaim("pvc")], phase: "Available", claimRef: "pvc" },
    { name: "a volume whose claim went elsewhere is let go", volume: aVolume("pv", { claimRef: { namespace: "default", name: "pvc", uid: "uid-pvc" } }, "Bound"), claims: [aClaim("pvc", { volumeName: "other" })], phase: "Bound", claimRef: undefined },
  ])("$name", async ({ volume, claims, phase, claimRef }) => {
    const cluster = await Cluster.with([volume], claims);
    await cluster.volumeReconciler().reconcile("pv");

    expect(cluster.volume("pv")["status"].phase).toBe(phase);
    expect(cluster.volume("pv")["spec"].claimRef?.name).toBe(claimRef);
  });

  it("binds the example end to end: the claim reconcile binds, the volume reconcile keeps it Bound, deleting the claim releases it", async () => {
    const cluster = await Cluster.with([aVolume("pv", {}, "Pending")], [aClaim("pvc")]);
    await cluster.volumeReconciler().reconcile("pv");
    await cluster.claimReconciler().reconcile("default/pvc");
    await cluster.volumeReconciler().reconcile("pv");
    expect(cluster.volumeRows()).toEqual(["pv Bound pvc"]);

    await cluster.gateway.delete({ kind: "PersistentVolumeClaim", namespace: "default", name: "pvc" });
    await cluster.volumeReconciler().reconcile("pv");
    expect(cluster.volumeRows()).toEqual(["pv Released pvc"]);
  });
});
