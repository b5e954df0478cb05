import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Pod } from "@capstan/api";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * Jobs through real processes: a Job of five completions two at a time runs real commands to Complete,
 * a failing Job stops at its backoffLimit, and an Indexed Job's pods each see their own index.
 */
let cluster: TestCluster;

beforeAll(async () => {
  // A short first retry delay, so the failing Job's three attempts take seconds, not 70 s.
  cluster = await startTestCluster({ env: { CAPSTAN_JOB_BACKOFF_BASE_MS: "200" } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

function aJob(name: string, spec: Record<string, unknown>, script: string) {
  return toApiObject({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: {
      ...spec,
      template: {
        spec: { restartPolicy: "Never", terminationGracePeriodSeconds: 0, containers: [{ name: "work", image: "busybox", command: ["sh", "-c", script] }] },
      },
    },
  });
}

const getJob = async (name: string) => (await cluster.client.get({ kind: "Job", namespace: "default", name })).job!;
const podsOf = async (name: string): Promise<Pod[]> =>
  (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: `batch.kubernetes.io/job-name=${name}` })).items.map((o) => o.pod!);
const condition = (name: string, type: string) => async () => {
  const job = await getJob(name);
  return job.status?.conditions.find((c) => c.type === type && c.status === "True") ? job : undefined;
};

describe("Jobs", () => {
  it("runs five completions two at a time to Complete", async () => {
    await cluster.client.create(aJob("five", { completions: 5, parallelism: 2 }, "sleep 1"));
    let mostActive = 0;
    const done = await eventually(
      async () => {
        const running = (await podsOf("five")).filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed").length;
        mostActive = Math.max(mostActive, running);
        return condition("five", "Complete")();
      },
      { timeoutMs: 90_000, intervalMs: 100, what: "Job five Complete" },
    );
    expect(done.status).toMatchObject({ succeeded: 5, failed: 0, active: 0 });
    expect(done.status?.completionTime).not.toBe("");
    expect(mostActive).toBe(2);
    const pods = await podsOf("five");
    expect(pods.map((p) => p.status?.phase)).toEqual(Array(5).fill("Succeeded"));
    expect(pods.every((p) => p.metadata?.ownerReferences.some((r) => r.kind === "Job" && r.controller === true && r.uid === done.metadata?.uid))).toBe(true);
    expect(await cluster.capctlOk(["get", "job", "five"])).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\nfive\s+Complete\s+5\/5\s+\d+s\s+\d+s$/m);
  });

  it("fails with BackoffLimitExceeded after backoffLimit + 1 failed pods", async () => {
    await cluster.client.create(aJob("fails", { backoffLimit: 2 }, "exit 1"));
    const failed = await eventually(condition("fails", "Failed"), { timeoutMs: 90_000, what: "Job fails Failed" });
    expect(failed.status?.conditions.find((c) => c.type === "Failed")?.reason).toBe("BackoffLimitExceeded");
    expect(failed.status).toMatchObject({ failed: 3, succeeded: 0, active: 0 });
    const pods = await podsOf("fails");
    expect(pods.map((p) => p.status?.phase)).toEqual(["Failed", "Failed", "Failed"]);
    expect(await cluster.capctlOk(["get", "job", "fails"])).toMatch(/^fails\s+Failed\s+0\/1\s+/m);
  });

  it("gives each pod of an Indexed Job its JOB_COMPLETION_INDEX", async () => {
    await cluster.client.create(aJob("indexed", { completions: 3, parallelism: 3, completionMode: "Indexed" }, 'echo "index $JOB_COMPLETION_INDEX"'));
    const done = await eventually(condition("indexed", "Complete"), { timeoutMs: 90_000, what: "Job indexed Complete" });
    expect(done.status).toMatchObject({ succeeded: 3, completedIndexes: "0-2" });
    const pods = await podsOf("indexed");
    const byIndex = new Map(pods.map((p) => [p.metadata!.annotations["batch.kubernetes.io/job-completion-index"], p]));
    expect([...byIndex.keys()].sort()).toEqual(["0", "1", "2"]);
    for (const [index, pod] of byIndex) {
      expect(pod.metadata?.name).toMatch(new RegExp(`^indexed-${index}-`));
      expect(pod.spec?.hostname).toBe(`indexed-${index}`);
      expect((await cluster.capctlOk(["logs", pod.metadata!.name])).trim()).toBe(`index ${index}`);
    }
  });
});
