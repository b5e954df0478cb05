import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject } from "@capstan/api";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * Init containers through real processes: one writes a file into an emptyDir while the pod shows
 * `Init:0/1`, and the app container, started only after it exited 0, reads it; one that fails under
 * restartPolicy Never fails the pod, whose app container never runs; a sidecar runs beside the app.
 */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

function podWithInit(name: string, initScript: string, restartPolicy: string) {
  const mount = [{ name: "work", mountPath: "/work" }];
  return toApiObject({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      restartPolicy,
      terminationGracePeriodSeconds: 0,
      volumes: [{ name: "work", emptyDir: {} }],
      initContainers: [{ name: "setup", image: "busybox", command: ["sh", "-c", initScript], volumeMounts: mount }],
      containers: [{ name: "app", image: "busybox", command: ["sh", "-c", "cat /work/message; sleep 3600"], volumeMounts: mount }],
    },
  });
}

const statusOf = async (name: string) => {
  const out = await cluster.capctlOk(["get", "pod", name]);
  return new RegExp(`^${name}\\s+\\d+/\\d+\\s+(\\S+)`, "m").exec(out)?.[1];
};

describe("init containers", () => {
  it("runs the init container to completion before the app container, which sees what it wrote", async () => {
    // Long enough that a poll through capctl (seconds on a loaded machine) cannot miss the Init:0/1 window.
    await cluster.client.create(podWithInit("init-ok", "echo written by init > /work/message; sleep 10", "Always"));
    await eventually(async () => ((await statusOf("init-ok")) === "Init:0/1" ? true : undefined), { timeoutMs: 30_000, what: "STATUS Init:0/1" });
    const initializing = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "init-ok" })).pod!;
    expect(initializing.status?.phase).toBe("Pending");
    expect(initializing.status?.conditions.find((c) => c.type === "Initialized")?.status).toBe("False");

    await eventually(async () => ((await statusOf("init-ok")) === "Running" ? true : undefined), { timeoutMs: 30_000, what: "STATUS Running" });
    const logs = await eventually(
      async () => {
        const out = await cluster.capctl(["logs", "init-ok", "-c", "app"]);
        return out.stdout.includes("written by init") ? out.stdout : undefined;
      },
      { timeoutMs: 15_000, what: "the app's log" },
    );
    expect(logs.trim()).toBe("written by init");
    const running = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "init-ok" })).pod!;
    expect(running.status?.conditions.find((c) => c.type === "Initialized")?.status).toBe("True");
    expect(running.status?.initContainerStatuses.map((c) => [c.name, c.state?.terminated?.exitCode, c.state?.terminated?.reason])).toEqual([["setup", 0, "Completed"]]);
    const described = await cluster.capctlOk(["describe", "pod", "init-ok"]);
    expect(described).toMatch(/Init Containers:\n\s+setup:/);
  });

  it("fails the pod when an init container fails under restartPolicy Never", async () => {
    await cluster.client.create(podWithInit("init-fails", "exit 1", "Never"));
    const failed = await eventually(
      async () => {
        const pod = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "init-fails" })).pod!;
        return pod.status?.phase === "Failed" ? pod : undefined;
      },
      { timeoutMs: 30_000, what: "phase Failed" },
    );
    expect(failed.status?.initContainerStatuses[0]?.state?.terminated?.exitCode).toBe(1);
    expect(failed.status?.containerStatuses[0]?.state?.running).toBeUndefined();
    expect(await statusOf("init-fails")).toBe("Init:Error");
  });

  it("runs a sidecar (restartPolicy Always) beside the app: it tails what the app writes, and counts for READY", async () => {
    const mount = [{ name: "work", mountPath: "/work" }];
    await cluster.client.create(
      toApiObject({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "with-sidecar" },
        spec: {
          terminationGracePeriodSeconds: 0,
          volumes: [{ name: "work", emptyDir: {} }],
          initContainers: [
            { name: "sidecar", image: "busybox", restartPolicy: "Always", command: ["sh", "-c", "touch /work/app.log; exec tail -f /work/app.log"], volumeMounts: mount },
          ],
          containers: [
            { name: "app", image: "busybox", command: ["sh", "-c", "for i in 1 2 3; do echo app line $i >> /work/app.log; done; sleep 3600"], volumeMounts: mount },
          ],
        },
      }),
    );
    await eventually(
      async () => {
        const out = await cluster.capctlOk(["get", "pod", "with-sidecar"]);
        return /^with-sidecar\s+2\/2\s+Running\s/m.test(out) ? true : undefined;
      },
      { timeoutMs: 30_000, what: "READY 2/2 Running" },
    );
    const logs = await eventually(
      async () => {
        const out = await cluster.capctl(["logs", "with-sidecar", "-c", "sidecar"]);
        return out.stdout.includes("app line 3") ? out.stdout : undefined;
      },
      { timeoutMs: 15_000, what: "the sidecar's log" },
    );
    expect(logs.trim().split("\n")).toEqual(["app line 1", "app line 2", "app line 3"]);
    const pod = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "with-sidecar" })).pod!;
    expect(pod.status?.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(pod.status?.initContainerStatuses.map((c) => [c.name, c.started, c.ready, c.state?.running !== undefined])).toEqual([["sidecar", true, true, true]]);
  });

  it("completes a restartPolicy Never pod when its app container does: the sidecar is stopped and does not fail it", async () => {
    await cluster.client.create(
      toApiObject({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "job-with-sidecar" },
        spec: {
          restartPolicy: "Never",
          terminationGracePeriodSeconds: 5,
          initContainers: [{ name: "sidecar", image: "busybox", restartPolicy: "Always", command: ["sh", "-c", "exec sleep 3600"] }],
          containers: [{ name: "app", image: "busybox", command: ["sh", "-c", "sleep 1; echo done"] }],
        },
      }),
    );
    const done = await eventually(
      async () => {
        const pod = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "job-with-sidecar" })).pod!;
        return pod.status?.phase === "Succeeded" && pod.status.initContainerStatuses[0]?.state?.terminated ? pod : undefined;
      },
      { timeoutMs: 30_000, what: "phase Succeeded with the sidecar stopped" },
    );
    expect(done.status?.containerStatuses[0]?.state?.terminated?.exitCode).toBe(0);
    expect(done.status?.initContainerStatuses[0]?.restartCount).toBe(0);
    expect(await statusOf("job-with-sidecar")).toBe("Completed");
  });
});
