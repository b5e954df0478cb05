import { describe, expect, it } from "vitest";
import { VolumeCache } from "../../cache/volume-cache.js";
import { CycleState } from "../../framework/cycle-state.js";
import { aNode, aPod, type PodBuilder } from "../../testing/builders.js";
import { ERR_REASON_BIND_CONFLICT, ERR_REASON_NODE_CONFLICT, ERR_REASON_NO_VOLUMES, VolumeBinding, type ClaimBinder } from "./volume-binding.js";

type Json = Record<string, unknown>;

const claim = (name: string, volumeName = "", phase = volumeName ? "Bound" : "Pending"): Json => ({
  metadata: { name, namespace: "default", uid: `uid-${name}` },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...(volumeName ? { volumeName } : {}) },
  status: { phase },
});

/** An unbound claim of a class, with the node the scheduler selected for it, if any. */
const classClaim = (name: string, storageClassName: string, selectedNode?: string): Json => ({
  metadata: { name, namespace: "default", uid: `uid-${name}`, ...(selectedNode ? { annotations: { "volume.kubernetes.io/selected-node": selectedNode } } : {}) },
  spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: "1Gi" } } },
  status: { phase: "Pending" },
});

const storageClass = (name: string, volumeBindingMode: string, allowedTopologies: Json[] = []): Json => ({
  metadata: { name },
  provisioner: "capstan.io/local-path",
  volumeBindingMode,
  allowedTopologies,
});
const classes = [storageClass("later", "WaitForFirstConsumer"), storageClass("now", "Immediate"), storageClass("zoned", "WaitForFirstConsumer", [{ matchLabelExpressions: [{ key: "zone", values: ["z1"] }] }])];

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

/**
 * Assumes in the cache, as the scheduler's binder does; records the nodes selected, as `claim@node`, and
 * binds a claim at once unless it is in `neverBound`.
 */
function aBinder(cache: VolumeCache, neverBound: string[] = []): ClaimBinder & { selected: string[] } {
  const selected: string[] = [];
  return {
    selected,
    assumeSelectedNode: (namespace, name, nodeName) => cache.assumeSelectedNode(namespace, name, nodeName),
    revertSelectedNode: (namespace, name) => cache.revertSelectedNode(namespace, name),
    selectNode: async (_namespace, name, nodeName) => void selected.push(`${name}@${nodeName}`),
    waitForBound: async (_namespace, name) => !neverBound.includes(name),
  };
}

function cacheWith(claims: Json[], volumes: Json[]): VolumeCache {
  const cache = new VolumeCache();
  cache.replaceClaims(claims);
  cache.replaceVolumes(volumes);
  cache.replaceClasses(classes);
  return cache;
}

function pluginWith(claims: Json[], volumes: Json[], neverBound: string[] = []): { plugin: VolumeBinding; binder: ReturnType<typeof aBinder> } {
  const cache = cacheWith(claims, volumes);
  const binder = aBinder(cache, neverBound);
  return { plugin: new VolumeBinding(cache, binder, { bindTimeoutSeconds: 1 }), binder };
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
    { name: "an unbound claim of a WaitForFirstConsumer class waits for the pod's node", pod: aPod().claim("data"), claims: [classClaim("data", "later")], volumes: [], code: "Success", reasons: [] },
    { name: "an unbound claim of an Immediate class", pod: aPod().claim("data"), claims: [classClaim("data", "now")], volumes: [], code: "Unschedulable", reasons: [ERR_REASON_BIND_CONFLICT] },
    { name: "an unbound claim of a class that does not exist", pod: aPod().claim("data"), claims: [classClaim("data", "gone")], volumes: [], code: "Unschedulable", reasons: [ERR_REASON_BIND_CONFLICT] },
  ])("PreFilter: $name", ({ pod, claims, volumes, code, reasons }) => {
    const status = pluginWith(claims, volumes).plugin.preFilter(new CycleState(), pod.build());
    expect({ code: status.code, reasons: status.reasons }).toEqual({ code, reasons });
  });

  it.each([
    { name: "a hostPath volume fits any node", volumes: [volume("pv")], zone: "z2", code: "Success" },
    { name: "a local volume on the node's zone", volumes: [volume("pv", "z1")], zone: "z1", code: "Success" },
    { name: "a local volume elsewhere", volumes: [volume("pv", "z1")], zone: "z2", code: "UnschedulableAndUnresolvable" },
  ])("Filter: $name", ({ volumes, zone, code }) => {
    const { plugin } = pluginWith([claim("data", "pv")], volumes);
    const state = new CycleState();
    const pod = aPod().claim("data").build();
    expect(plugin.preFilter(state, pod).code).toBe("Success");
    const status = plugin.filter(state, pod, aNode("n1").labels({ zone }).build());
    expect(status.code).toBe(code);
    if (code !== "Success") expect(status.reasons).toEqual([ERR_REASON_NODE_CONFLICT]);
  });

  it.each([
    { name: "a claim to provision fits any node", claim: classClaim("data", "later"), node: "n2", zone: "z2", code: "Success" },
    { name: "a claim already selected for this node", claim: classClaim("data", "later", "n1"), node: "n1", zone: "z2", code: "Success" },
    { name: "a claim already selected for another node", claim: classClaim("data", "later", "n1"), node: "n2", zone: "z2", code: "UnschedulableAndUnresolvable" },
    { name: "a class whose topology allows the node", claim: classClaim("data", "zoned"), node: "n2", zone: "z1", code: "Success" },
    { name: "a class whose topology excludes the node", claim: classClaim("data", "zoned"), node: "n2", zone: "z2", code: "UnschedulableAndUnresolvable" },
  ])("Filter: $name", ({ claim: c, node, zone, code }) => {
    const { plugin } = pluginWith([c], []);
    const state = new CycleState();
    const pod = aPod().claim("data").build();
    expect(plugin.preFilter(state, pod).code).toBe("Success");
    const status = plugin.filter(state, pod, aNode(node).labels({ zone }).build());
    expect(status.code).toBe(code);
    if (code !== "Success") expect(status.reasons).toEqual([ERR_REASON_NO_VOLUMES]);
  });

  it.each([
    { name: "selects the node for each claim to provision, then waits for them to bind", claims: [classClaim("a", "later"), claim("b", "pv")], neverBound: [], code: "Success", selected: ["a@n1"] },
    { name: "leaves a claim already selected for the node as it is", claims: [classClaim("a", "later", "n1")], neverBound: [], code: "Success", selected: [] },
    { name: "skips a pod whose claims are all bound", claims: [claim("a", "pv")], neverBound: [], code: "Skip", selected: [] },
    { name: "fails when a claim is not bound in time", claims: [classClaim("a", "later")], neverBound: ["a"], code: "Error", selected: ["a@n1"] },
  ])("PreBind: $name", async ({ claims, neverBound, code, selected }) => {
    const { plugin, binder } = pluginWith(claims, [volume("pv")], neverBound);
    const state = new CycleState();
    const pod = claims.reduce((p, c) => p.claim((c["metadata"] as Json)["name"] as string), aPod()).build();
    expect(plugin.preFilter(state, pod).code).toBe("Success");
    const status = await plugin.preBind(state, pod, "n1");
    expect(status.code).toBe(code);
    expect(binder.selected).toEqual(selected);
  });
});

describe("VolumeBinding Reserve", () => {
  it("sends a second pod sharing a claim to the node reserved for the first, until Unreserve", () => {
    const { plugin } = pluginWith([classClaim("shared", "later")], []);
    const pod = aPod().claim("shared").build();
    const first = new CycleState();
    expect(plugin.preFilter(first, pod).code).toBe("Success");
    expect(plugin.reserve(first, pod, "n1").code).toBe("Success");

    const filterOn = (node: string) => {
      const state = new CycleState();
      plugin.preFilter(state, pod);
      return plugin.filter(state, pod, aNode(node).build()).code;
    };
    expect([filterOn("n1"), filterOn("n2")]).toEqual(["Success", "UnschedulableAndUnresolvable"]);
    plugin.unreserve(first, pod);
    expect([filterOn("n1"), filterOn("n2")]).toEqual(["Success", "Success"]);
  });
});

describe("VolumeCache.waitForBound", () => {
  it("resolves when the claim's event shows it Bound, or false at the deadline", async () => {
    const cache = new VolumeCache();
    cache.replaceClaims([classClaim("data", "later")]);
    const bound = cache.waitForBound("default", "data", 5_000);
    cache.setClaim(claim("data", "pv", "Pending"));
    cache.setClaim(claim("data", "pv"));
    expect(await bound).toBe(true);
    expect(await cache.waitForBound("default", "data", 5_000)).toBe(true);
    expect(await cache.waitForBound("default", "other", 10)).toBe(false);
  });

  it("resolves false when the claim is deleted while it waits", async () => {
    const cache = new VolumeCache();
    cache.replaceClaims([classClaim("data", "later")]);
    const bound = cache.waitForBound("default", "data", 5_000);
    cache.deleteClaim(classClaim("data", "later"));
    expect(await bound).toBe(false);
  });
});
