import { trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BindRequest } from "@capstan/api";
import type { CapstanClient, EventRecorder, JsonObject } from "@capstan/client";
import { InMemoryMetrics } from "@capstan/telemetry/testing";
import type { SchedulerConfiguration } from "./framework/profile.js";
import { Scheduler } from "./scheduler.js";
import { aNode, aPod } from "./testing/builders.js";

interface Recorded {
  readonly pod: string;
  readonly reason: string;
  readonly message: string;
}

function harness(opts: { failBinds?: number; configuration?: SchedulerConfiguration; metrics?: InMemoryMetrics } = {}) {
  const binds: { pod: string; node: string }[] = [];
  const events: Recorded[] = [];
  let failures = opts.failBinds ?? 0;
  const bind = async (req: BindRequest) => {
    if (failures-- > 0) throw new Error("gateway unavailable");
    binds.push({ pod: req.name, node: req.nodeName });
    return {};
  };
  const client = { bindBatch: (reqs: BindRequest[]) => Promise.allSettled(reqs.map(bind)) } as unknown as CapstanClient;
  const recorder = {
    record: (o: JsonObject, _type: string, reason: string, message: string) => {
      events.push({ pod: String((o["metadata"] as JsonObject)["name"]), reason, message });
    },
  } as unknown as EventRecorder;
  const scheduler = new Scheduler(client, recorder, trace.getTracer("test"), {
    schedulerName: "default-scheduler",
    unschedulableRetryMs: 50,
    log: () => {},
    random: () => 0.5,
    ...(opts.configuration ? { configuration: opts.configuration } : {}),
    ...(opts.metrics ? { meter: opts.metrics.meter } : {}),
  });
  return { scheduler, binds, events };
}

let running: Scheduler | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("Scheduler", () => {
  it("counts each decision on its node at once, and says why the rest waits", async () => {
    const { scheduler, binds, events } = harness();
    running = scheduler;
    scheduler.nodeHandler.replace([aNode("n1").json(), aNode("n2").json()], 0);
    scheduler.podHandler.replace(["a", "b", "c"].map((n) => aPod(n).requests({ cpu: "1500m" }).json()), 0);
    scheduler.start();
    await vi.waitFor(() => expect(events.filter((e) => e.reason === "FailedScheduling").length).toBeGreaterThan(0), { timeout: 2000, interval: 5 });
    expect(new Set(binds.map((b) => b.node))).toEqual(new Set(["n1", "n2"]));
    expect(events.find((e) => e.reason === "FailedScheduling")?.message).toBe(
      "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );

    // Retried (each failed attempt says why again); a new node lets the pod in. The pod may still be in
    // its back-off (1 s, then 2 s) when the node comes, so both waits allow for it on a busy machine.
    await vi.waitFor(() => expect(events.filter((e) => e.reason === "FailedScheduling").length).toBeGreaterThan(1), { timeout: 10_000, interval: 5 });
    scheduler.nodeHandler.apply({ type: "ADDED", object: aNode("n3").json(), revision: 1 });
    await vi.waitFor(() => expect(binds).toHaveLength(3), { timeout: 10_000, interval: 5 });
    expect(binds[2]?.node).toBe("n3");
  });

  it("records attempts by result and profile, rejections by plugin, e2e latency, pending pods by queue and preemption attempts", async () => {
    const metrics = new InMemoryMetrics();
    const { scheduler, binds, events } = harness({ metrics });
    running = scheduler;
    const gated = aPod("gated").json();
    gated["spec"] = { ...(gated["spec"] as JsonObject), schedulingGates: [{ name: "example.com/wait" }] };
    scheduler.nodeHandler.replace([aNode("n1").json(), aNode("n2").json()], 0);
    scheduler.podHandler.replace([...["a", "b", "c"].map((n) => aPod(n).requests({ cpu: "1500m" }).json()), gated], 0);
    scheduler.start();
    await vi.waitFor(() => expect(binds.length === 2 && events.some((e) => e.reason === "FailedScheduling")).toBe(true), { timeout: 2000, interval: 5 });
    const value = async (name: string, attribute?: string, is?: string) =>
      (await metrics.points(name)).filter((p) => attribute === undefined || p.attributes[attribute] === is).reduce((n, p) => n + p.value, 0);

    await vi.waitFor(async () => expect(await value("capstan.scheduler.attempt.duration", "capstan.scheduling.result", "scheduled")).toBe(2), { timeout: 2000, interval: 5 });
    expect(await value("capstan.scheduler.attempt.duration", "capstan.scheduler.profile", "default-scheduler")).toBeGreaterThanOrEqual(3);
    expect(await value("capstan.scheduler.attempt.duration", "capstan.scheduling.result", "unschedulable")).toBeGreaterThanOrEqual(1);
    expect(await value("capstan.scheduler.unschedulable", "capstan.scheduler.plugin", "NodeResourcesFit")).toBeGreaterThanOrEqual(1);
    expect(await value("capstan.scheduler.e2e.duration")).toBe(2);
    // Preemption was tried and found no victims: an attempt, no victims recorded.
    expect(await value("capstan.scheduler.preemption.attempts")).toBeGreaterThanOrEqual(1);
    expect(await value("capstan.scheduler.preemption.victims")).toBe(0);
    expect(await value("capstan.scheduler.pending_pods", "capstan.scheduler.queue", "gated")).toBe(1);
    expect((await value("capstan.scheduler.pending_pods", "capstan.scheduler.queue", "backoff")) + (await value("capstan.scheduler.pending_pods", "capstan.scheduler.queue", "unschedulable"))).toBe(1);
  });

  it("forgets a pod whose bind failed, says so, and tries it again", async () => {
    const { scheduler, binds, events } = harness({ failBinds: 1 });
    running = scheduler;
    scheduler.nodeHandler.replace([aNode("n1").allocatable({ cpu: "1", memory: "1Gi", pods: "110" }).json()], 0);
    scheduler.podHandler.replace([aPod("a").requests({ cpu: "1" }).json()], 0);
    scheduler.start();
    await vi.waitFor(() => expect(binds).toEqual([{ pod: "a", node: "n1" }]), { timeout: 2000, interval: 5 });
    expect(events.filter((e) => e.reason === "FailedScheduling")).toEqual([{ pod: "a", reason: "FailedScheduling", message: "Binding rejected: gateway unavailable" }]);
  });

  it("decides the next pods while binds are in flight, up to maxBindsInFlight", async () => {
    const started: string[] = [];
    const release: (() => void)[] = [];
    const bind = (req: BindRequest) => {
      started.push(req.name);
      return new Promise((resolve) => release.push(() => resolve({})));
    };
    const client = { bindBatch: (reqs: BindRequest[]) => Promise.allSettled(reqs.map(bind)) } as unknown as CapstanClient;
    const recorder = { record: () => {} } as unknown as EventRecorder;
    const scheduler = new Scheduler(client, recorder, trace.getTracer("test"), {
      schedulerName: "default-scheduler",
      unschedulableRetryMs: 50,
      log: () => {},
      maxBindsInFlight: 2,
    });
    running = scheduler;
    scheduler.nodeHandler.replace([aNode("n1").json()], 0);
    scheduler.podHandler.replace(["a", "b", "c"].map((n) => aPod(n).requests({ cpu: "100m" }).json()), 0);
    scheduler.start();
    await vi.waitFor(() => expect(started).toHaveLength(2), { timeout: 2000, interval: 5 });
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toHaveLength(2);
    // Both went out in one BindBatch, which answers for both at once.
    for (const r of release.splice(0)) r();
    await vi.waitFor(() => expect(started).toHaveLength(3), { timeout: 2000, interval: 5 });
    for (const r of release) r();
  });

  it("tries higher-priority pods first", async () => {
    const { scheduler, binds } = harness();
    running = scheduler;
    scheduler.nodeHandler.replace([aNode("n1").allocatable({ cpu: "1", memory: "1Gi", pods: "110" }).json()], 0);
    const low = aPod("low").requests({ cpu: "1" }).json();
    const high = aPod("high").requests({ cpu: "1" }).json();
    (high["spec"] as JsonObject)["priority"] = 1000;
    scheduler.podHandler.replace([low, high], 0);
    scheduler.start();
    await vi.waitFor(() => expect(binds).toEqual([{ pod: "high", node: "n1" }]), { timeout: 2000, interval: 5 });
  });

  it("runs each profile for the pods that name it", async () => {
    const configuration: SchedulerConfiguration = {
      profiles: [
        { schedulerName: "default-scheduler" },
        { schedulerName: "packer", pluginConfig: [{ name: "NodeResourcesFit", args: { scoringStrategy: { type: "MostAllocated" } } }] },
      ],
    };
    const { scheduler, binds } = harness({ configuration });
    running = scheduler;
    const busy = aPod("busy").requests({ cpu: "1" }).nodeName("full").json();
    const spread = aPod("spread").requests({ cpu: "100m" }).json();
    const packed = aPod("packed").requests({ cpu: "100m" }).json();
    (packed["spec"] as JsonObject)["schedulerName"] = "packer";
    scheduler.nodeHandler.replace([aNode("full").json(), aNode("empty").json()], 0);
    scheduler.podHandler.replace([busy, spread, packed], 0);
    scheduler.start();
    await vi.waitFor(() => expect(new Set(binds.map((b) => `${b.pod}@${b.node}`))).toEqual(new Set(["spread@empty", "packed@full"])), { timeout: 2000, interval: 5 });
  });

  it("leaves pods of other schedulers alone", async () => {
    const { scheduler, binds, events } = harness();
    running = scheduler;
    scheduler.nodeHandler.replace([aNode("n1").json()], 0);
    const other = aPod("x").json();
    (other["spec"] as JsonObject)["schedulerName"] = "someone-else";
    scheduler.podHandler.replace([other], 0);
    scheduler.start();
    await new Promise((r) => setTimeout(r, 50));
    expect([binds, events]).toEqual([[], []]);
  });
});
