import { describe, expect, it } from "vitest";
import { isCapstanError, type Decide, type JsonObject, type ObjectKey, type ObjectRecord, type Verb } from "@capstan/apimachinery";
import type { AdmissionContext } from "../kind-strategy.js";
import { resourceQuotaAdmission, resourceQuotaKey, withResourceQuotas } from "./quota-admission.js";
import type { CountedKind } from "./quota-usage.js";

const pods: CountedKind = { kind: "Pod", plural: "pods", group: "" };
const configMaps: CountedKind = { kind: "ConfigMap", plural: "configmaps", group: "" };

function record(key: ObjectKey, object: JsonObject): ObjectRecord {
  return { ...key, uid: `uid-${key.name}`, nodeName: "", revision: 1, object };
}

function quota(name: string, hard: Record<string, string>, used: Record<string, string>): ObjectRecord {
  const key = resourceQuotaKey("default", name);
  return record(key, { apiVersion: "v1", kind: "ResourceQuota", metadata: { name, namespace: "default" }, spec: { hard }, status: { hard, used } });
}

function pod(name: string, resources: JsonObject = {}, phase = "Pending"): JsonObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { containers: [{ name: "app", image: "nginx", resources }] }, status: { phase } };
}

const writes = (object: JsonObject, type: "ADDED" | "MODIFIED" | "DELETED" = "ADDED"): Decide => () => ({ type, object });

/** The write decided against these quotas: its error message, or the quotas' used after it. */
function decideWith(counted: CountedKind, verb: Verb, decide: Decide, quotas: ObjectRecord[], current?: JsonObject) {
  const key = { kind: counted.kind, namespace: "default", name: "x" };
  const byName = new Map(quotas.map((q) => [q.name, q]));
  const decided = withResourceQuotas({ key, counted, verb, quotas: [...byName.keys()] }, decide)(current && record(key, current), (k) => byName.get(k.name));
  if ("error" in decided) return { error: isCapstanError(decided.error) ? `${decided.error.code}: ${decided.error.message}` : String(decided.error) };
  return { used: Object.fromEntries((decided.related ?? []).map((w) => [w.key.name, (w.object["status"] as JsonObject)["used"]])) };
}

const requests = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { cpu, memory } });

describe("resource quota admission", () => {
  it.each([
    {
      name: "a pod create is charged: pods and its requests",
      counted: pods,
      verb: "create" as Verb,
      decide: writes(pod("p", requests("250m", "64Mi"))),
      quotas: [quota("compute", { pods: "10", "requests.cpu": "2" }, { pods: "3", "requests.cpu": "1" })],
      want: { used: { compute: { pods: "4", "requests.cpu": "1250m" } } },
    },
    {
      name: "a create past the hard limit is refused with Kubernetes' message",
      counted: pods,
      verb: "create" as Verb,
      decide: writes(pod("p")),
      quotas: [quota("pods-max", { pods: "10" }, { pods: "10" })],
      want: { error: 'Forbidden: pods "x" is forbidden: exceeded quota: pods-max, requested: pods=1, used: pods=10, limited: pods=10' },
    },
    {
      name: "a pod without the requests a quota limits is refused",
      counted: pods,
      verb: "create" as Verb,
      decide: writes(pod("p")),
      quotas: [quota("compute", { "requests.cpu": "2", "limits.memory": "1Gi" }, { "requests.cpu": "0", "limits.memory": "0" })],
      want: { error: 'Forbidden: pods "x" is forbidden: failed quota: compute: must specify limits.memory for: app; requests.cpu for: app' },
    },
    {
      name: "a delete frees what the object used",
      counted: pods,
      verb: "delete" as Verb,
      decide: writes(pod("p", requests("1", "1Gi")), "DELETED"),
      current: pod("p", requests("1", "1Gi")),
      quotas: [quota("compute", { pods: "10", "requests.memory": "4Gi" }, { pods: "2", "requests.memory": "2Gi" })],
      want: { used: { compute: { pods: "1", "requests.memory": "1Gi" } } },
    },
    {
      name: "a pod that ends frees its compute but still counts as an object",
      counted: pods,
      verb: "status" as Verb,
      decide: writes(pod("p", requests("500m", "64Mi"), "Succeeded"), "MODIFIED"),
      current: pod("p", requests("500m", "64Mi"), "Running"),
      quotas: [quota("compute", { pods: "10", "requests.cpu": "2", "count/pods": "20" }, { pods: "1", "requests.cpu": "500m", "count/pods": "1" })],
      want: { used: { compute: { pods: "0", "requests.cpu": "0", "count/pods": "1" } } },
    },
    {
      name: "an update past the hard limit is not refused (only creates are), and is charged",
      counted: pods,
      verb: "status" as Verb,
      decide: writes(pod("p", {}, "Running"), "MODIFIED"),
      current: pod("p", {}, "Failed"),
      quotas: [quota("pods-max", { pods: "1" }, { pods: "1" })],
      want: { used: { "pods-max": { pods: "2" } } },
    },
    {
      name: "object counts: a config map by its legacy name and count/configmaps",
      counted: configMaps,
      verb: "create" as Verb,
      decide: writes({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" } }),
      quotas: [quota("objects", { configmaps: "5", "count/configmaps": "5", pods: "1" }, { configmaps: "4", "count/configmaps": "4", pods: "1" })],
      want: { used: { objects: { configmaps: "5", "count/configmaps": "5", pods: "1" } } },
    },
    {
      name: "a write no quota counts leaves the quotas alone",
      counted: configMaps,
      verb: "create" as Verb,
      decide: writes({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "default" } }),
      quotas: [quota("compute", { pods: "1" }, { pods: "1" })],
      want: { used: {} },
    },
    {
      name: "every quota of the namespace is charged, and the first one exceeded refuses",
      counted: pods,
      verb: "create" as Verb,
      decide: writes(pod("p", requests("1", "1Gi"))),
      quotas: [quota("a", { pods: "5" }, { pods: "1" }), quota("b", { "requests.cpu": "1" }, { "requests.cpu": "500m" })],
      want: { error: 'Forbidden: pods "x" is forbidden: exceeded quota: b, requested: requests.cpu=1, used: requests.cpu=500m, limited: requests.cpu=1' },
    },
  ])("$name", ({ counted, verb, decide, quotas, current, want }) => {
    expect(decideWith(counted, verb, decide, quotas, current)).toEqual(want);
  });

  it("charges each write on the quota as the writes before it left it: exactly hard creates succeed", () => {
    const stored = new Map([["q", quota("q", { pods: "10" }, { pods: "0" })]]);
    let admitted = 0;
    for (let i = 0; i < 50; i++) {
      const key = { kind: "Pod", namespace: "default", name: `p${i}` };
      const decided = withResourceQuotas({ key, counted: pods, verb: "create", quotas: ["q"] }, writes(pod(key.name)))(undefined, (k) => stored.get(k.name));
      if ("error" in decided) continue;
      admitted++;
      for (const w of decided.related ?? []) stored.set(w.key.name, record(w.key, w.object));
    }
    expect(admitted).toBe(10);
    expect((stored.get("q")?.object["status"] as JsonObject)["used"]).toEqual({ pods: "10" });
  });
});

describe("a quota's own status", () => {
  const quotaKinds: CountedKind[] = [pods, configMaps, { kind: "ResourceQuota", plural: "resourcequotas", group: "" }];
  const stored = new Map<string, ObjectRecord>(
    [
      record({ kind: "Pod", namespace: "default", name: "running" }, pod("running", requests("500m", "64Mi"), "Running")),
      record({ kind: "Pod", namespace: "default", name: "done" }, pod("done", requests("1", "64Mi"), "Succeeded")),
      record({ kind: "ConfigMap", namespace: "default", name: "c" }, { kind: "ConfigMap", metadata: { name: "c", namespace: "default" } }),
    ].map((r) => [`${r.kind}/${r.name}`, r]),
  );
  // Only what admission asks of a server here: the kinds it counts and the namespace's objects.
  const ctx = {
    countedKinds: quotaKinds,
    namespaceObjects: async (_ns: string, kinds: readonly string[]) => [...stored.values()].filter((r) => kinds.includes(r.kind)),
  } as unknown as AdmissionContext;
  const key = resourceQuotaKey("default", "q");
  const spec = (hard: Record<string, string>) => ({ apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", namespace: "default" }, spec: { hard } });

  async function statusAfter(verb: "create" | "update", hard: Record<string, string>, current?: JsonObject) {
    const admit = verb === "create" ? resourceQuotaAdmission.create! : resourceQuotaAdmission.update!;
    const { decide, reads } = await admit(key, spec(hard), (o) => writes(o, current ? "MODIFIED" : "ADDED"), ctx);
    const decided = decide(current && record(key, current), (k) => (reads.some((r) => r.name === k.name) ? stored.get(`${k.kind}/${k.name}`) : undefined));
    return "error" in decided ? decided.error.message : decided.object["status"];
  }

  it("at its create: used from the namespace's objects, an ended pod's compute left out, itself counted", async () => {
    expect(await statusAfter("create", { pods: "5", "requests.cpu": "2", "count/pods": "9", configmaps: "3", resourcequotas: "1" })).toEqual({
      hard: { pods: "5", "requests.cpu": "2", "count/pods": "9", configmaps: "3", resourcequotas: "1" },
      used: { configmaps: "1", "count/pods": "2", pods: "1", "requests.cpu": "500m", resourcequotas: "1" },
    });
  });

  it("at an update: what it tracked stays as the writes left it, a resource it newly names is counted", async () => {
    const current = { ...spec({ pods: "5" }), status: { hard: { pods: "5" }, used: { pods: "4" } } };
    expect(await statusAfter("update", { pods: "6", configmaps: "3" }, current)).toEqual({ hard: { pods: "6", configmaps: "3" }, used: { configmaps: "1", pods: "4" } });
  });
});
