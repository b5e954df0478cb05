import { describe, expect, it } from "vitest";
import { FakeClock } from "@capstan/apimachinery/testing";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway } from "@capstan/client/testing";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { JobReconciler } from "./job-controller.js";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");

type Meta = { name: string; uid: string; ownerReferences?: { uid: string; controller?: boolean; kind: string }[]; annotations?: Record<string, string> };
const metaOf = (o: JsonObject) => o["metadata"] as Meta;
const phaseOf = (o: JsonObject) => String((o["status"] as JsonObject | undefined)?.["phase"]);

function aJob(name: string, spec: JsonObject): JsonObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default" },
    spec: { ...spec, template: { spec: { restartPolicy: "Never", containers: [{ name: "work", image: "busybox" }] } } },
  };
}

/** A Job in a FakeGateway (the real registry: defaults, generated selector), with the real reconciler over informers of it. */
async function given(job: JsonObject) {
  const clock = new FakeClock(T0);
  const gateway = await createFakeGateway({ clock });
  const stored = await gateway.apply(job);
  const events: string[] = [];
  const recorder = { record: (_o: unknown, type: string, reason: string) => void events.push(`${type} ${reason}`) };
  const jobs = await syncedInformer(gateway, "Job");
  const pods = await syncedInformer(gateway, "Pod");
  const reconciler = new JobReconciler(jobs, pods, gateway, recorder, { backoffBaseMs: 10_000, backoffMaxMs: 360_000 }, () => new Date(clock.now()));
  const { name, uid } = metaOf(stored);
  const podsOf = () => gateway.objects("Pod").filter((p) => metaOf(p).ownerReferences?.some((r) => r.controller && r.uid === uid && r.kind === "Job"));
  return {
    gateway,
    clock,
    events,
    reconcile: () => reconciler.reconcile(`default/${name}`),
    podsOf,
    /** The node agent's report: every running pod of the Job exited with `phase`. */
    finishAll: async (phase: "Succeeded" | "Failed") => {
      const finishedAt = new Date(clock.now()).toISOString();
      const terminated = { exitCode: phase === "Failed" ? 1 : 0, finishedAt };
      for (const pod of podsOf().filter((p) => phaseOf(p) === "Pending")) {
        await gateway.apply({ ...pod, status: { ...(pod["status"] as JsonObject), phase, containerStatuses: [{ name: "work", state: { terminated } }] } });
      }
    },
    /** Its status counts (0 when unset, as protobuf JSON leaves zeroes out) and times. */
    status: () => {
      const status = gateway.stored("Job", name)!["status"] as JsonObject;
      return { active: 0, succeeded: 0, failed: 0, ...status };
    },
  };
}

describe("JobReconciler", () => {
  it("creates parallelism pods, owned by the Job, and no more on the next reconcile", async () => {
    const t = await given(aJob("five", { completions: 5, parallelism: 2 }));
    await t.reconcile();
    await t.reconcile();
    expect(t.podsOf()).toHaveLength(2);
    expect(t.status()).toMatchObject({ active: 2, succeeded: 0, startTime: new Date(T0).toISOString() });
    expect(t.events).toEqual(["Normal SuccessfulCreate", "Normal SuccessfulCreate"]);
  });

  it("runs to Complete, never more than parallelism at once", async () => {
    const t = await given(aJob("five", { completions: 5, parallelism: 2 }));
    for (let round = 0; round < 3; round++) {
      await t.reconcile();
      expect(t.podsOf().filter((p) => phaseOf(p) === "Pending").length).toBeLessThanOrEqual(2);
      await t.finishAll("Succeeded");
    }
    await t.reconcile();
    expect(t.podsOf()).toHaveLength(5);
    expect(t.status()).toMatchObject({ succeeded: 5, active: 0, completionTime: new Date(T0).toISOString() });
    expect(t.events.at(-1)).toBe("Normal Completed");
  });

  it("waits out the back-off before it retries a failed pod", async () => {
    const t = await given(aJob("flaky", { backoffLimit: 3 }));
    await t.reconcile();
    await t.finishAll("Failed");
    const result = await t.reconcile();
    expect(t.podsOf()).toHaveLength(1);
    expect(result).toMatchObject({ requeueAfterMs: expect.any(Number) });
    t.clock.advance(10_000);
    await t.reconcile();
    expect(t.podsOf()).toHaveLength(2);
    expect(t.status()).toMatchObject({ failed: 1, active: 1 });
  });

  it("gives an Indexed Job one pod per index", async () => {
    const t = await given(aJob("indexed", { completions: 3, parallelism: 3, completionMode: "Indexed" }));
    await t.reconcile();
    await t.reconcile();
    expect(t.podsOf().map((p) => metaOf(p).annotations?.["batch.kubernetes.io/job-completion-index"]).sort()).toEqual(["0", "1", "2"]);
  });
});
