import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Node, type Pod } from "@capstan/api";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * One node agent on the simulated runtime hosts 50 nodes that the rest of the control plane takes
 * for real ones: they are Ready, a Deployment's pods run on them, deleting it removes the pods
 * gracefully, and when the fleet process dies the node lifecycle controller sees every node go.
 */
const NODES = 50;
const REPLICAS = 200;

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({
    nodes: 0,
    simulatedNodes: NODES,
    env: {
      CAPSTAN_HEARTBEAT_SECONDS: "1",
      // Long enough that the fleet's restart below never outlasts it (a node silent for longer has its
      // pods marked not Ready, and the fleet then rightly writes them Ready again); the last test
      // restarts the node lifecycle controller with a short one.
      CAPSTAN_NODE_MONITOR_GRACE_SECONDS: "120",
      CAPSTAN_NODE_MONITOR_PERIOD_SECONDS: "1",
      CAPSTAN_SIMULATED_START_MS: "100",
      CAPSTAN_SIMULATED_MAX_STOP_MS: "200",
    },
  });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const nodes = async (): Promise<Node[]> => (await cluster.client.list({ kind: "Node" })).items.map((o) => o.node!);
const readyStatus = (n: Node) => n.status?.conditions.find((c) => c.type === "Ready")?.status;
const pods = async (): Promise<Pod[]> => (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: "app=fleet" })).items.map((o) => o.pod!);

describe("simulated fleet", () => {
  it("registers its nodes Ready, as capctl shows them", async () => {
    await eventually(async () => (await nodes()).filter((n) => readyStatus(n) === "True").length === NODES, { timeoutMs: 60_000, what: `${NODES} Ready nodes` });
    const r = await cluster.capctl(["get", "nodes"]);
    expect(r.stderr).toBe("");
    const rows = r.stdout.trim().split("\n");
    expect(rows[0]).toMatch(/^NAME\s+STATUS/);
    expect(rows.slice(1)).toHaveLength(NODES);
    expect(rows.slice(1).every((row) => /^simulated-node-\d+\s+Ready\s/.test(row))).toBe(true);
    const node = (await nodes()).find((n) => n.metadata!.name === "simulated-node-7")!;
    expect(node.status!.capacity).toMatchObject({ cpu: "32", pods: "110" });
    expect(node.status!.nodeInfo!.containerRuntimeVersion).toBe("simulated://capstan");
  });

  it("runs a Deployment's pods across its nodes with addresses, ready containers and a start time", async () => {
    await cluster.client.create(
      toApiObject({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "fleet" },
        spec: {
          replicas: REPLICAS,
          selector: { matchLabels: { app: "fleet" } },
          template: {
            metadata: { labels: { app: "fleet" } },
            spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
          },
        },
      }),
    );
    const running = await eventually(
      async () => {
        const all = await pods();
        const ok = all.filter((p) => p.status?.phase === "Running" && p.status.conditions.some((c) => c.type === "Ready" && c.status === "True"));
        if (ok.length !== REPLICAS) throw new Error(`${all.length} pods, ${ok.length} Running and Ready`);
        return ok;
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: `${REPLICAS} Running pods` },
    );
    expect(new Set(running.map((p) => p.spec!.nodeName)).size).toBeGreaterThan(NODES / 2);
    expect(new Set(running.map((p) => p.status!.podIp)).size).toBe(REPLICAS);
    for (const p of running) {
      expect(p.spec!.nodeName).toMatch(/^simulated-node-\d+$/);
      expect(p.status!.podIp).toMatch(/^10\.\d+\.\d+\.\d+$/);
      expect(p.status!.hostIp).toMatch(/^172\.\d+\.\d+\.\d+$/);
      expect(p.status!.startTime).not.toBe("");
      expect(p.status!.containerStatuses[0]).toMatchObject({ name: "app", ready: true, started: true, state: { running: {} } });
    }
  });

  it("keeps its pods running, with their addresses, across a restart of the fleet", async () => {
    const before = new Map((await pods()).map((p) => [p.metadata!.name, p]));
    const fleet = cluster.stack.service("simulated-fleet");
    await fleet.stop();
    fleet.start();
    await fleet.ready(60_000);
    // A status write would come well within this (50 ms coalescing); none may come at all.
    await new Promise((r) => setTimeout(r, 2000));
    const after = await pods();
    expect(after).toHaveLength(REPLICAS);
    for (const p of after) {
      const was = before.get(p.metadata!.name)!;
      expect(p.status!.phase).toBe("Running");
      expect(p.status!.podIp).toBe(was.status!.podIp);
      expect(p.metadata!.resourceVersion).toBe(was.metadata!.resourceVersion);
    }
    expect((await nodes()).filter((n) => readyStatus(n) === "True")).toHaveLength(NODES);
  });

  it("finishes the graceful deletion of the pods when the Deployment goes", async () => {
    await cluster.client.delete({ kind: "Deployment", namespace: "default", name: "fleet" });
    await eventually(
      async () => {
        const left = (await pods()).length;
        if (left > 0) throw new Error(`${left} pods left`);
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: "every pod deleted" },
    );
  });

  it("its nodes go NotReady (Unknown) when the fleet process is killed", async () => {
    await cluster.stack.service("node-lifecycle-controller").stop();
    await cluster.startService("node-lifecycle-controller", { CAPSTAN_NODE_MONITOR_GRACE_SECONDS: "4" }).ready();
    await cluster.stack.service("simulated-fleet").crash();
    await eventually(
      async () => {
        const statuses = (await nodes()).map(readyStatus);
        const unknown = statuses.filter((s) => s === "Unknown").length;
        if (unknown !== NODES) throw new Error(`${unknown} of ${statuses.length} nodes Unknown`);
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "every node Unknown" },
    );
    // kubectl prints NotReady for an Unknown Ready condition.
    const r = await cluster.capctl(["get", "nodes"]);
    expect(r.stdout.trim().split("\n").slice(1).every((row) => /^simulated-node-\d+\s+NotReady\s/.test(row))).toBe(true);
  });
});
