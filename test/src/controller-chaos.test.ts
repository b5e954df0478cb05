import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Pod } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * Controllers under kill -9 and with a standby each: the rollout still ends with exactly the declared
 * replicas, and only the lease holder acts.
 */
let cluster: TestCluster;

beforeAll(async () => {
  // Short leases, so a standby takes over within seconds of a kill.
  cluster = await startTestCluster({ nodes: 2, controllerReplicas: 2, env: { CAPSTAN_LEASE_SECONDS: "3" } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const live = (p: Pod) => !p.metadata!.deletionTimestamp;

async function livePods(app: string): Promise<Pod[]> {
  return (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: `app=${app}` })).items.map((o) => o.pod!).filter(live);
}

function leaders(service: string): string[] {
  return [service, `${service}-2`].filter((name) => cluster.logs().split("\n").some((l) => l.endsWith(` ${name}| leading`)));
}

async function changeDeployment(name: string, change: (d: NonNullable<Awaited<ReturnType<typeof cluster.client.get>>["deployment"]>) => void) {
  for (;;) {
    const d = (await cluster.client.get({ kind: "Deployment", namespace: "default", name })).deployment!;
    change(d);
    try {
      return await cluster.client.update({ deployment: d });
    } catch (e) {
      if (!isCapstanError(e, "Conflict") && !isCapstanError(e, "Unavailable")) throw e;
    }
  }
}

function deployment(name: string, replicas: number, command: string[]) {
  return toApiObject({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      strategy: { rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox", command }], terminationGracePeriodSeconds: 0 } },
    },
  });
}

describe("controllers", () => {
  it("run on one leader at a time, and the standby takes over within seconds of a kill -9", async () => {
    await eventually(() => (leaders("replicaset-controller").length === 1 ? true : undefined), { what: "one replicaset-controller leader" });
    const [leader] = leaders("replicaset-controller");
    const standby = leader === "replicaset-controller" ? "replicaset-controller-2" : "replicaset-controller";
    await cluster.client.create(deployment("handover", 2, ["sleep", "3600"]));
    await eventually(async () => ((await livePods("handover")).length === 2 ? true : undefined), { what: "2 pods from the leader" });

    await cluster.stack.service(leader!).crash();
    const killedAt = Date.now();
    await changeDeployment("handover", (d) => (d.spec!.replicas = 4));
    await eventually(async () => ((await livePods("handover")).length === 4 ? true : undefined), { timeoutMs: 30_000, what: "4 pods from the standby" });
    expect(leaders("replicaset-controller")).toContain(standby);
    // The lease is 3 s in tests; handing over takes about one lease.
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    cluster.stack.service(leader!).start();
  });

  it("finish a rollout with exactly the declared replicas while both are killed at random", async () => {
    const replicas = 6;
    await cluster.client.create(deployment("chaos", replicas, ["sleep", "3600"]));
    await eventually(async () => ((await livePods("chaos")).length === replicas ? true : undefined), { timeoutMs: 30_000, what: "the first rollout" });

    let working = true;
    const victims = ["deployment-controller", "deployment-controller-2", "replicaset-controller", "replicaset-controller-2"];
    const chaos = (async () => {
      let kills = 0;
      while (working) {
        await sleep(randomInt(300, 1200));
        const victim = cluster.stack.service(victims[randomInt(victims.length)]!);
        if (!victim.running) continue;
        await victim.crash();
        kills++;
        await sleep(randomInt(100, 800));
        victim.start();
      }
      return kills;
    })();
    // Two template changes in a row: the second lands mid-rollout.
    await changeDeployment("chaos", (d) => (d.spec!.template!.spec!.containers[0]!.command = ["sleep", "3601"]));
    await sleep(1500);
    await changeDeployment("chaos", (d) => (d.spec!.template!.spec!.containers[0]!.command = ["sleep", "3602"]));
    await sleep(4000);
    working = false;
    expect(await chaos).toBeGreaterThanOrEqual(2);
    for (const name of victims) if (!cluster.stack.service(name).running) cluster.stack.service(name).start();

    const done = (pods: Pod[]) => pods.length === replicas && pods.every((p) => p.spec!.containers[0]!.command.join(" ") === "sleep 3602" && p.status?.phase === "Running");
    await eventually(
      async () => {
        const pods = await livePods("chaos");
        if (!done(pods)) throw new Error(`${pods.length} pods: ${pods.map((p) => `${p.spec!.containers[0]!.command.join(" ")}/${p.status?.phase}`).join(", ")}`);
        return true;
      },
      { timeoutMs: 90_000, what: "the rollout to finish" },
    );
    // Never a pod too many after convergence: it stays at exactly the declared replicas.
    for (let i = 0; i < 10; i++) {
      expect((await livePods("chaos")).length).toBe(replicas);
      await sleep(300);
    }
    const sets = (await cluster.client.list({ kind: "ReplicaSet", namespace: "default", labelSelector: "app=chaos" })).items.map((o) => o.replicaSet!);
    const active = sets.filter((rs) => rs.spec!.replicas !== 0);
    expect(active.map((rs) => [rs.spec!.replicas, rs.spec!.template!.spec!.containers[0]!.command.join(" ")])).toEqual([[replicas, "sleep 3602"]]);
  });
});
