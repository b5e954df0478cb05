import { describe, expect, it } from "vitest";
import { jobPod, type JobPodOwner } from "./job-pod.js";

const owner: JobPodOwner = {
  namespace: "batch",
  name: "pi",
  ref: { apiVersion: "batch/v1", kind: "Job", name: "pi", uid: "job-uid", controller: true, blockOwnerDeletion: true },
  template: {
    metadata: { labels: { "batch.kubernetes.io/job-name": "pi" } },
    spec: { restartPolicy: "Never", containers: [{ name: "a", image: "busybox", env: [{ name: "X", value: "1" }] }, { name: "b", image: "busybox", env: [{ name: "JOB_COMPLETION_INDEX", value: "mine" }] }] },
  },
};

describe("a Job's pod", () => {
  it("NonIndexed: the template, owned by the Job, named <job>-<random>", () => {
    expect(jobPod(owner, undefined)).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { generateName: "pi-", namespace: "batch", labels: { "batch.kubernetes.io/job-name": "pi" }, ownerReferences: [owner.ref] },
      spec: owner.template["spec"],
    });
  });

  it("Indexed: its index as annotation, label and env, hostname <job>-<index>, named <job>-<index>-<random>", () => {
    const pod = jobPod(owner, 3) as { metadata: Record<string, unknown>; spec: { hostname: string; containers: { env: unknown[] }[] } };
    expect(pod.metadata).toMatchObject({
      generateName: "pi-3-",
      labels: { "batch.kubernetes.io/job-name": "pi", "batch.kubernetes.io/job-completion-index": "3" },
      annotations: { "batch.kubernetes.io/job-completion-index": "3" },
    });
    expect(pod.spec.hostname).toBe("pi-3");
    expect(pod.spec.containers.map((c) => c.env)).toEqual([
      [{ name: "X", value: "1" }, { name: "JOB_COMPLETION_INDEX", value: "3" }],
      // A container that sets it itself keeps its own.
      [{ name: "JOB_COMPLETION_INDEX", value: "mine" }],
    ]);
  });
});
