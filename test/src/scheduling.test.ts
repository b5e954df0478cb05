import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Event, type Pod } from "@capstan/api";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * Scheduling on three simulated nodes of different sizes, labels and taints, through real processes:
 * nodeSelector, node affinity, tolerations, pod anti-affinity, topology spread, preemption with
 * PriorityClasses applied by capctl (the preemptor nominated, its room kept from lower-priority pods), and an unschedulable pod that is bound as soon as a node it fits
 * changes (not at the periodic flush, which is a minute here).
 */
const fleet = {
  nodeGroups: [
    { namePrefix: "small-", count: 1, zone: "zone-a", capacity: { cpu: "2", memory: "4Gi" }, labels: { disk: "hdd" } },
    { namePrefix: "large-", count: 1, zone: "zone-b", capacity: { cpu: "8", memory: "16Gi" }, labels: { disk: "ssd" } },
    {
      namePrefix: "gpu-",
      count: 1,
      zone: "zone-c",
      capacity: { cpu: "4", memory: "8Gi" },
      labels: { accelerator: "gpu" },
      taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }],
    },
  ],
};
const ALL_NODES = ["gpu-1", "large-1", "small-1"];
const tolerateGpu = [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }];

let cluster: TestCluster;
const specDir = mkdtempSync(join(tmpdir(), "capstan-scheduling-"));

beforeAll(async () => {
  const spec = join(specDir, "fleet.json");
  writeFileSync(spec, JSON.stringify(fleet));
  // A minute between flushes of unschedulable pods, so a quick retry can only come from a cluster event.
  cluster = await startTestCluster({ nodes: 0, simulatedNodes: spec, env: { CAPSTAN_UNSCHEDULABLE_RETRY_MS: "60000", CAPSTAN_SIMULATED_START_MS: "100" } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(specDir, { recursive: true, force: true });
});

type Json = Record<string, unknown>;

function podManifest(name: string, spec: Json, labels: Record<string, string> = {}, cpu = "100m"): Json {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { test: "scheduling", ...labels } },
    spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu, memory: "64Mi" } } }], ...spec },
  };
}

function deploymentManifest(name: string, replicas: number, podSpec: Json): Json {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "100m", memory: "64Mi" } } }], ...podSpec },
      },
    },
  };
}

const getPod = async (name: string): Promise<Pod | undefined> => {
  const items = (await cluster.client.list({ kind: "Pod", namespace: "default", fieldSelector: `metadata.name=${name}` })).items;
  return items[0]?.pod;
};

async function boundNode(name: string, timeoutMs = 30_000): Promise<string> {
  return eventually(async () => (await getPod(name))?.spec?.nodeName || undefined, { timeoutMs, intervalMs: 100, what: `pod ${name} bound` });
}

async function nodesOfApp(app: string, replicas: number): Promise<string[]> {
  return eventually(
    async () => {
      const pods = (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: `app=${app}` })).items.map((o) => o.pod!);
      const nodes = pods.map((p) => p.spec?.nodeName ?? "").filter((n) => n !== "");
      return pods.length === replicas && nodes.length === replicas ? nodes.sort() : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${replicas} ${app} pods bound` },
  );
}

async function eventsOf(pod: string, reason: string): Promise<Event[]> {
  const items = (await cluster.client.list({ kind: "Event", namespace: "default", fieldSelector: `involvedObject.name=${pod},reason=${reason}` })).items;
  return items.map((o) => o.event!);
}

describe("scheduling on three nodes of different sizes, labels and taints", () => {
  it("starts with every node Ready", async () => {
    await eventually(
      async () => {
        const nodes = (await cluster.client.list({ kind: "Node" })).items.map((o) => o.node!);
        const ready = nodes.filter((n) => n.status?.conditions.some((c) => c.type === "Ready" && c.status === "True"));
        return ready.length === 3;
      },
      { timeoutMs: 60_000, what: "3 Ready nodes" },
    );
  });

  it.each([
    { name: "by-selector", spec: { nodeSelector: { disk: "ssd" } }, want: "large-1" },
    {
      name: "by-affinity",
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "NotIn", values: ["zone-b"] }] }],
            },
          },
        },
      },
      // zone-c's node is tainted, so of the two zones the rule allows only small-1's remains.
      want: "small-1",
    },
    {
      name: "tolerating-gpu",
      spec: {
        tolerations: tolerateGpu,
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "accelerator", operator: "Exists" }] }] } } },
      },
      want: "gpu-1",
    },
  ])("places $name on $want", async ({ name, spec, want }) => {
    await cluster.client.create(toApiObject(podManifest(name, spec)));
    expect(await boundNode(name)).toBe(want);
  });

  it("spreads a Deployment one replica per node with required pod anti-affinity", async () => {
    const antiAffinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "spread-hosts" } }, topologyKey: "kubernetes.io/hostname" }],
      },
    };
    await cluster.client.create(toApiObject(deploymentManifest("spread-hosts", 3, { tolerations: tolerateGpu, affinity: antiAffinity })));
    expect(await nodesOfApp("spread-hosts", 3)).toEqual(ALL_NODES);
  });

  it("balances a Deployment over the zones with a topology spread constraint", async () => {
    const spread = [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "spread-zones" } } }];
    await cluster.client.create(toApiObject(deploymentManifest("spread-zones", 6, { tolerations: tolerateGpu, topologySpreadConstraints: spread })));
    const nodes = await nodesOfApp("spread-zones", 6);
    expect(nodes).toEqual(["gpu-1", "gpu-1", "large-1", "large-1", "small-1", "small-1"]);
  });

  it("preempts a low-priority pod for a high-priority one on a full node, with PriorityClasses applied by capctl", async () => {
    const classes = [
      "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: low\nvalue: 100\ndescription: batch work",
      "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: high\nvalue: 1000000\ndescription: serving",
    ].join("\n---\n");
    const applied = await cluster.capctl(["apply", "-f", "-"], classes);
    expect(applied.stderr).toBe("");
    const table = await cluster.capctl(["get", "pc"]);
    expect(table.stdout).toMatch(/^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\n/);
    expect(table.stdout).toMatch(/\nhigh\s+1000000\s+false\s+/);
    expect(table.stdout).toMatch(/\nsystem-node-critical\s+2000001000\s+false\s+/);

    // large-1 (8 cpu) holds 5 × 100m; the filler takes 7 of the rest, so the high-priority pod's 6 cannot fit.
    await cluster.client.create(toApiObject(podManifest("filler", { nodeSelector: { disk: "ssd" }, priorityClassName: "low" }, {}, "7")));
    expect(await boundNode("filler")).toBe("large-1");
    expect((await getPod("filler"))?.spec?.priority).toBe(100);

    await cluster.client.create(toApiObject(podManifest("important", { nodeSelector: { disk: "ssd" }, priorityClassName: "high" }, {}, "6")));
    // Nominated while the filler terminates (the node agent's status reports after binding do not keep the field).
    const nominated = await eventually(async () => (await getPod("important"))?.status?.nominatedNodeName || undefined, {
      timeoutMs: 30_000,
      intervalMs: 20,
      what: "important nominated",
    });
    expect(nominated).toBe("large-1");
    await eventually(async () => (await getPod("filler")) === undefined, { timeoutMs: 30_000, intervalMs: 20, what: "the filler preempted" });
    // At once, while important still backs off: 2 cpu at low priority fits the room freed for important
    // (7.5 cpu) but not beside it (1.5), so it must wait.
    await cluster.client.create(toApiObject(podManifest("sneaky", { nodeSelector: { disk: "ssd" }, priorityClassName: "low" }, {}, "2")));
    expect(await boundNode("important", 60_000)).toBe("large-1");
    expect((await getPod("important"))?.spec?.priority).toBe(1000000);
    const preempted = await eventsOf("filler", "Preempted");
    expect(preempted[0]?.message).toMatch(/^Preempted by pod .+ on node large-1$/);
    // Had sneaky taken the room, important would have preempted it: it would be gone, not pending.
    await eventually(async () => (await eventsOf("sneaky", "FailedScheduling"))[0], { timeoutMs: 30_000, what: "sneaky refused" });
    expect((await getPod("sneaky"))?.spec?.nodeName).toBe("");
    expect(await eventsOf("sneaky", "Preempted")).toEqual([]);
    await cluster.client.delete({ kind: "Pod", namespace: "default", name: "sneaky", gracePeriodSeconds: 0 });
  });

  it("leaves a pod with scheduling gates alone until the last gate is removed", async () => {
    await cluster.client.create(toApiObject(podManifest("gated", { schedulingGates: [{ name: "example.com/quota" }] })));
    await cluster.client.create(toApiObject(podManifest("after-gated", {})));
    await boundNode("after-gated");
    const gated = (await getPod("gated"))!;
    expect(gated.spec?.nodeName).toBe("");
    gated.spec!.schedulingGates = [];
    await cluster.client.update({ pod: gated });
    await boundNode("gated", 10_000);
  });

  it("says why no node fits, and binds the pod as soon as a node it fits changes", async () => {
    // 3 cpu: small-1 (2) and large-1 (1.5 free) are too small; gpu-1 (4) is tainted.
    await cluster.client.create(toApiObject(podManifest("waiting", {}, {}, "3")));
    const failed = await eventually(async () => (await eventsOf("waiting", "FailedScheduling"))[0], { timeoutMs: 30_000, what: "a FailedScheduling event" });
    expect(failed.type).toBe("Warning");
    expect(failed.message).toMatch(/^0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: gpu\}, 2 Insufficient cpu\. preemption: /);
    expect((await getPod("waiting"))?.spec?.nodeName).toBe("");

    const gpu = (await cluster.client.get({ kind: "Node", namespace: "", name: "gpu-1" })).node!;
    gpu.spec!.taints = [];
    const untainted = Date.now();
    await cluster.client.update({ node: gpu });
    expect(await boundNode("waiting", 10_000)).toBe("gpu-1");
    // The flush interval is a minute: only the node's change can have woken the pod this fast.
    expect(Date.now() - untainted).toBeLessThan(5_000);
  });
});
