import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Job, type Pod } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * Jobs through real processes: a Job of five completions two at a time runs real commands to Complete,
 * a failing Job stops at its backoffLimit, an Indexed Job's pods each see their own index; suspend,
 * activeDeadlineSeconds and ttlSecondsAfterFinished; and a job controller killed mid-run starts no pod twice.
 */
let cluster: TestCluster;

beforeAll(async () => {
  // A short first retry delay, so the failing Job's three attempts take seconds, not 70 s; a short
  // lease, so a killed job controller leads again within seconds.
  cluster = await startTestCluster({ env: { CAPSTAN_JOB_BACKOFF_BASE_MS: "200", CAPSTAN_LEASE_SECONDS: "3" } });
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isLive = (p: Pod) => p.metadata?.deletionTimestamp === undefined;

async function changeJob(name: string, change: (job: Job) => void): Promise<void> {
  for (;;) {
    const job = await getJob(name);
    change(job);
    try {
      return void (await cluster.client.update({ job }));
    } catch (e) {
      if (!isCapstanError(e, "Conflict")) throw e;
    }
  }
}

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
    const described = await eventually(
      async () => {
        const out = await cluster.capctlOk(["describe", "job", "fails"]);
        return /Warning\s+BackoffLimitExceeded\s.*job-controller\s+Job has reached the specified backoff limit/.test(out) ? out : undefined;
      },
      { what: "the BackoffLimitExceeded event" },
    );
    expect(described.match(/Normal\s+SuccessfulCreate\s/g)).toHaveLength(3);
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

  it("suspends: no pods and STATUS Suspended; resumed, it runs; suspended again, its pods go", async () => {
    await cluster.client.create(aJob("later", { completions: 2, parallelism: 2, suspend: true }, "sleep 3600"));
    await eventually(condition("later", "Suspended"), { what: "Job later Suspended" });
    expect(await podsOf("later")).toEqual([]);
    expect(await cluster.capctlOk(["get", "job", "later"])).toMatch(/^later\s+Suspended\s+0\/2\s+/m);

    await changeJob("later", (job) => (job.spec!.suspend = false));
    await eventually(async () => ((await podsOf("later")).filter((p) => p.status?.phase === "Running").length === 2 ? true : undefined), { timeoutMs: 60_000, what: "2 running pods" });
    const resumed = await getJob("later");
    expect(resumed.status?.conditions.find((c) => c.type === "Suspended")).toMatchObject({ status: "False", reason: "JobResumed" });
    expect(resumed.status?.active).toBe(2);

    await changeJob("later", (job) => (job.spec!.suspend = true));
    await eventually(async () => ((await podsOf("later")).length === 0 ? true : undefined), { timeoutMs: 60_000, what: "the pods deleted" });
    expect((await getJob("later")).status).toMatchObject({ active: 0, succeeded: 0 });
  });

  it("fails with DeadlineExceeded after activeDeadlineSeconds and deletes its running pods", async () => {
    await cluster.client.create(aJob("slow", { activeDeadlineSeconds: 3, parallelism: 2, completions: 2 }, "sleep 3600"));
    const failed = await eventually(condition("slow", "Failed"), { timeoutMs: 60_000, what: "Job slow Failed" });
    expect(failed.status?.conditions.find((c) => c.type === "Failed")?.reason).toBe("DeadlineExceeded");
    await eventually(async () => ((await podsOf("slow")).length === 0 ? true : undefined), { timeoutMs: 60_000, what: "the pods deleted" });
  });

  it("deletes a finished Job and its pods after ttlSecondsAfterFinished", async () => {
    await cluster.client.create(aJob("brief", { ttlSecondsAfterFinished: 2 }, "true"));
    await eventually(condition("brief", "Complete"), { timeoutMs: 60_000, what: "Job brief Complete" });
    expect((await podsOf("brief")).length).toBe(1);
    await eventually(
      async () => {
        const jobs = await cluster.client.list({ kind: "Job", namespace: "default", fieldSelector: "metadata.name=brief" });
        return jobs.items.length === 0 && (await podsOf("brief")).length === 0 ? true : undefined;
      },
      { timeoutMs: 60_000, what: "the Job and its pod gone" },
    );
  });

  it("starts no pod twice when the job controller is killed -9 while the Job runs", async () => {
    await cluster.client.create(aJob("sturdy", { completions: 8, parallelism: 3 }, "sleep 1"));
    const controller = cluster.stack.service("job-controller");
    for (let kills = 0; kills < 3; kills++) {
      await sleep(1200);
      await controller.crash();
      await sleep(300);
      controller.start();
    }
    const done = await eventually(condition("sturdy", "Complete"), { timeoutMs: 120_000, what: "Job sturdy Complete" });
    expect(done.status).toMatchObject({ succeeded: 8, failed: 0 });
    const pods = await podsOf("sturdy");
    expect(pods.filter(isLive).map((p) => p.status?.phase)).toEqual(Array(8).fill("Succeeded"));
    expect(pods).toHaveLength(8);
  });

  it("applies a Kubernetes Job manifest, applies it again, and describes it as kubectl does", async () => {
    const manifest = join(cluster.dataDir, "pi-job.yaml");
    writeFileSync(
      manifest,
      ["apiVersion: batch/v1", "kind: Job", "metadata:", "  name: pi", "spec:", "  backoffLimit: 4", "  template:", "    spec:", "      restartPolicy: Never", "      containers:", "      - name: pi", "        image: busybox", '        command: ["sh", "-c", "echo 3.14"]', ""].join("\n"),
    );
    expect(await cluster.capctlOk(["apply", "-f", manifest])).toMatch(/job.batch\/pi created/);
    await eventually(condition("pi", "Complete"), { timeoutMs: 60_000, what: "Job pi Complete" });
    // The selector generated at create is kept, not refused as a change of an immutable field.
    expect(await cluster.capctlOk(["apply", "-f", manifest])).toMatch(/job.batch\/pi (unchanged|configured)/);
    const described = await cluster.capctlOk(["describe", "job", "pi"]);
    expect(described).toMatch(/^Selector:\s+batch.kubernetes.io\/controller-uid=[0-9a-f-]+$/m);
    expect(described).toMatch(/^Backoff Limit:\s+4$/m);
    expect(described).toMatch(/^Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed$/m);
  });
});
