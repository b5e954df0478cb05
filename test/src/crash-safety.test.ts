import { randomInt } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type ApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * While 200 pods are created, updated and deleted, the gateway, a node agent and the scheduler are
 * killed with SIGKILL at random moments and restarted. Then the log, the projection, a resuming
 * watcher and the nodes must all agree.
 */
const PODS = 200;
const NAMESPACE = "default";

let cluster: TestCluster;
let sql: postgres.Sql;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 2 });
  sql = postgres(cluster.databaseUrl!, { max: 2, onnotice: () => {} });
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await cluster?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries a write until it is acknowledged; returns the acknowledged revision, or undefined if the object was already in the wanted state. */
async function acknowledged(write: () => Promise<ApiObject>, alreadyDone: (e: unknown) => boolean): Promise<number | undefined> {
  for (;;) {
    try {
      const o = await write();
      return Number(o.pod!.metadata!.resourceVersion);
    } catch (e) {
      if (alreadyDone(e)) return undefined;
      if (!isCapstanError(e, "Unavailable") && !isCapstanError(e, "Conflict") && !isCapstanError(e, "Internal")) throw e;
      await sleep(100);
    }
  }
}

interface Seen {
  revision: number;
  type: string;
  name: string;
}

/** A watcher that, like any client, resumes from the last revision it saw after its stream breaks. */
function startResumingWatcher(from: number) {
  const seen: Seen[] = [];
  let stopped = false;
  let last = from;
  let cancel = () => {};
  const done = (async () => {
    while (!stopped) {
      try {
        const stream = cluster.client.watch({ kind: "Pod", namespace: NAMESPACE, resourceVersion: String(last) });
        cancel = () => stream.cancel();
        for await (const e of stream) {
          last = Number(e.resourceVersion);
          seen.push({ revision: last, type: e.type, name: e.object!.pod!.metadata!.name });
        }
      } catch {
        await sleep(200);
      }
    }
  })();
  return {
    seen,
    get last() {
      return last;
    },
    async stop() {
      stopped = true;
      cancel();
      await done;
    },
  };
}

function aPod(i: number): ApiObject {
  return toApiObject({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `chaos-${i}`, namespace: NAMESPACE, labels: { round: "0" } },
    spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }], terminationGracePeriodSeconds: 2 },
  });
}

describe("crash safety", () => {
  it("loses and duplicates nothing while services are killed at random", async () => {
    const startRevision = Number((await cluster.client.list({ kind: "Pod", namespace: NAMESPACE })).resourceVersion);
    const watcher = startResumingWatcher(startRevision);
    const acks: { name: string; type: "ADDED" | "MODIFIED"; revision: number }[] = [];
    let working = true;

    const chaos = (async () => {
      // Rounds in random order, so the first three kills hit every victim once.
      const victims = ["api-gateway", "scheduler", "node-1"];
      let kills = 0;
      while (working) {
        if (kills % victims.length === 0) victims.sort(() => randomInt(3) - 1);
        await sleep(randomInt(200, 700));
        const victim = cluster.stack.service(victims[kills % victims.length]!);
        await victim.crash();
        await sleep(randomInt(100, 800));
        victim.start();
        // The next kill lands on a running stack: killing a gateway still starting would stall the workload
        // (on a loaded machine, for minutes) without testing anything more.
        await victim.ready();
        kills++;
      }
      return kills;
    })();

    const worker = async (ids: number[]) => {
      for (const i of ids) {
        const name = `chaos-${i}`;
        // A little pacing keeps the writes spread over the kills instead of racing ahead of them.
        await sleep(randomInt(0, 80));
        const created = await acknowledged(() => cluster.client.create(aPod(i)), (e) => isCapstanError(e, "AlreadyExists"));
        if (created !== undefined) acks.push({ name, type: "ADDED", revision: created });
        const updated = await acknowledged(async () => {
          const current = (await cluster.client.get({ kind: "Pod", namespace: NAMESPACE, name })).pod!;
          if (current.metadata!.labels["round"] === "1") throw Object.assign(new Error("done"), { done: true });
          return cluster.client.update({ pod: { ...current, metadata: { ...current.metadata!, labels: { round: "1" } } } });
        }, (e) => (e as { done?: boolean }).done === true);
        if (updated !== undefined) acks.push({ name, type: "MODIFIED", revision: updated });
        if (i % 3 === 0) {
          await acknowledged(
            async () => (await cluster.client.delete({ kind: "Pod", namespace: NAMESPACE, name })).object!,
            (e) => isCapstanError(e, "NotFound"),
          );
        }
      }
    };
    const workers = 8;
    await Promise.all(Array.from({ length: workers }, (_, w) => worker(Array.from({ length: PODS }, (_, i) => i).filter((i) => i % workers === w))));
    working = false;
    const kills = await chaos;
    expect(kills, "kills during the workload (each victim once)").toBeGreaterThanOrEqual(3);
    console.log(`crash safety: ${kills} kills during ${acks.length} acknowledged writes`);
    for (const s of cluster.stack.services.values()) if (!s.running) s.start();

    // Convergence: every pod not deleted runs; every deleted one is gone.
    const remaining = Array.from({ length: PODS }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => `chaos-${i}`);
    await eventually(
      async () => {
        const pods = (await cluster.client.list({ kind: "Pod", namespace: NAMESPACE })).items.map((o) => o.pod!);
        const names = pods.map((p) => p.metadata!.name).sort();
        const notRunning = pods.filter((p) => p.status?.phase !== "Running");
        if (names.join() !== [...remaining].sort().join() || notRunning.length) {
          throw new Error(`${pods.length} pods, ${notRunning.length} not running`);
        }
        return true;
      },
      { timeoutMs: 120_000, what: "convergence" },
    );

    // 1. The log is gap-free, and every acknowledged write is in it once, as acknowledged.
    const [log] = await sql<{ count: string; max: string }[]>`select count(*) as count, max(revision) as max from events`;
    expect(Number(log!.count)).toBe(Number(log!.max));
    const events = await sql<{ revision: string; type: string; kind: string; namespace: string; name: string; node_name: string; uid: string }[]>`
      select revision, type, kind, namespace, name, node_name, uid from events order by revision`;
    const byRevision = new Map(events.map((e) => [Number(e.revision), e]));
    for (const ack of acks) {
      const e = byRevision.get(ack.revision);
      expect(e, `acknowledged revision ${ack.revision}`).toBeDefined();
      expect([e!.kind, e!.name, e!.type]).toEqual(["Pod", ack.name, ack.type]);
    }
    const podEvents = events.filter((e) => e.kind === "Pod" && e.namespace === NAMESPACE);
    for (let i = 0; i < PODS; i++) {
      expect(podEvents.filter((e) => e.name === `chaos-${i}` && e.type === "ADDED"), `ADDED events of chaos-${i}`).toHaveLength(1);
    }

    // 2. The projection equals a replay of the log, both read in one snapshot: node agents keep
    //    reporting status meanwhile.
    type Row = { kind: string; namespace: string; name: string; type?: string; object: unknown };
    const [replay, live] = await sql.begin("isolation level repeatable read", async (tx) => [
      await tx<Row[]>`
        select distinct on (kind, namespace, name) kind, namespace, name, type, object from events
        order by kind, namespace, name, revision desc`,
      await tx<Row[]>`select kind, namespace, name, object from objects order by kind, namespace, name`,
    ]);
    const replayed = replay.filter((r) => r.type !== "DELETED").map(({ kind, namespace, name, object }) => ({ kind, namespace, name, object }));
    expect(live.map((r) => ({ ...r }))).toEqual(replayed);

    // 3. The resuming watcher saw every pod event of its namespace once and in order.
    await eventually(() => watcher.last >= Number(podEvents[podEvents.length - 1]!.revision), { what: "the watcher to catch up" });
    await watcher.stop();
    const expected = podEvents.filter((e) => Number(e.revision) > startRevision).map((e) => ({ revision: Number(e.revision), type: e.type, name: e.name }));
    expect(watcher.seen.slice(0, expected.length)).toEqual(expected);

    // 4. No pod ever ran on two nodes.
    const nodesOf = new Map<string, Set<string>>();
    for (const e of podEvents) if (e.node_name) nodesOf.set(e.uid, (nodesOf.get(e.uid) ?? new Set()).add(e.node_name));
    expect([...nodesOf.values()].filter((s) => s.size > 1)).toEqual([]);
  }, 600_000);
});
