import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pod, toApiObject, type ApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

let cluster: TestCluster;

beforeAll(async () => {
  // No node agents: these tests are about the API's guarantees, not about running pods.
  cluster = await startTestCluster({ nodes: 0, env: { CAPSTAN_STREAM_MAX_EVENTS: "2000" } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

function aPod(name: string, annotations: Record<string, string> = {}): ApiObject {
  return toApiObject({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", annotations },
    spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] },
  });
}

describe("optimistic concurrency", () => {
  it("refuses an update carrying a stale resourceVersion", async () => {
    const created = await cluster.client.create(aPod("stale"));
    const fresh = await cluster.client.update(toApiObject({ ...Pod.toJSON(created.pod!) as object, metadata: { ...created.pod!.metadata!, labels: { a: "1" } } }));
    expect(Number(fresh.pod!.metadata!.resourceVersion)).toBeGreaterThan(Number(created.pod!.metadata!.resourceVersion));
    const error = await cluster.client
      .update(toApiObject({ ...Pod.toJSON(created.pod!) as object, metadata: { ...created.pod!.metadata!, labels: { a: "2" } } }))
      .catch((e: unknown) => e);
    expect(isCapstanError(error, "Conflict")).toBe(true);
    expect((error as Error).message).toMatch(/the object has been modified/);
    const now = await cluster.client.get({ kind: "Pod", namespace: "default", name: "stale" });
    expect(now.pod!.metadata!.labels).toEqual({ a: "1" });
  });

  it("loses no increment under 50 concurrent read-modify-write loops", async () => {
    await cluster.client.create(aPod("counter", { count: "0" }));
    const loops = 50;
    // Most of the 50 racers lose each round to the one that lands: two increments each keeps the rounds (and the time) in bounds.
    const perLoop = 2;
    let conflicts = 0;
    const increment = async () => {
      for (let done = 0; done < perLoop; ) {
        const current = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "counter" })).pod!;
        const count = Number(current.metadata!.annotations["count"]);
        const next = { ...current, metadata: { ...current.metadata!, annotations: { count: String(count + 1) } } };
        try {
          await cluster.client.update({ pod: next });
          done++;
        } catch (e) {
          if (!isCapstanError(e, "Conflict")) throw e;
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: loops }, increment));
    const final = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "counter" })).pod!;
    expect(Number(final.metadata!.annotations["count"])).toBe(loops * perLoop);
    // The loops really raced: without conflicts this test would prove nothing.
    expect(conflicts).toBeGreaterThan(0);
  });
});

describe("list then watch", () => {
  it("delivers every later event once and in order from a list's revision", async () => {
    await cluster.capctl(["apply", "-f", "-"], "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: watched\n");
    const list = await cluster.client.list({ kind: "Pod", namespace: "watched" });
    const stream = cluster.client.watch({ kind: "Pod", namespace: "watched", resourceVersion: list.resourceVersion });
    const seen: { type: string; name: string; rv: number }[] = [];
    const reading = (async () => {
      for await (const e of stream) {
        seen.push({ type: e.type, name: e.object!.pod!.metadata!.name, rv: Number(e.resourceVersion) });
        if (seen.length === 30) break;
      }
    })();
    for (let i = 0; i < 10; i++) {
      const p = aPod(`w${i}`);
      p.pod!.metadata!.namespace = "watched";
      await cluster.client.create(p);
      await cluster.client.delete({ kind: "Pod", namespace: "watched", name: `w${i}`, gracePeriodSeconds: 0 });
      await cluster.client.create(p);
    }
    await reading;
    stream.cancel();
    expect(seen.map((e) => e.type)).toEqual(Array.from({ length: 10 }, () => ["ADDED", "DELETED", "ADDED"]).flat());
    expect(seen.map((e) => e.name)).toEqual(Array.from({ length: 10 }, (_, i) => [`w${i}`, `w${i}`, `w${i}`]).flat());
    const revisions = seen.map((e) => e.rv);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(new Set(revisions).size).toBe(revisions.length);
  });

  it("answers expired for a revision the stream no longer holds", async () => {
    // The stream keeps 2,000 events: push the first ones out.
    await Promise.all(Array.from({ length: 2100 }, (_, i) => cluster.client.create(aPod(`filler-${i}`))));
    await eventually(async () => {
      const stream = cluster.client.watch({ kind: "Pod", resourceVersion: "1" });
      try {
        for await (const _ of stream) return false;
      } catch (e) {
        return isCapstanError(e, "Expired") && /too old resource version/.test((e as Error).message);
      }
      return false;
    }, { what: "an expired answer" });
  });
});
