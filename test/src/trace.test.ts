import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryEvent } from "@capstan/api";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "@capstan/telemetry/testing";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

let receiver: OtlpReceiver;
let cluster: TestCluster;
let otel: Record<string, string>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: "200" };
  cluster = await startTestCluster({ nodes: 1, env: otel });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await receiver?.close();
});

const sleeper = (name: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: busybox\n    command: [sleep, '3600']\n`;

/** What a hop's span must be: its name, the service that sent it, and attributes it must carry. */
interface Hop {
  readonly name: string;
  readonly service: string;
  readonly attributes: Record<string, unknown>;
}

const matches = (s: ReceivedSpan, hop: Hop) =>
  s.name === hop.name && s.serviceName === hop.service && Object.entries(hop.attributes).every(([k, v]) => s.attributes[k] === v);

/** The spans from `span` up to its trace's root, `span` first, once every one of them has arrived. */
function ancestry(span: ReceivedSpan): Promise<ReceivedSpan[]> {
  return eventually(
    () => {
      const byId = new Map(receiver.spans().map((s) => [s.spanId, s]));
      const path = [span];
      for (let s = span; s.parentSpanId !== undefined; ) {
        const parent = byId.get(s.parentSpanId);
        if (!parent) return undefined;
        path.push((s = parent));
      }
      return path;
    },
    { what: `every ancestor of span ${span.name} exported` },
  );
}

/** The hops in `path` (root first), in order: each one's span descends from the previous one's. */
function expectInParentOrder(path: readonly ReceivedSpan[], hops: readonly Hop[]): void {
  const rootFirst = [...path].reverse();
  let from = 0;
  for (const hop of hops) {
    const at = rootFirst.findIndex((s, i) => i >= from && matches(s, hop));
    expect(at, `${hop.name} of ${hop.service} ${JSON.stringify(hop.attributes)} in ${rootFirst.map((s) => `${s.serviceName}:${s.name}`).join(" → ")}`).toBeGreaterThanOrEqual(from);
    from = at + 1;
  }
}

/** The spans that arrived in `traceId`, waiting for one that matches `hop`. */
async function spanOf(traceId: string, hop: Hop, what: string): Promise<ReceivedSpan> {
  return eventually(() => receiver.spans().find((s) => s.traceId === traceId && matches(s, hop)), { what, timeoutMs: 30_000 });
}

async function historyOf(kind: string, name: string): Promise<HistoryEvent[]> {
  return (await cluster.client.history({ kind, namespace: "default", name })).events;
}

/** The revision at which the object's status.phase first read `phase`. */
async function revisionWhenPhase(name: string, phase: string): Promise<number> {
  const first = (await historyOf("Pod", name)).find((e) => e.object?.pod?.status?.phase === phase);
  if (!first) throw new Error(`pod ${name} never was ${phase}`);
  return Number(first.revision);
}

describe("tracing", () => {
  it("puts a pod's apply, create, binding, start and Running status in one trace", async () => {
    const r = await cluster.capctl(["apply", "-f", "-"], sleeper("traced"), otel);
    expect(r.stdout.trim()).toBe("pod/traced created");
    const uid = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "traced" })).pod!.metadata!.uid;
    const start = await eventually(
      () => receiver.spans().find((s) => s.name === "NodeAgent/StartPod" && s.attributes["k8s.pod.uid"] === uid),
      { what: "the node agent's StartPod span", timeoutMs: 30_000 },
    );
    const path = await ancestry(start);
    const pod = { "k8s.pod.name": "traced", "k8s.namespace.name": "default" };
    expectInParentOrder(path, [
      { name: "Capctl/Apply", service: "capctl", attributes: pod },
      { name: "Gateway/Create", service: "api-gateway", attributes: { ...pod, "k8s.pod.uid": uid } },
      { name: "Scheduler/Bind", service: "scheduler", attributes: { ...pod, "k8s.node.name": "node-1" } },
      { name: "Gateway/Bind", service: "api-gateway", attributes: pod },
      { name: "NodeAgent/StartPod", service: "node-agent", attributes: { ...pod, "k8s.pod.uid": uid } },
    ]);
    // The apply is the root: everything else descends from the command the user ran.
    expect(path.at(-1)!.name).toBe("Capctl/Apply");
  });

  it("follows one apply of a Deployment through every hop to its pod's Running status write", async () => {
    const manifest = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: web",
      "spec:",
      "  replicas: 1",
      "  selector:",
      "    matchLabels: {app: web}",
      "  template:",
      "    metadata:",
      "      labels: {app: web}",
      "    spec:",
      "      containers:",
      "      - name: c",
      "        image: busybox",
      "        command: [sleep, '3600']",
    ].join("\n");
    expect((await cluster.capctl(["apply", "-f", "-"], manifest, otel)).stdout.trim()).toBe("deployment.apps/web created");
    const running = await eventually(
      async () => (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: "app=web" })).items.find((p) => p.pod?.status?.phase === "Running")?.pod,
      { what: "the Deployment's pod Running", timeoutMs: 60_000 },
    );
    const podName = running.metadata!.name;
    const podUid = running.metadata!.uid;
    const rsRef = running.metadata!.ownerReferences.find((o) => o.kind === "ReplicaSet")!;
    const deployment = (await historyOf("Deployment", "web"))[0]!;
    const replicaSet = (await historyOf("ReplicaSet", rsRef.name))[0]!;
    const podCreated = (await historyOf("Pod", podName))[0]!;
    const runningAt = await revisionWhenPhase(podName, "Running");

    const ofDeployment = { "k8s.deployment.name": "web", "k8s.namespace.name": "default" };
    const ofReplicaSet = { "k8s.replicaset.name": rsRef.name, "k8s.namespace.name": "default" };
    const ofPod = { "k8s.pod.name": podName, "k8s.pod.uid": podUid, "k8s.namespace.name": "default" };
    const apply = await eventually(() => receiver.spans().find((s) => matches(s, { name: "Capctl/Apply", service: "capctl", attributes: ofDeployment })), {
      what: "capctl's apply span",
    });
    const traceId = apply.traceId;
    expect(deployment.traceId, "the Deployment's event carries the apply's trace").toBe(traceId);
    expect(replicaSet.traceId, "so does the ReplicaSet's").toBe(traceId);
    expect(podCreated.traceId, "and the pod's").toBe(traceId);

    // The Running status write: the gateway's write at that revision, under the node agent's span.
    const gatewayStatusWrite = await spanOf(
      traceId,
      { name: "Gateway/UpdateStatus", service: "api-gateway", attributes: { ...ofPod, "capstan.revision": runningAt } },
      "the gateway's write of the Running status in the apply's trace",
    );
    const rsCreate = await spanOf(
      traceId,
      { name: "Gateway/Create", service: "api-gateway", attributes: { ...ofReplicaSet, "capstan.revision": Number(replicaSet.revision) } },
      "the ReplicaSet's create in the apply's trace",
    );

    const deploymentHops: Hop[] = [
      { name: "Capctl/Apply", service: "capctl", attributes: { ...ofDeployment, "capstan.revision": Number(deployment.revision) } },
      { name: "Gateway/Create", service: "api-gateway", attributes: { ...ofDeployment, "capstan.revision": Number(deployment.revision) } },
      { name: "Controller/Reconcile", service: "deployment-controller", attributes: { ...ofDeployment, "capstan.controller": "deployment" } },
    ];
    // The ReplicaSet's create descends from the Deployment's reconcile.
    expectInParentOrder(await ancestry(rsCreate), deploymentHops);
    // The pod's path: from the same apply through a reconcile of the ReplicaSet (after its create, or a
    // later write to it of this trace when that reconcile lost a race) to the Running status write.
    const path = await ancestry(gatewayStatusWrite);
    expectInParentOrder(path, [
      ...deploymentHops,
      { name: "Controller/Reconcile", service: "replicaset-controller", attributes: { ...ofReplicaSet, "capstan.controller": "replicaset" } },
      { name: "Gateway/Create", service: "api-gateway", attributes: { ...ofPod, "capstan.revision": Number(podCreated.revision) } },
      { name: "Scheduler/Bind", service: "scheduler", attributes: { ...ofPod, "k8s.node.name": "node-1" } },
      { name: "Gateway/Bind", service: "api-gateway", attributes: ofPod },
      { name: "NodeAgent/StartPod", service: "node-agent", attributes: ofPod },
      { name: "NodeAgent/UpdateStatus", service: "node-agent", attributes: { ...ofPod, "capstan.pod.phase": "Running" } },
    ]);
    expect(path[1]!.name, "the Running write's own parent").toBe("NodeAgent/UpdateStatus");
    expect(path.at(-1)).toBe(apply);

    // describe names the trace of the object's last change.
    const described = await cluster.capctlOk(["describe", "deployment", "web"]);
    const last = (await historyOf("Deployment", "web")).at(-1)!;
    expect(described).toMatch(new RegExp(`^Trace ID:\\s+${last.traceId}$`, "m"));
  });

  it("keeps the trace of a pod the node agent first sees in a list, after it was created and bound", async () => {
    const agent = cluster.stack.service("node-1");
    await agent.crash();
    await cluster.capctlOk(["apply", "-f", "-"], sleeper("listed"), otel);
    await eventually(async () => (await cluster.client.get({ kind: "Pod", namespace: "default", name: "listed" })).pod!.spec!.nodeName || undefined, {
      what: "the pod bound while its node agent is down",
    });
    const created = (await historyOf("Pod", "listed"))[0]!;
    agent.start();
    await agent.ready();
    const ofPod = { "k8s.pod.name": "listed", "k8s.pod.uid": created.object!.pod!.metadata!.uid };
    const statusWrite = await spanOf(created.traceId, { name: "NodeAgent/UpdateStatus", service: "node-agent", attributes: { ...ofPod, "capstan.pod.phase": "Running" } }, "the Running status write in the pod's trace");
    expectInParentOrder(await ancestry(statusWrite), [
      { name: "Capctl/Apply", service: "capctl", attributes: { "k8s.pod.name": "listed" } },
      { name: "Gateway/Create", service: "api-gateway", attributes: ofPod },
      { name: "NodeAgent/StartPod", service: "node-agent", attributes: ofPod },
    ]);
  });
});
