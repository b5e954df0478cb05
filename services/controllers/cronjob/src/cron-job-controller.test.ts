import { describe, expect, it } from "vitest";
import { FakeClock } from "@capstan/apimachinery/testing";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway } from "@capstan/client/testing";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { CronJobReconciler, MAX_REQUEUE_MS } from "./cron-job-controller.js";

/** 12:00:30, half a minute into a minute. */
const T0 = Date.parse("2026-03-01T12:00:30.000Z");
const minute = (iso: string) => Date.parse(iso) / 60_000;

const cronJob = (spec: JsonObject = {}) => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "hello", namespace: "default" },
  spec: {
    schedule: "* * * * *",
    jobTemplate: { metadata: { labels: { app: "hello" } }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } } },
    ...spec,
  },
});

/** A CronJob in a FakeGateway created at T0, the real reconciler over informers of it; `restart` makes a new one. */
async function given(spec: JsonObject = {}) {
  const clock = new FakeClock(T0);
  const gateway = await createFakeGateway({ clock });
  await gateway.apply(cronJob(spec));
  const recorded: string[] = [];
  const reconcilerNow = async () => {
    const reconciler = new CronJobReconciler(await syncedInformer(gateway, "CronJob"), await syncedInformer(gateway, "Job"), gateway, { record: (_o, _t, reason) => void recorded.push(reason) }, () => new Date(clock.now()));
    return () => reconciler.reconcile("default/hello");
  };
  let reconcile = await reconcilerNow();
  return {
    gateway,
    clock,
    recorded,
    reconcile: () => reconcile(),
    restart: async () => void (reconcile = await reconcilerNow()),
    jobNames: () => gateway.objects("Job").map((j) => (j["metadata"] as { name: string }).name).sort(),
    status: () => gateway.stored("CronJob", "hello")!["status"] as { active?: { name: string }[]; lastScheduleTime?: string; lastSuccessfulTime?: string } | undefined,
  };
}

describe("CronJobReconciler", () => {
  it("given the minute has not come, when reconciled, then it starts nothing and asks to be woken at it", async () => {
    const c = await given();
    expect(await c.reconcile()).toEqual({ requeueAfterMs: 30_100 });
    expect(c.jobNames()).toEqual([]);
  });

  it("given a yearly schedule, when reconciled, then it wakes within a day, not past what a timer holds", async () => {
    const c = await given({ schedule: "@yearly" });
    expect(await c.reconcile()).toEqual({ requeueAfterMs: MAX_REQUEUE_MS });
  });

  it("given the minute came, when reconciled, then it starts that minute's Job and lists it active; a restart starts it no second time", async () => {
    const c = await given();
    c.clock.advance(31_000);
    await c.reconcile();
    const name = `hello-${minute("2026-03-01T12:01:00Z")}`;
    expect(c.jobNames()).toEqual([name]);
    expect(c.status()).toMatchObject({ active: [{ name }], lastScheduleTime: "2026-03-01T12:01:00Z" });
    expect(c.recorded).toEqual(["SuccessfulCreate"]);

    await c.restart();
    await c.reconcile();
    expect(c.jobNames()).toEqual([name]);
  });

  it("given its status write was lost after the Job was created (a crash), when reconciled after a restart, then it adopts that Job and creates none", async () => {
    const c = await given();
    c.clock.advance(31_000);
    await c.reconcile();
    const [name] = c.jobNames();
    await c.gateway.change("CronJob", "hello", (o) => ({ ...o, status: {} }));
    expect(c.status()).toEqual({});
    await c.restart();
    await c.reconcile();
    expect(c.jobNames()).toEqual([name]);
    expect(c.status()).toMatchObject({ active: [{ name }], lastScheduleTime: "2026-03-01T12:01:00Z" });
  });

  it("given its Job completed, when reconciled, then nothing is active and the completion is the last success", async () => {
    const c = await given();
    c.clock.advance(31_000);
    await c.reconcile();
    const [name] = c.jobNames();
    await c.gateway.change("Job", name!, (job) => ({ ...job, status: { startTime: "2026-03-01T12:01:00Z", completionTime: "2026-03-01T12:01:05Z", succeeded: 1, conditions: [{ type: "Complete", status: "True" }] } }));
    await c.restart();
    await c.reconcile();
    expect(c.status()).toEqual({ lastScheduleTime: "2026-03-01T12:01:00Z", lastSuccessfulTime: "2026-03-01T12:01:05Z" });
  });

  it("given Forbid and a Job running, when the next minute comes, then it starts none", async () => {
    const c = await given({ concurrencyPolicy: "Forbid" });
    c.clock.advance(31_000);
    await c.reconcile();
    c.clock.advance(60_000);
    await c.reconcile();
    expect(c.jobNames()).toHaveLength(1);
    expect(c.recorded).toContain("JobAlreadyActive");
  });
});
