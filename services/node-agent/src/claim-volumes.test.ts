import { describe, expect, it } from "vitest";
import { Pod, toApiObject, type ApiObject, type GetRequest } from "@capstan/api";
import { NotFoundError } from "@capstan/apimachinery";
import { ClaimNotMountableError, resolveClaimVolumes, withResolvedVolumes, type ClaimReader } from "./claim-volumes.js";

type Json = Record<string, any>;

const claim = (volumeName: string, phase = "Bound"): Json => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "data", namespace: "default" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...(volumeName ? { volumeName } : {}) },
  status: { phase },
});
const volume = (source: Json): Json => ({ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv" }, spec: { accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" }, ...source } });

/** The gateway's Get over a fixed set of objects. */
function gateway(...objects: Json[]): ClaimReader {
  return {
    async get(req: GetRequest): Promise<ApiObject> {
      const found = objects.find((o) => o["kind"] === req.kind && o["metadata"].name === req.name && (o["metadata"].namespace ?? "") === req.namespace);
      if (!found) throw new NotFoundError({ kind: req.kind, namespace: req.namespace, name: req.name });
      return toApiObject(found);
    },
  };
}

const pod = (readOnly = false) =>
  Pod.fromJSON({
    metadata: { name: "p", namespace: "default", uid: "u1" },
    spec: {
      containers: [{ name: "c", image: "busybox", volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "scratch", mountPath: "/tmp/s" }] }],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data", readOnly } }, { name: "scratch", emptyDir: {} }],
    },
  });

describe("claim volumes", () => {
  it.each([
    { name: "a hostPath volume", source: { hostPath: { path: "/mnt/data" } }, path: "/mnt/data" },
    { name: "a local volume", source: { local: { path: "/mnt/disk" }, nodeAffinity: {} }, path: "/mnt/disk" },
  ])("mount $name's directory, created if missing", async ({ source, path }) => {
    const volumes = await resolveClaimVolumes(pod(), gateway(claim("pv"), volume(source)));
    expect(volumes).toEqual([{ name: "data", hostPath: { path, type: "DirectoryOrCreate" } }, pod().spec!.volumes[1]]);
  });

  it.each([
    { name: "the claim is missing", objects: [], error: NotFoundError },
    { name: "the claim is not bound", objects: [claim("")], error: ClaimNotMountableError },
    { name: "the claim is halfway bound", objects: [claim("pv", "Pending"), volume({ hostPath: { path: "/mnt/data" } })], error: ClaimNotMountableError },
  ])("refuse while $name", async ({ objects, error }) => {
    await expect(resolveClaimVolumes(pod(), gateway(...objects))).rejects.toBeInstanceOf(error);
  });

  it.each([
    { name: "a read-only claim volume mounts read-only", readOnly: true, mounts: [true, false] },
    { name: "a writable one as the container says", readOnly: false, mounts: [false, false] },
  ])("$name", async ({ readOnly, mounts }) => {
    const p = pod(readOnly);
    const runnable = withResolvedVolumes(p, await resolveClaimVolumes(p, gateway(claim("pv"), volume({ hostPath: { path: "/mnt/data" } }))));
    expect(runnable.spec!.containers[0]!.volumeMounts.map((m) => m.readOnly)).toEqual(mounts);
    expect(runnable.spec!.volumes[0]!.hostPath?.path).toBe("/mnt/data");
  });
});
