import { describe, expect, it } from "vitest";
import { VolumeCache } from "../../cache/volume-cache.js";
import { CycleState } from "../../framework/cycle-state.js";
import { aNode, aPod, type PodBuilder } from "../../testing/builders.js";
import { ERR_REASON_BIND_CONFLICT, ERR_REASON_NODE_CONFLICT, VolumeBinding } from "./volume-binding.js";

type Json = Record<string, unknown>;

const claim = (name: string, volumeName = "", phase = volumeName ? "Bound" : "Pending"): Json => ({
  metadata: { name, namespace: "default", uid: `uid-${name}` },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...(volumeName ? { volumeName } : {}) },
  status: { phase },
});

const volume = (name: string, zone?: string): Json => ({
  metadata: { name },
  spec: {
    accessModes: ["ReadWriteOnce"],
    capacity: { storage: "1Gi" },
    ...(zone
      ? { local: { path: "/mnt/disk" }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: [zone] }] }] } } }
      : { hostPath: { path: "/mnt/data" } }),
  },
  status: { phase: "Bound" },
});

function pluginWith(claims: Json[], volumes: Json[]): VolumeBinding {
  const cache = new VolumeCache();
  cache.replaceClaims(claims);
  cache.replaceVolumes(volumes);
  return new VolumeBinding(cache);
}

describe("VolumeBinding", () => {
  it.each<{ name: string; pod: PodBuilder; claims: Json[]; volumes: Json[]; code: string; reasons: string[] }>([
    { name: "a pod without claims is skipped", pod: aPod(), claims: [], volumes: [], code: "Skip", reasons: [] },
    { name: "a claim that does not exist", pod: aPod().claim("data"), claims: [], volumes: [], code: "UnschedulableAndUnresolvable", reasons: ['persistentvolumeclaim "data" not found'] },
    { name: "a claim in another namespace does not count", pod: aPod().claim("data"), claims: [{ ...claim("data", "pv"), metadata: { name: "data", namespace: "other" } }], volumes: [volume("pv")], code: "UnschedulableAndUnresolvable", reasons: ['persistentvolumeclaim "data" not found'] },
    { name: "a claim not yet bound", pod: aPod().claim("data"), claims: [claim("data")], volumes: [], code: "Unschedulable", reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: "a claim halfway bound (volumeName set, still Pending)", pod: aPod().claim("data"), claims: [claim("data", "pv", "Pending")], volumes: [volume("pv")], code: "Unschedulable", reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: "one of two claims unbound", pod: aPod().claim("a").claim("b"), claims: [claim("a", "pv"), claim("b")], volumes: [volume("pv")], code: "Unschedulable", reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: "a bound claim whose volume is gone", pod: aPod().claim("data"), claims: [claim("data", "pv")], volumes: [], code: "UnschedulableAndUnresolvable", reasons: ['persistentvolume "pv" not found'] },
    { name: "bound claims", pod: aPod().claim("a").claim("b"), claims: [claim("a", "pv-a"), claim("b", "pv-b")], volumes: [volume("pv-a"), volume("pv-b", "z1")], code: "Success", reasons: [] },
  ])("PreFilter: $name", ({ pod, claims, volumes, code, reasons }) => {
    const status = pluginWith(claims, volumes).preFilter(new CycleState(), pod.build());
    expect({ code: status.code, reasons: status.reasons }).toEqual({ code, reasons });
  });

  it.each([
    { name: "a hostPath volume fits any node", volumes: [volume("pv")], zone: "z2", code: "Success" },
    { name: "a local volume on the node's zone", volumes: [volume("pv", "z1")], zone: "z1", code: "Success" },
    { name: "a local volume elsewhere", volumes: [volume("pv", "z1")], zone: "z2", code: "UnschedulableAndUnresolvable" },
  ])("Filter: $name", ({ volumes, zone, code }) => {
    const plugin = pluginWith([claim("data", "pv")], volumes);
    const state = new CycleState();
    const pod = aPod().claim("data").build();
    expect(plugin.preFilter(state, pod).code).toBe("Success");
    const status = plugin.filter(state, pod, aNode("n1").labels({ zone }).build());
    expect(status.code).toBe(code);
    if (code !== "Success") expect(status.reasons).toEqual([ERR_REASON_NODE_CONFLICT]);
  });
});
