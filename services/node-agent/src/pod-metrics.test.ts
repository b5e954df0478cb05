import { describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/client";
import { InMemoryMetrics } from "@capstan/telemetry/testing";
import { PodMetrics } from "./pod-metrics.js";
import type { PodRuntimeStatus, Runtime } from "./runtime/index.js";

function aPod(uid: string, createdSecondsAgo: number, status: JsonObject = {}): JsonObject {
  const creationTimestamp = new Date(Date.now() - createdSecondsAgo * 1000).toISOString();
  return { kind: "Pod", metadata: { name: uid, namespace: "default", uid, creationTimestamp }, spec: { nodeName: "node-1", containers: [] }, status };
}

function running(restartCount = 0): PodRuntimeStatus {
  return {
    podIP: "127.1.0.2",
    phase: "Running",
    containerStatuses: [
      { name: "app", ready: true, restartCount, image: "busybox", imageId: "", containerId: "1", state: { running: { startedAt: "" } } },
      { name: "done", ready: false, restartCount: 0, image: "busybox", imageId: "", containerId: "2", state: { terminated: { exitCode: 0 } as never } },
    ],
  };
}

/** A runtime holding the given statuses; only what PodMetrics reads. */
function runtimeOf(statuses: Map<string, PodRuntimeStatus>): Runtime {
  return { runningPods: () => [...statuses.keys()], status: (uid: string) => statuses.get(uid) } as unknown as Runtime;
}

describe("PodMetrics", () => {
  it("records a pod's startup once, from its creation to the first report of Running", async () => {
    const metrics = new InMemoryMetrics();
    const statuses = new Map([["a", running()]]);
    const pods = new PodMetrics(runtimeOf(statuses), metrics.meter);
    pods.reported(aPod("a", 3), { ...running(), phase: "Pending" });
    expect(await metrics.points("capstan.pod.startup.duration")).toEqual([]);
    pods.reported(aPod("a", 3), running());
    pods.reported(aPod("a", 3), running()); // a retried write
    // Already Running in the API: started before this agent (a restarted agent), not counted.
    pods.reported(aPod("b", 60, { phase: "Running" }), running());
    const [startup] = await metrics.points("capstan.pod.startup.duration");
    expect(startup?.value).toBe(1);
    expect(startup?.sum).toBeGreaterThanOrEqual(2.9);
    expect(startup?.sum).toBeLessThan(60);
  });

  it("counts restarts as they grow, not those the API already shows", async () => {
    const metrics = new InMemoryMetrics();
    const pods = new PodMetrics(runtimeOf(new Map()), metrics.meter);
    const before = { phase: "Running", containerStatuses: [{ name: "app", restartCount: 2 }] };
    pods.reported(aPod("a", 1, before), running(2));
    pods.reported(aPod("a", 1, before), running(3));
    pods.reported(aPod("a", 1, before), running(3));
    const restarts = await metrics.points("capstan.container.restarts");
    expect(restarts).toEqual([{ attributes: { "k8s.node.name": "node-1" }, value: 1, sum: undefined }]);
  });

  it("counts the running pods and the containers by state of each node", async () => {
    const metrics = new InMemoryMetrics();
    const statuses = new Map([["a", running()], ["b", { ...running(), containerStatuses: [] }]]);
    const pods = new PodMetrics(runtimeOf(statuses), metrics.meter);
    pods.reported(aPod("a", 1), running());
    pods.reported(aPod("b", 1), statuses.get("b")!);
    expect((await metrics.points("capstan.node_agent.running_pods")).map((p) => [p.attributes["k8s.node.name"], p.value])).toEqual([["node-1", 1]]);
    const containers = await metrics.points("capstan.node_agent.running_containers");
    expect(Object.fromEntries(containers.map((p) => [p.attributes["capstan.container.state"], p.value]))).toEqual({ running: 1, exited: 1, created: 0 });
  });
});
