import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Pod } from "@capstan/api";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * Voluntary disruptions through real processes: a PodDisruptionBudget's status follows its pods (the
 * disruption controller), a drain of the node they run on is held back by the budget — through capctl
 * and through stock kubectl's eviction calls alike — and goes through once the budget allows, the pods
 * replaced on the other node one disruption at a time.
 */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 2 });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox
        command: [sleep, "3600"]
`;
const budget = (minAvailable: number) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: ${minAvailable}
  selector:
    matchLabels: {app: web}
`;

/** The Deployment's pods that are not terminating. */
async function livePods(): Promise<Pod[]> {
  const pods = (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: "app=web" })).items.map((o) => o.pod!);
  return pods.filter((p) => !p.metadata?.deletionTimestamp);
}

const budgetStatus = async () => (await cluster.client.get({ kind: "PodDisruptionBudget", namespace: "default", name: "web" })).podDisruptionBudget!.status;

describe("disruption budgets and drain", () => {
  it("keeps a budget's status in step with its pods", async () => {
    const [first, second] = cluster.nodeNames as [string, string];
    // Every pod on the first node: the second is cordoned while they are placed.
    expect((await cluster.capctlOk(["cordon", second])).trim()).toBe(`node/${second} cordoned`);
    expect((await cluster.capctlOk(["cordon", second])).trim()).toBe(`node/${second} already cordoned`);
    await cluster.capctlOk(["apply", "-f", "-"], DEPLOYMENT);
    await cluster.capctlOk(["apply", "-f", "-"], budget(3));
    await eventually(
      async () => {
        const pods = await livePods();
        const ready = pods.filter((p) => p.spec?.nodeName === first && p.status?.conditions.some((c) => c.type === "Ready" && c.status === "True"));
        return ready.length === 3 || undefined;
      },
      { timeoutMs: 60_000, what: `3 Ready pods on ${first}` },
    );
    expect((await cluster.capctlOk(["uncordon", second])).trim()).toBe(`node/${second} uncordoned`);
    const status = await eventually(async () => ((await budgetStatus())?.currentHealthy === 3 ? budgetStatus() : undefined), { timeoutMs: 30_000, what: "the budget counting 3 healthy pods" });
    expect(status).toMatchObject({ expectedPods: 3, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 });
    const table = (await cluster.capctlOk(["get", "pdb"])).trim().split("\n");
    expect(table[0]).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/);
    expect(table[1]).toMatch(/^web\s+3\s+N\/A\s+0\s+\S+$/);
    const described = await cluster.capctlOk(["describe", "pdb", "web"]);
    expect(described).toMatch(/^Min available:\s+3$/m);
    expect(described).toMatch(/^Selector:\s+app=web$/m);
    expect(described).toMatch(/^ {4}Allowed disruptions:\s+0$/m);
  });

  it("holds a drain back while the budget allows no disruption, through capctl and kubectl", async () => {
    const [first] = cluster.nodeNames as [string];
    const held = await cluster.capctl(["drain", first, "--timeout=7s"]);
    expect(held.code).toBe(1);
    expect(held.stdout).toContain(`node/${first} cordoned`);
    expect(held.stderr).toMatch(/^error when evicting pods\/"web-[a-z0-9-]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\.$/m);
    expect(held.stderr).toMatch(/global timeout reached: Cannot evict pod as it would violate the pod's disruption budget\./);
    // Stock kubectl finds pods/eviction in discovery and is held back the same way.
    const kubectl = await cluster.kubectl(["drain", first, "--timeout=7s"]);
    expect(kubectl.code).not.toBe(0);
    expect(kubectl.stderr).toMatch(/error when evicting pods\/"web-[a-z0-9-]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
    expect((await livePods()).filter((p) => p.spec?.nodeName === first)).toHaveLength(3);
  });

  it("drains the node once the budget allows, one disruption at a time, the pods replaced on the other node", async () => {
    const [first, second] = cluster.nodeNames as [string, string];
    await cluster.capctlOk(["apply", "-f", "-"], budget(2));
    await eventually(async () => ((await budgetStatus())?.disruptionsAllowed === 1 ? true : undefined), { timeoutMs: 30_000, what: "one disruption allowed" });
    const drained = await cluster.capctl(["drain", first, "--timeout=90s"]);
    expect(drained.stderr).not.toMatch(/^error: /m);
    expect(drained.code).toBe(0);
    expect(drained.stdout.trim().split("\n").at(-1)).toBe(`node/${first} drained`);
    expect(drained.stdout.match(/^pod\/web-[a-z0-9-]+ evicted$/gm)).toHaveLength(3);
    // One disruption at a time: the evictions asked for together were held back until a replacement was Ready.
    expect(drained.stderr).toMatch(/\(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\.$/m);
    const pods = await eventually(
      async () => {
        const live = await livePods();
        return live.length === 3 && live.every((p) => p.spec?.nodeName === second && p.status?.phase === "Running") ? live : undefined;
      },
      { timeoutMs: 60_000, what: `3 Running pods on ${second}` },
    );
    expect(pods).toHaveLength(3);
    const nodes = (await cluster.capctlOk(["get", "nodes"])).split("\n").find((l) => l.startsWith(`${first} `))!;
    expect(nodes).toMatch(/Ready,SchedulingDisabled/);
  });
});
