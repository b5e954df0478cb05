import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type OtlpReceiver } from "@capstan/telemetry/testing";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

let receiver: OtlpReceiver;
let cluster: TestCluster;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  cluster = await startTestCluster({ nodes: 1, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: "200" } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await receiver?.close();
});

describe("tracing", () => {
  it("puts a pod's create, its binding and its start on the node agent in one trace", async () => {
    const r = await cluster.capctl(["apply", "-f", "-"], "apiVersion: v1\nkind: Pod\nmetadata:\n  name: traced\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, '3600']\n");
    expect(r.stdout.trim()).toBe("pod/traced created");
    const uid = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "traced" })).pod!.metadata!.uid;
    const start = await eventually(
      () => receiver.spans().find((s) => s.name === "NodeAgent/StartPod" && s.attributes["k8s.pod.uid"] === uid),
      { what: "the node agent's StartPod span", timeoutMs: 30_000 },
    );
    const trace = receiver.spans().filter((s) => s.traceId === start.traceId);
    const byName = (name: string) => trace.filter((s) => s.name === name);
    expect(byName("Gateway/Create").map((s) => s.serviceName)).toEqual(["api-gateway"]);
    expect(byName("Scheduler/Bind").map((s) => s.serviceName)).toEqual(["scheduler"]);
    expect(byName("Gateway/Bind")).toHaveLength(1);
    expect(start.serviceName).toBe("node-agent");
    // The create is the root: everything else descends from the call capctl made.
    const create = byName("Gateway/Create")[0]!;
    expect(create.parentSpanId).toBeUndefined();
  });
});
