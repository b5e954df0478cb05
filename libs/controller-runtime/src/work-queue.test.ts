import { describe, expect, it } from "vitest";
import { ItemExponentialFailureRateLimiter } from "./rate-limiter.js";
import { FakeClock } from "./testing/index.js";
import { InMemoryMetrics } from "@capstan/telemetry/testing";
import { createWorkQueue, type WorkQueue } from "./work-queue.js";

function aQueue(clock = new FakeClock(), metrics = new InMemoryMetrics()): WorkQueue<string> {
  return createWorkQueue<string>({
    name: "test",
    clock,
    meter: metrics.meter,
    rateLimiter: new ItemExponentialFailureRateLimiter({ baseDelayMs: 5, maxDelayMs: 1000 }),
  });
}

/** Everything queued now, without waiting. */
async function drain(queue: WorkQueue<string>): Promise<string[]> {
  const keys: string[] = [];
  while (queue.depth > 0) {
    const key = (await queue.get())!;
    keys.push(key);
    queue.done(key);
  }
  return keys;
}

/** Whether `p` has settled once pending microtasks have run. */
async function isSettled(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  return settled;
}

describe("WorkQueue", () => {
  it("hands keys out in order, each once however often it was added", async () => {
    const queue = aQueue();
    for (const key of ["a", "b", "a", "c", "b", "a"]) queue.add(key);
    expect(queue.depth).toBe(3);
    expect(await drain(queue)).toEqual(["a", "b", "c"]);
  });

  it("never hands out a key in flight; one re-added meanwhile comes back once after done", async () => {
    const queue = aQueue();
    queue.add("a");
    const first = (await queue.get())!;
    queue.add("a");
    queue.add("a");
    expect(queue.depth).toBe(0);
    const second = queue.get();
    expect(await isSettled(second)).toBe(false);

    queue.done(first);
    expect(await second).toBe("a");
    queue.done("a");
    expect(queue.depth).toBe(0);
  });

  it("gives a waiting worker the next key added", async () => {
    const queue = aQueue();
    const waiting = queue.get();
    queue.add("a");
    expect(await waiting).toBe("a");
  });

  it("keeps two workers off the same key while others run in parallel", async () => {
    const queue = aQueue();
    const active = new Set<string>();
    const processed: string[] = [];
    let overlaps = 0;
    let maxParallel = 0;
    const worker = async () => {
      for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
        if (active.has(key)) overlaps++;
        active.add(key);
        maxParallel = Math.max(maxParallel, active.size);
        await new Promise((r) => setTimeout(r, 2));
        // A change arriving while the key is reconciled: it must be seen by a later reconcile.
        if (processed.filter((k) => k === key).length === 0) queue.add(key);
        processed.push(key);
        active.delete(key);
        queue.done(key);
        if (processed.length === 8) queue.shutDown();
      }
    };
    for (const key of ["a", "b", "c", "d"]) queue.add(key);
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(overlaps).toBe(0);
    expect(maxParallel).toBe(4);
    expect(processed.sort()).toEqual(["a", "a", "b", "b", "c", "c", "d", "d"]);
  });

  it("adds a key after its delay, and the earlier of two delays wins", async () => {
    const clock = new FakeClock();
    const queue = aQueue(clock);
    queue.addAfter("a", 100);
    queue.addAfter("a", 50);
    queue.addAfter("a", 200);
    queue.addAfter("b", 0);
    expect(await drain(queue)).toEqual(["b"]);
    clock.advance(49);
    expect(queue.depth).toBe(0);
    clock.advance(1);
    expect(await drain(queue)).toEqual(["a"]);
    clock.advance(1000);
    expect(queue.depth).toBe(0);
  });

  it("backs a failing key off exponentially until it is forgotten", async () => {
    const clock = new FakeClock();
    const queue = aQueue(clock);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      queue.addRateLimited("a");
      const start = clock.now();
      while (queue.depth === 0) clock.advance(1);
      delays.push(clock.now() - start);
      await drain(queue);
    }
    expect(delays).toEqual([5, 10, 20, 40]);
    expect(queue.numRequeues("a")).toBe(4);

    queue.forget("a");
    queue.addRateLimited("a");
    clock.advance(5);
    expect(await drain(queue)).toEqual(["a"]);
  });

  it("shuts down: releases waiting workers, drops queued and delayed keys, ignores adds", async () => {
    const clock = new FakeClock();
    const queue = aQueue(clock);
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();

    const other = aQueue(clock);
    other.add("a");
    other.addAfter("b", 10);
    other.shutDown();
    other.add("c");
    expect(other.shuttingDown).toBe(true);
    expect(other.depth).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    expect(await other.get()).toBeUndefined();
  });

  it("reports its depth as a metric", async () => {
    const metrics = new InMemoryMetrics();
    const queue = aQueue(new FakeClock(), metrics);
    const depth = async () => (await metrics.points("capstan.workqueue.depth")).find((p) => p.attributes["capstan.workqueue.name"] === "test")?.value;

    for (const key of ["a", "b", "c", "a"]) queue.add(key);
    expect(await depth()).toBe(3);
    queue.done((await queue.get())!);
    expect(await depth()).toBe(2);
    queue.shutDown();
    expect(await depth()).toBe(0);
  });

  it("reports adds, retries, time queued and at work, and its longest-running key, as client-go's workqueue metrics", async () => {
    const metrics = new InMemoryMetrics();
    const clock = new FakeClock();
    const queue = aQueue(clock, metrics);
    const point = async (name: string) => (await metrics.points(name)).find((p) => p.attributes["capstan.workqueue.name"] === "test");

    for (const key of ["a", "b", "a"]) queue.add(key);
    expect((await point("capstan.workqueue.adds"))?.value).toBe(2);
    clock.advance(1500);
    const a = (await queue.get())!;
    expect(await point("capstan.workqueue.queue.duration")).toMatchObject({ value: 1, sum: 1.5 });
    clock.advance(250);
    expect((await point("capstan.workqueue.longest_running_processor.duration"))?.value).toBe(0.25);
    queue.addRateLimited(a);
    queue.done(a);
    expect(await point("capstan.workqueue.work.duration")).toMatchObject({ value: 1, sum: 0.25 });
    expect((await point("capstan.workqueue.retries"))?.value).toBe(1);
    expect((await point("capstan.workqueue.longest_running_processor.duration"))?.value).toBe(0);
  });
});
