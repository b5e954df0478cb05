/**
 * ResourceQuota and LimitRange through a real cluster: 50 concurrent pod creates through the gRPC client
 * against a quota of pods=10 (exactly 10 admitted, 40 Forbidden with Kubernetes' message, used exact),
 * a delete freeing one, a cpu/memory quota charging requests and refusing a pod that names none, a
 * quota created in a namespace that already holds objects, LimitRange defaults on the created pod and
 * a bound refused, and what `capctl get quota` and `describe quota` print.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wrapObject, Pod, ResourceQuota, LimitRange, ConfigMap, unwrapObject, toKubernetesJSON } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { startTestCluster, type TestCluster } from "./support/index.js";

let cluster: TestCluster;

const namespaces = ["quota-pods", "quota-compute", "quota-later", "quota-racing", "limits"];

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 0 });
  const manifests = namespaces.map((ns) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`).join("---\n");
  await cluster.capctlOk(["apply", "-f", "-"], manifests);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

function pod(namespace: string, name: string, resources?: { requests?: Record<string, string>; limits?: Record<string, string> }) {
  return wrapObject("Pod", Pod.fromPartial({ metadata: { name, namespace }, spec: { containers: [{ name: "app", image: "nginx", ...(resources ? { resources } : {}) }] } }));
}

function quota(namespace: string, name: string, hard: Record<string, string>) {
  return wrapObject("ResourceQuota", ResourceQuota.fromPartial({ metadata: { name, namespace }, spec: { hard } }));
}

async function used(namespace: string, name: string): Promise<Record<string, string>> {
  const { message } = unwrapObject(await cluster.client.get({ kind: "ResourceQuota", namespace, name }));
  return (message as ResourceQuota).status?.used ?? {};
}

/** The error a write fails with, as "Code: message". */
async function refusal(write: Promise<unknown>): Promise<string> {
  try {
    await write;
  } catch (e) {
    return isCapstanError(e) ? `${e.code}: ${e.message}` : String(e);
  }
  throw new Error("the write succeeded");
}

describe("ResourceQuota", () => {
  it("admits exactly 10 of 50 concurrent pod creates against pods=10, the rest Forbidden with Kubernetes' message", async () => {
    const ns = "quota-pods";
    await cluster.client.create(quota(ns, "pods-max", { pods: "10" }));
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => cluster.client.create(pod(ns, `p${i}`))));
    const admitted = results.filter((r) => r.status === "fulfilled");
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    expect(admitted).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const e of refused) {
      expect(isCapstanError(e) && e.code).toBe("Forbidden");
      expect((e as Error).message).toMatch(/^pods "p\d+" is forbidden: exceeded quota: pods-max, requested: pods=1, used: pods=10, limited: pods=10$/);
    }
    expect((await cluster.client.list({ kind: "Pod", namespace: ns })).items).toHaveLength(10);
    expect(await used(ns, "pods-max")).toEqual({ pods: "10" });
  });

  it("frees one on a delete: one more pod is admitted, then the next refused", async () => {
    const ns = "quota-pods";
    const [first] = (await cluster.client.list({ kind: "Pod", namespace: ns })).items.map((o) => unwrapObject(o).message.metadata?.name ?? "");
    await cluster.client.delete({ kind: "Pod", namespace: ns, name: first!, gracePeriodSeconds: 0 });
    expect(await used(ns, "pods-max")).toEqual({ pods: "9" });
    await cluster.client.create(pod(ns, "after-delete"));
    expect(await used(ns, "pods-max")).toEqual({ pods: "10" });
    expect(await refusal(cluster.client.create(pod(ns, "one-too-many")))).toBe(
      'Forbidden: pods "one-too-many" is forbidden: exceeded quota: pods-max, requested: pods=1, used: pods=10, limited: pods=10',
    );
  });

  it("keeps used when the quota is applied again with a new hard limit, and admits up to it", async () => {
    const ns = "quota-pods";
    const manifest = `apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: pods-max\n  namespace: ${ns}\nspec:\n  hard:\n    pods: "11"\n`;
    expect((await cluster.capctlOk(["apply", "-f", "-"], manifest)).trim()).toBe("resourcequota/pods-max configured");
    const { message } = unwrapObject(await cluster.client.get({ kind: "ResourceQuota", namespace: ns, name: "pods-max" }));
    expect((message as ResourceQuota).status).toEqual({ hard: { pods: "11" }, used: { pods: "10" } });
    await cluster.client.create(pod(ns, "eleventh"));
    expect(await used(ns, "pods-max")).toEqual({ pods: "11" });
  });

  it("charges cpu and memory requests, refuses what exceeds them, and a pod that names no requests", async () => {
    const ns = "quota-compute";
    await cluster.client.create(quota(ns, "compute", { "requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2" }));
    const sized = { requests: { cpu: "400m", memory: "256Mi" }, limits: { cpu: "800m" } };
    await cluster.client.create(pod(ns, "a", sized));
    await cluster.client.create(pod(ns, "b", sized));
    expect(await used(ns, "compute")).toEqual({ "limits.cpu": "1600m", "requests.cpu": "800m", "requests.memory": "512Mi" });
    expect(await refusal(cluster.client.create(pod(ns, "c", sized)))).toBe(
      'Forbidden: pods "c" is forbidden: exceeded quota: compute, requested: limits.cpu=800m,requests.cpu=400m, used: limits.cpu=1600m,requests.cpu=800m, limited: limits.cpu=2,requests.cpu=1',
    );
    expect(await refusal(cluster.client.create(pod(ns, "bare")))).toBe(
      'Forbidden: pods "bare" is forbidden: failed quota: compute: must specify limits.cpu for: app; requests.cpu for: app; requests.memory for: app',
    );
    // A pod that ended (its node agent writes its status) frees its compute.
    const a = unwrapObject(await cluster.client.get({ kind: "Pod", namespace: ns, name: "a" })).message as Pod;
    await cluster.client.updateStatus(wrapObject("Pod", Pod.fromPartial({ ...a, status: { ...a.status, phase: "Succeeded" } })));
    expect(await used(ns, "compute")).toEqual({ "limits.cpu": "800m", "requests.cpu": "400m", "requests.memory": "256Mi" });
    await cluster.client.create(pod(ns, "c", sized));
  });

  it("computes used at its create from what the namespace already holds", async () => {
    const ns = "quota-later";
    for (const name of ["one", "two", "three"]) {
      await cluster.client.create(wrapObject("ConfigMap", ConfigMap.fromPartial({ metadata: { name, namespace: ns }, data: { k: "v" } })));
    }
    await cluster.client.create(pod(ns, "web"));
    await cluster.client.create(quota(ns, "objects", { configmaps: "4", "count/pods": "5", resourcequotas: "1" }));
    expect(await used(ns, "objects")).toEqual({ configmaps: "3", "count/pods": "1", resourcequotas: "1" });
    await cluster.client.create(wrapObject("ConfigMap", ConfigMap.fromPartial({ metadata: { name: "four", namespace: ns } })));
    // Through the Kubernetes API the refusal is a 403, as kubectl shows it.
    const r = await cluster.kubectl(["create", "-f", "-"], `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: five\n  namespace: ${ns}\n`);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      'Error from server (Forbidden): error when creating "STDIN": configmaps "five" is forbidden: exceeded quota: objects, requested: configmaps=1, used: configmaps=4, limited: configmaps=4',
    );
  });

  it("counts every pod when it is created while 30 pod creates are in flight", async () => {
    const ns = "quota-racing";
    const creates = Array.from({ length: 30 }, (_, i) => cluster.client.create(pod(ns, `r${i}`)));
    await cluster.client.create(quota(ns, "racing", { pods: "100" }));
    await Promise.all(creates);
    expect(await used(ns, "racing")).toEqual({ pods: "30" });
  });

  it("capctl get quota prints used/hard in REQUEST and LIMIT; describe quota the Resource/Used/Hard table", async () => {
    const table = await cluster.capctlOk(["get", "quota", "-n", "quota-compute"]);
    const [header, row] = table.trim().split("\n").map((line) => line.split(/\s{3,}/));
    expect(header).toEqual(["NAME", "AGE", "REQUEST", "LIMIT"]);
    expect([row?.[0], row?.[2], row?.[3]]).toEqual(["compute", "requests.cpu: 800m/1, requests.memory: 512Mi/1Gi", "limits.cpu: 1600m/2"]);
    const described = await cluster.capctlOk(["describe", "quota", "compute", "-n", "quota-compute"]);
    expect(described.split("\n").map((line) => line.trim().split(/\s+/))).toEqual(
      expect.arrayContaining([
        ["Name:", "compute"],
        ["Resource", "Used", "Hard"],
        ["limits.cpu", "1600m", "2"],
        ["requests.cpu", "800m", "1"],
        ["requests.memory", "512Mi", "1Gi"],
      ]),
    );
    // Stock kubectl gets the same columns from the gateway's Kubernetes API.
    expect(await cluster.kubectlOk(["get", "quota", "-n", "quota-compute"])).toContain("requests.cpu: 800m/1, requests.memory: 512Mi/1Gi   limits.cpu: 1600m/2");
  });
});

describe("LimitRange", () => {
  beforeAll(async () => {
    const lr = LimitRange.fromPartial({
      metadata: { name: "container-limits", namespace: "limits" },
      spec: { limits: [{ type: "Container", max: { cpu: "1" }, default: { cpu: "500m", memory: "128Mi" }, defaultRequest: { cpu: "100m", memory: "64Mi" } }] },
    });
    await cluster.client.create(wrapObject("LimitRange", lr));
  });

  it("gives a created pod's container the default requests and limits it names none of", async () => {
    const created = toKubernetesJSON("Pod", unwrapObject(await cluster.client.create(pod("limits", "defaulted"))).message as Pod);
    expect(created).toMatchObject({
      metadata: { annotations: { "kubernetes.io/limit-ranger": "LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app" } },
      spec: { containers: [{ resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } } }] },
    });
  });

  it("refuses a container over the max with Kubernetes' message", async () => {
    expect(await refusal(cluster.client.create(pod("limits", "too-big", { limits: { cpu: "2" } })))).toBe(
      'Forbidden: pods "too-big" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    );
  });
});
