import { describe, expect, it } from "vitest";
import { fromApiObject, toApiObject, type ApiObject } from "@capstan/api";
import { ConflictError } from "@capstan/apimachinery";
import type { JsonObject } from "@capstan/client";
import { Informer } from "@capstan/controller-runtime";
import { FakeListWatch } from "@capstan/controller-runtime/testing";
import { ClaimReconciler, NO_VOLUMES_MESSAGE, VolumeReconciler, type BinderClient, type Recorder } from "./reconcile.js";

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
 * The gateway and the informers in memory: every write checks resourceVersion, bumps it and reaches the
 * cache at once. `crashAfter` makes the n-th write fail, as a binder that dies between two writes.
 */
class Cluster implements BinderClient, Recorder {
  readonly volumeFeed = new FakeListWatch();
  readonly claimFeed = new FakeListWatch();
  readonly volumes = new Informer({ kind: "PersistentVolume", listWatch: this.volumeFeed.listWatch, log: () => {} }).start();
  readonly claims = new Informer({ kind: "PersistentVolumeClaim", listWatch: this.claimFeed.listWatch, log: () => {} }).start();
  readonly events: string[] = [];
  writes = 0;
  crashAfter = Infinity;
  private revision = 100;

  static async with(volumes: Json[], claims: Json[]): Promise<Cluster> {
    const c = new Cluster();
    await c.volumeFeed.list(volumes);
    await c.claimFeed.list(claims);
    return c;
  }

  update = (obj: ApiObject) => this.write(obj, "spec");
  updateStatus = (obj: ApiObject) => this.write(obj, "status");

  record(involved: Json, type: string, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${involved["metadata"].name}: ${message}`);
  }

  private async write(obj: ApiObject, part: "spec" | "status"): Promise<ApiObject> {
    if (++this.writes > this.crashAfter) throw new Error("binder crashed");
    const { kind, json } = fromApiObject(obj);
    const informer = kind === "PersistentVolume" ? this.volumes : this.claims;
    const meta = json["metadata"] as Json;
    const current = informer.get(meta["namespace"] ?? "", meta["name"]) as Json;
    if (current["metadata"].resourceVersion !== meta["resourceVersion"]) throw new ConflictError({ kind, namespace: meta["namespace"] ?? "", name: meta["name"] }, "stale");
    const written = { ...current, [part]: json[part], metadata: { ...current["metadata"], resourceVersion: String(++this.revision) } };
    await (kind === "PersistentVolume" ? this.volumeFeed : this.claimFeed).emit("MODIFIED", written as JsonObject);
    return toApiObject(written);
  }

  claimReconciler = () => new ClaimReconciler(this.claims, this.volumes, this, this);
  volumeReconciler = () => new VolumeReconciler(this.volumes, this.claims, this);
  volume = (name: string) => this.volumes.get("", name) as Json;
  claim = (name: string) => this.claims.get("default", name) as Json;
  /** name phase claim, as `capctl get pv` shows it. */
  volumeRows = () => (this.volumes.list() as Json[]).map((v) => `${v["metadata"].name} ${v["status"]?.phase} ${v["spec"].claimRef?.name ?? "-"}`).sort();
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
    expect(cluster.events).toEqual([]);
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
  ])("leaves a claim Pending with FailedBinding when the volume is $name", async ({ volumes }) => {
    const cluster = await Cluster.with(volumes, [aClaim("pvc")]);
    await cluster.claimReconciler().reconcile("default/pvc");

    expect(cluster.claim("pvc")["status"].phase).toBe("Pending");
    expect(cluster.claim("pvc")["spec"].volumeName).toBeUndefined();
    expect(cluster.writes).toBe(0);
    expect(cluster.events).toEqual([`Warning FailedBinding pvc: ${NO_VOLUMES_MESSAGE}`]);
  });

  it("does not bind a claim to the volume it names when that volume does not fit", async () => {
    const cluster = await Cluster.with([aVolume("pv", { capacity: { storage: "1Gi" } })], [aClaim("pvc", { volumeName: "pv" })]);
    await cluster.claimReconciler().reconcile("default/pvc");

    expect(cluster.writes).toBe(0);
    expect(cluster.events).toEqual(['Warning VolumeMismatch pvc: Cannot bind to requested volume "pv": requested PV is too small']);
  });

  it.each([1, 2, 3])("finishes a binding that crashed after %i of its 4 writes", async (done) => {
    const cluster = await Cluster.with([aVolume("other"), aVolume("pv")], [aClaim("pvc")]);
    cluster.crashAfter = done;
    await expect(cluster.claimReconciler().reconcile("default/pvc")).rejects.toThrow("binder crashed");

    cluster.crashAfter = Infinity;
    await cluster.claimReconciler().reconcile("default/pvc");
    await cluster.claimReconciler().reconcile("default/pvc");

    const bound = cluster.claim("pvc")["spec"].volumeName;
    expect(cluster.claim("pvc")["status"].phase).toBe("Bound");
    expect(cluster.volumeRows()).toEqual(bound === "pv" ? ["other Available -", "pv Bound pvc"] : ["other Bound pvc", "pv Available -"]);
    expect(cluster.writes).toBe(4 + 1);
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

    await cluster.claimFeed.emit("DELETED", cluster.claim("pvc") as JsonObject);
    await cluster.volumeReconciler().reconcile("pv");
    expect(cluster.volumeRows()).toEqual(["pv Released pvc"]);
  });
});
