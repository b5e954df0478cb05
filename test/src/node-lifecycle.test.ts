import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Node, type Pod } from "@capstan/api";
import { JetStreamBus, NodeLeases } from "@capstan/bus";
import { eventually, orGone, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * Heartbeats go to the node lease, not the log. A node agent killed with SIGKILL: its Node goes Unknown and unreachable within the grace period, its
 * pod is evicted once its (shortened) default toleration has run out, and the node recovers when the
 * agent comes back.
 */
const GRACE_SECONDS = 4;
const TOLERATION_SECONDS = 3;
const UNREACHABLE = "node.kubernetes.io/unreachable";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({
    nodes: 2,
    env: {
      CAPSTAN_HEARTBEAT_SECONDS: "1",
      CAPSTAN_NODE_MONITOR_GRACE_SECONDS: String(GRACE_SECONDS),
      CAPSTAN_NODE_MONITOR_PERIOD_SECONDS: "1",
      CAPSTAN_DEFAULT_TOLERATION_SECONDS: String(TOLERATION_SECONDS),
    },
  });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const node = async (name: string): Promise<Node> => (await cluster.client.get({ kind: "Node", namespace: "", name })).node!;
const ready = (n: Node) => n.status?.conditions.find((c) => c.type === "Ready");
const lifecycleTaints = (n: Node) => (n.spec?.taints ?? []).filter((t) => t.key.startsWith("node.kubernetes.io/"));

const podOrGone = async (name: string): Promise<Pod | undefined> => (await orGone(cluster.client.get({ kind: "Pod", namespace: "default", name })))?.pod;

describe("node lifecycle", () => {
  it("renews a healthy node's lease every heartbeat but writes its Node to the log far less often", async () => {
    await eventually(async () => (ready(await node("node-2"))?.status === "True" ? true : undefined), { timeoutMs: 30_000, what: "node-2 Ready" });
    const bus = await JetStreamBus.connect({ url: process.env["NATS_URL"] ?? "nats://127.0.0.1:4222", prefix: cluster.prefix, name: "node-lifecycle-test" });
    const sql = postgres(cluster.databaseUrl!, { max: 1, onnotice: () => {} });
    try {
      const renewals: string[] = [];
      const watch = await (await NodeLeases.open(bus.nc, cluster.prefix)).watch(
        (name, lease) => {
          if (name === "node-2" && lease) renewals.push(lease.renewTime);
        },
        () => {},
      );
      const nodeEvents = async () => Number((await sql`select count(*) as n from events where kind = 'Node' and name = 'node-2'`)[0]!["n"]);
      const before = await nodeEvents();
      const seen = renewals.length;
      await new Promise((r) => setTimeout(r, 6_000));
      const heartbeats = renewals.length - seen;
      const written = (await nodeEvents()) - before;
      watch.stop();
      console.log(`node-2 over 6 s: ${heartbeats} lease renewals, ${written} Node events in the log`);
      expect(heartbeats).toBeGreaterThanOrEqual(5);
      expect(written).toBeLessThanOrEqual(1);
      expect(ready(await node("node-2"))?.status).toBe("True");
    } finally {
      await sql.end();
      await bus.close();
    }
  });

  it("marks a crashed node unreachable, evicts its pod after the toleration, and recovers the node", async () => {
    await cluster.client.create(
      toApiObject({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "evictee" },
        spec: { nodeSelector: { "kubernetes.io/hostname": "node-1" }, containers: [{ name: "app", image: "registry.k8s.io/pause:3.9" }] },
      }),
    );
    const running = await eventually(
      async () => {
        const p = await podOrGone("evictee");
        return p?.status?.phase === "Running" ? p : undefined;
      },
      { timeoutMs: 30_000, what: "the pod Running" },
    );
    expect(running.spec!.nodeName).toBe("node-1");
    expect(running.spec!.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", value: "", effect: "NoExecute", tolerationSeconds: TOLERATION_SECONDS },
      { key: UNREACHABLE, operator: "Exists", value: "", effect: "NoExecute", tolerationSeconds: TOLERATION_SECONDS },
    ]);

    const crashedAt = Date.now();
    await cluster.stack.service("node-1").crash();

    const unreachable = await eventually(
      async () => {
        const n = await node("node-1");
        const taint = n.spec?.taints.find((t) => t.key === UNREACHABLE && t.effect === "NoExecute");
        return ready(n)?.status === "Unknown" && taint ? { n, taint } : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: "node-1 Ready Unknown with the unreachable taint" },
    );
    expect(Date.now() - crashedAt).toBeLessThan(10_000);
    expect(ready(unreachable.n)).toMatchObject({ reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
    expect(lifecycleTaints(unreachable.n).map((t) => `${t.key}:${t.effect}`).sort()).toEqual([`${UNREACHABLE}:NoExecute`, `${UNREACHABLE}:NoSchedule`]);
    const taintedAt = Date.parse(unreachable.taint.timeAdded);
    expect(taintedAt).toBeGreaterThan(crashedAt);

    // The pod stays for its tolerationSeconds, then goes for good (no agent is left to finish a graceful delete).
    let lastSeen = Date.now();
    await eventually(
      async () => {
        if (await podOrGone("evictee")) {
          lastSeen = Date.now();
          return undefined;
        }
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: "the pod evicted" },
    );
    expect(lastSeen).toBeGreaterThanOrEqual(taintedAt + (TOLERATION_SECONDS - 0.5) * 1000);
    const events = (await cluster.client.list({ kind: "Event", namespace: "default" })).items.map((o) => o.event!);
    expect(events).toContainEqual(expect.objectContaining({ reason: "TaintManagerEviction", message: "Marking for deletion Pod default/evictee" }));

    const healthy = await node("node-2");
    expect(ready(healthy)?.status).toBe("True");
    expect(lifecycleTaints(healthy)).toEqual([]);

    cluster.stack.service("node-1").start();
    await eventually(
      async () => {
        const n = await node("node-1");
        return ready(n)?.status === "True" && lifecycleTaints(n).length === 0 ? n : undefined;
      },
      { timeoutMs: 20_000, what: "node-1 Ready again, untainted" },
    );
  });

  it("brings a Deployment's pods of a dead node back on the other node after the toleration", async () => {
    await cluster.client.create(
      toApiObject({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "survivor" },
        spec: {
          replicas: 4,
          selector: { matchLabels: { app: "survivor" } },
          template: { metadata: { labels: { app: "survivor" } }, spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] } },
        },
      }),
    );
    const pods = async () => (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: "app=survivor" })).items.map((o) => o.pod!);
    const running = (p: Pod) => p.status?.phase === "Running" && !p.metadata!.deletionTimestamp;
    const before = await eventually(
      async () => {
        const all = (await pods()).filter(running);
        return all.length === 4 && all.some((p) => p.spec!.nodeName === "node-1") ? all : undefined;
      },
      { timeoutMs: 30_000, what: "4 running pods, some on node-1" },
    );
    const lost = before.filter((p) => p.spec!.nodeName === "node-1").map((p) => p.metadata!.name);

    await cluster.stack.service("node-1").crash();
    await eventually(
      async () => {
        const all = await pods();
        const live = all.filter(running);
        return live.length === 4 && live.every((p) => p.spec!.nodeName === "node-2") && !all.some((p) => lost.includes(p.metadata!.name)) ? true : undefined;
      },
      { timeoutMs: 40_000, what: "the lost pods replaced on node-2" },
    );
    cluster.stack.service("node-1").start();
  });
});
