import type { FieldError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { applyDefaults } from "./defaults.js";
import { decodeManifest } from "./manifest.js";
import { validateObject } from "./validation.js";

type Json = Record<string, any>;

/** /work/shared/examples/pv-pvc.yaml, as kubectl would send it. */
const pv = (): Json => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name: "pv" },
  spec: { accessModes: ["ReadWriteOnce"], storageClassName: "ssd", capacity: { storage: "10Gi" }, hostPath: { path: "/mnt/mydata" } },
});
const pvc = (): Json => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "pvc", namespace: "default" },
  spec: { accessModes: ["ReadWriteOnce"], storageClassName: "ssd", resources: { requests: { storage: "10Gi" } } },
});

function edited(base: () => Json, edit: (spec: Json) => void): Json {
  const obj = base();
  edit(obj["spec"]);
  return obj;
}

const localAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["node-1"] }] }] } };

describe("PersistentVolume and PersistentVolumeClaim", () => {
  it.each([
    { name: "volume", manifest: pv() },
    { name: "claim", manifest: pvc() },
  ])("the example $name decodes, validates and keeps its fields", ({ manifest }) => {
    const { kind, json } = decodeManifest(manifest);
    expect(validateObject(kind, json)).toEqual([]);
    expect((applyDefaults(kind, json) as Json)["spec"]).toMatchObject(manifest["spec"]);
  });

  it("defaults a volume to Retain, Filesystem and Pending", () => {
    const { kind, json } = decodeManifest(pv());
    const defaulted = applyDefaults(kind, json) as Json;
    expect(defaulted["spec"]).toMatchObject({ persistentVolumeReclaimPolicy: "Retain", volumeMode: "Filesystem" });
    expect(defaulted["status"]).toEqual({ phase: "Pending" });
  });

  it("defaults a claim to Filesystem and Pending", () => {
    const { kind, json } = decodeManifest(pvc());
    const defaulted = applyDefaults(kind, json) as Json;
    expect(defaulted["spec"]["volumeMode"]).toBe("Filesystem");
    expect(defaulted["status"]).toEqual({ phase: "Pending" });
  });

  it.each<{ name: string; obj: Json; errors: FieldError[] }>([
    { name: "volume without access modes", obj: edited(pv, (s) => delete s["accessModes"]), errors: [{ path: "spec.accessModes", message: "Required value" }] },
    {
      name: "volume with an unknown access mode",
      obj: edited(pv, (s) => (s["accessModes"] = ["ReadWriteSometimes"])),
      errors: [{ path: "spec.accessModes", message: 'Unsupported value "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"' }],
    },
    {
      name: "volume mixing ReadWriteOncePod",
      obj: edited(pv, (s) => (s["accessModes"] = ["ReadWriteOncePod", "ReadOnlyMany"])),
      errors: [{ path: "spec.accessModes", message: "Forbidden: may not use ReadWriteOncePod with other access modes" }],
    },
    { name: "volume without capacity", obj: edited(pv, (s) => delete s["capacity"]), errors: [{ path: "spec.capacity", message: "Required value" }] },
    {
      name: "volume with capacity other than storage",
      obj: edited(pv, (s) => (s["capacity"] = { cpu: "1" })),
      errors: [{ path: "spec.capacity", message: 'Unsupported value {"cpu":"1"}: supported values: "storage"' }],
    },
    {
      name: "volume with a negative capacity",
      obj: edited(pv, (s) => (s["capacity"] = { storage: "-1Gi" })),
      errors: [{ path: "spec.capacity[storage]", message: 'Invalid value "-1Gi": must be greater than or equal to 0' }],
    },
    {
      name: "volume with an unknown reclaim policy",
      obj: edited(pv, (s) => (s["persistentVolumeReclaimPolicy"] = "Keep")),
      errors: [{ path: "spec.persistentVolumeReclaimPolicy", message: 'Unsupported value "Keep": supported values: "Delete", "Recycle", "Retain"' }],
    },
    { name: "volume without a source", obj: edited(pv, (s) => delete s["hostPath"]), errors: [{ path: "spec", message: "Required value: must specify a volume type" }] },
    {
      name: "volume with two sources",
      obj: edited(pv, (s) => Object.assign(s, { local: { path: "/mnt/disk" }, nodeAffinity: localAffinity })),
      errors: [{ path: "spec.local", message: "Forbidden: may not specify more than 1 volume type" }],
    },
    { name: "hostPath without a path", obj: edited(pv, (s) => (s["hostPath"] = { path: "" })), errors: [{ path: "spec.hostPath.path", message: "Required value" }] },
    {
      name: "local volume without node affinity",
      obj: edited(pv, (s) => (delete s["hostPath"], (s["local"] = { path: "/mnt/disk" }))),
      errors: [{ path: "spec.nodeAffinity", message: "Required value: Local volume requires node affinity" }],
    },
    {
      name: "local volume with a relative path",
      obj: edited(pv, (s) => (delete s["hostPath"], Object.assign(s, { local: { path: "disk" }, nodeAffinity: localAffinity }))),
      errors: [{ path: "spec.local.path", message: 'Invalid value "disk": must be an absolute path' }],
    },
    {
      name: "node affinity without required terms",
      obj: edited(pv, (s) => (s["nodeAffinity"] = {})),
      errors: [{ path: "spec.nodeAffinity.required", message: "Required value: must specify required node constraints" }],
    },
    {
      name: "volume with an unknown volume mode",
      obj: edited(pv, (s) => (s["volumeMode"] = "Raw")),
      errors: [{ path: "spec.volumeMode", message: 'Unsupported value "Raw": supported values: "Block", "Filesystem"' }],
    },
    {
      name: "claim without access modes",
      obj: edited(pvc, (s) => delete s["accessModes"]),
      errors: [{ path: "spec.accessModes", message: "Required value: at least 1 access mode is required" }],
    },
    { name: "claim without a storage request", obj: edited(pvc, (s) => delete s["resources"]), errors: [{ path: "spec.resources[storage]", message: "Required value" }] },
    {
      name: "claim requesting zero storage",
      obj: edited(pvc, (s) => (s["resources"] = { requests: { storage: "0" } })),
      errors: [{ path: "spec.resources[storage]", message: 'Invalid value "0": must be greater than zero' }],
    },
    {
      name: "claim with a bad storage class name",
      obj: edited(pvc, (s) => (s["storageClassName"] = "SSD")),
      errors: [{ path: "spec.storageClassName", message: expect.stringContaining('Invalid value "SSD": a lowercase RFC 1123 subdomain') }],
    },
    {
      name: "claim with a bad selector",
      obj: edited(pvc, (s) => (s["selector"] = { matchExpressions: [{ key: "tier", operator: "Near" }] })),
      errors: [{ path: "spec.selector.matchExpressions[0].operator", message: expect.stringContaining('"Near"') }],
    },
  ])("rejects a $name", ({ obj, errors }) => {
    const { kind, json } = decodeManifest(obj);
    expect(validateObject(kind, json)).toEqual(errors);
  });

  it("a pod volume from a claim needs the claim's name", () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: {
        containers: [{ name: "c", image: "busybox", volumeMounts: [{ name: "data", mountPath: "/data" }] }],
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: "" } }],
      },
    };
    const { kind, json } = decodeManifest(pod);
    expect(validateObject(kind, json)).toEqual([{ path: "spec.volumes[0].persistentVolumeClaim.claimName", message: "Required value" }]);
    const claimed = { ...pod, spec: { ...pod.spec, volumes: [{ name: "data", persistentVolumeClaim: { claimName: "pvc", readOnly: true } }] } };
    const decoded = decodeManifest(claimed);
    expect(validateObject(decoded.kind, decoded.json)).toEqual([]);
    expect((applyDefaults(decoded.kind, decoded.json) as Json)["spec"]["volumes"]).toEqual([{ name: "data", persistentVolumeClaim: { claimName: "pvc", readOnly: true } }]);
  });
});
