import { Worker } from "node:worker_threads";
import { trace } from "@opentelemetry/api";
import { toApiObject, type BindRequest } from "@capstan/api";
import { createClient, type CapstanClient, type EventRecorder, type JsonObject } from "@capstan/client";
import { Scheduler, type SchedulerConfiguration } from "@capstan/scheduler";
import { startScratchStack } from "../support/scratch-stack.js";
import { bestFit, floorColumns, floorTableBytes, type FitAnswer } from "./floor-table.js";
import { measure, round } from "./stats.js";

/**
 * The scheduler alone on an in-memory cluster: reflector events fed straight into its cache, and a
 * binder that answers at once, so the figures are the scheduling loop's own. Beside them, a floor:
 * the bare loop over the same nodes (cpu/memory fit and a least-allocated pick over the same sample),
 * the best any plugin framework could do here.
 */

const ZONES = 10;
const GI = 1024 ** 3;
const MI = 1024 ** 2;

interface NodeShape {
  readonly milliCpu: number;
  readonly memory: number;
  readonly pods: number;
}

/** Varied capacities; every 25th node tainted for infra pods only. */
function nodeShape(i: number): NodeShape {
  const size = [4, 8, 16, 32][i % 4]!;
  return { milliCpu: size * 1000, memory: size * 4 * GI, pods: 110 };
}

function nodeObject(i: number): JsonObject {
  const shape = nodeShape(i);
  const capacity = { cpu: String(shape.milliCpu / 1000), memory: `${shape.memory / GI}Gi`, pods: String(shape.pods), "ephemeral-storage": "100Gi" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: `node-${i}`,
      labels: {
        "kubernetes.io/hostname": `node-${i}`,
        "topology.kubernetes.io/zone": `zone-${i % ZONES}`,
        "node.kubernetes.io/instance-type": `m.${nodeShape(i).milliCpu / 1000}`,
      },
    },
    spec: i % 25 === 0 ? { taints: [{ key: "dedicated", value: "infra", effect: "NoSchedule" }] } : {},
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: "Ready", status: "True" }],
      images: [{ names: ["docker.io/library/nginx:1.27"], sizeBytes: 70 * MI }],
    },
  };
}

type Placement = "default" | "spread" | "interpod";

interface PodShape {
  readonly milliCpu: number;
  readonly memory: number;
}

function podShape(i: number): PodShape {
  return { milliCpu: [100, 250, 500, 1000][i % 4]!, memory: [128, 256, 512, 1024][(i >> 2) % 4]! * MI };
}

/** Realistic requests; a few pods pick a zone or tolerate the infra taint; 50 apps of equal size. */
function podObject(run: string, i: number, placement: Placement): JsonObject {
  const shape = podShape(i);
  const app = `app-${i % 50}`;
  const spec: JsonObject = {
    containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: `${shape.milliCpu}m`, memory: `${shape.memory / MI}Mi` } } }],
  };
  if (i % 20 === 0) spec["nodeSelector"] = { "topology.kubernetes.io/zone": `zone-${i % ZONES}` };
  if (i % 50 === 1) spec["tolerations"] = [{ key: "dedicated", operator: "Equal", value: "infra", effect: "NoSchedule" }];
  const selector = { matchLabels: { app } };
  if (placement === "spread") {
    spec["topologySpreadConstraints"] = [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: selector }];
  }
  if (placement === "interpod") {
    spec["affinity"] = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: selector }] } };
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `pod-${run}-${i}`, namespace: "default", uid: `uid-${run}-${i}`, labels: { app }, creationTimestamp: "2026-01-01T00:00:00Z" },
    spec,
    status: { phase: "Pending" },
  };
}

interface Rate {
  readonly perSecond: number;
  /** CPU time of this process per pod: steadier than wall time when other work shares the cores. */
  readonly cpuMsPerPod: number;
}

/** Wall and CPU time of `work`, which places `numPods` pods, as a Rate. */
async function timed(numPods: number, work: () => void | Promise<void>): Promise<Rate> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: numPods / seconds, cpuMsPerPod: (used.user + used.system) / 1000 / numPods };
}

/**
 * Schedules `pods` onto `nodes` through the real loop, its cache fed directly; pods per second from the
 * start to the last bind. `client` binds (a no-op by default); `Scheduled` events count the binds.
 */
async function schedulerRun(nodes: JsonObject[], pods: JsonObject[], configuration: SchedulerConfiguration = {}, client?: CapstanClient): Promise<Rate> {
  let bound = 0;
  let failed = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const recorder = {
    record: (_o: JsonObject, type: string, reason: string) => {
      if (reason === "Scheduled") bound++;
      else if (type === "Warning") failed++;
      if (bound + failed === pods.length) done();
    },
  } as unknown as EventRecorder;
  const scheduler = new Scheduler(client ?? ({ bindBatch: async (b: unknown[]) => b.map(() => ({ status: "fulfilled", value: {} })) } as unknown as CapstanClient), recorder, trace.getTracer("bench"), {
    schedulerName: "default-scheduler",
    configuration,
    unschedulableRetryMs: 3_600_000,
    log: () => {},
  });
  scheduler.nodeHandler.replace(nodes, 0);
  scheduler.podHandler.replace(pods, 0);
  const rate = await timed(pods.length, () => {
    scheduler.start();
    return finished;
  });
  await scheduler.stop();
  if (failed > 0) throw new Error(`${failed} of ${pods.length} pods were not scheduled on ${nodes.length} nodes`);
  return rate;
}

function inMemoryRun(numNodes: number, numPods: number, placement: Placement, configuration: SchedulerConfiguration = {}): Promise<Rate> {
  const nodes = Array.from({ length: numNodes }, (_, i) => nodeObject(i));
  const pods = Array.from({ length: numPods }, (_, i) => podObject(`${placement}${numNodes}`, i, placement));
  return schedulerRun(nodes, pods, configuration);
}

/**
 * The same loop binding through a real gateway (Postgres, group commit, the outbox relay): nodes and pods
 * are created first, then the scheduler binds every pod, with BindBatch and with one Bind per pod. Also
 * the gateway's Bind alone, 256 in flight.
 */
async function gatewayRun(numNodes: number, numPods: number, log: (line: string) => void): Promise<{ scheduler: Rate; unbatched: Rate; binds: number }> {
  const scratch = await startScratchStack("bench", {
    scheduler: false,
    controllers: false,
    discovery: false,
    output: (service, line) => process.env["CAPSTAN_BENCH_LOGS"] && log(`${service}| ${line}`),
  });
  const { stack } = scratch;
  const client = createClient({ address: stack.gateway, actor: "system:bench-scheduler" });
  try {
    const nodes = Array.from({ length: numNodes }, (_, i) => nodeObject(i));
    // The API has no status.images yet; the scheduler's own copy keeps them.
    const withoutImages = (node: JsonObject): JsonObject => {
      const { images: _, ...status } = node["status"] as JsonObject;
      return { ...node, status };
    };
    await measure(numNodes, 64, (i) => client.create(toApiObject(withoutImages(nodes[i]!))));
    const create = async (run: string, n: number): Promise<JsonObject[]> => {
      const pods = Array.from({ length: n }, (_, i) => podObject(run, i, "default"));
      await measure(n, 256, async (i) => {
        const { uid: _, ...metadata } = pods[i]!["metadata"] as JsonObject;
        const created = await client.create(toApiObject({ ...pods[i]!, metadata }));
        (pods[i]!["metadata"] as JsonObject)["uid"] = created.pod!.metadata!.uid;
      });
      return pods;
    };
    const scheduler = await schedulerRun(nodes, await create("gw", numPods), {}, client);
    // The same, each binding its own Bind call (as before BindBatch).
    const oneByOne = { bindBatch: (bindings: BindRequest[]) => Promise.allSettled(bindings.map((b) => client.bind(b))) } as unknown as CapstanClient;
    const unbatched = await schedulerRun(nodes, await create("one", numPods), {}, oneByOne);
    const direct = await create("bind", numPods);
    const binds = await measure(numPods, 256, (i) => {
      const metadata = direct[i]!["metadata"] as JsonObject;
      return client.bind({ namespace: "default", name: String(metadata["name"]), nodeName: `node-${i % numNodes}`, preconditions: { uid: String(metadata["uid"]) } });
    });
    return { scheduler, unbatched, binds: binds.perSecond };
  } finally {
    client.close();
    await scratch.stop();
  }
}

/** The floor's node table for this bench's node shapes, and how a placed pod counts on it. */
function floorTable(numNodes: number) {
  const buffer = new SharedArrayBuffer(floorTableBytes(numNodes));
  const columns = floorColumns(buffer, numNodes);
  for (let i = 0; i < numNodes; i++) {
    const s = nodeShape(i);
    columns.allocCpu[i] = s.milliCpu;
    columns.allocMem[i] = s.memory;
    columns.allowedPods[i] = s.pods;
  }
  const place = (n: number, p: PodShape) => {
    columns.reqCpu[n]! += p.milliCpu;
    columns.reqMem[n]! += p.memory;
    columns.podCount[n]! += 1;
  };
  return { buffer, columns, place };
}

/** kube-scheduler's adaptive percentageOfNodesToScore, as the framework samples. */
const feasibleToFind = (numNodes: number) =>
  numNodes < 100 ? numNodes : Math.max(100, Math.trunc((numNodes * Math.max(50 - Math.trunc(numNodes / 125), 5)) / 100));

/** The floor: one pass per pod over the same sample size, fit on cpu/memory/pods, least allocated wins. */
function floorRun(numNodes: number, numPods: number): Promise<Rate> {
  const { columns, place } = floorTable(numNodes);
  const want = feasibleToFind(numNodes);
  let start = 0;
  let placed = 0;
  return timed(numPods, () => {
    for (let p = 0; p < numPods; p++) {
      const shape = podShape(p);
      const { best, visited } = bestFit(columns, 0, numNodes, start, want, shape.milliCpu, shape.memory);
      start = (start + visited) % numNodes;
      if (best < 0) continue;
      place(best, shape);
      placed++;
    }
    if (placed !== numPods) throw new Error(`floor placed ${placed} of ${numPods} pods`);
  });
}

/**
 * The floor fanned out to worker threads: each scans its slice of the shared table for its share of the
 * sample and answers its best node; the main thread picks among them and places the pod. What any
 * filter/score fan-out pays per pod (a message round trip to every worker) on top of the work it splits.
 */
async function floorWorkersRun(numNodes: number, numPods: number, numWorkers: number): Promise<Rate> {
  const table = floorTable(numNodes);
  const slice = Math.ceil(numNodes / numWorkers);
  const workers = Array.from({ length: numWorkers }, (_, w) =>
    new Worker(new URL("./fit-worker.js", import.meta.url), { workerData: { buffer: table.buffer, numNodes, from: w * slice, to: Math.min(numNodes, (w + 1) * slice) } }),
  );
  const ask = (worker: Worker, task: object) =>
    new Promise<FitAnswer>((resolve) => {
      worker.once("message", resolve);
      worker.postMessage(task);
    });
  try {
    const want = Math.ceil(feasibleToFind(numNodes) / numWorkers);
    let start = 0;
    let placed = 0;
    return await timed(numPods, async () => {
      for (let p = 0; p < numPods; p++) {
        const shape = podShape(p);
        const answers = await Promise.all(workers.map((w) => ask(w, { milliCpu: shape.milliCpu, memory: shape.memory, start, want })));
        let best = answers[0]!;
        for (const a of answers) if (a.bestScore > best.bestScore) best = a;
        start = (start + best.visited) % slice;
        if (best.best < 0) continue;
        table.place(best.best, shape);
        placed++;
      }
      if (placed !== numPods) throw new Error(`floor with workers placed ${placed} of ${numPods} pods`);
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export async function benchScheduler(log: (line: string) => void): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  const report = (label: string, key: string, rate: Rate) => {
    log(`  ${label.padEnd(52)} ${String(Math.round(rate.perSecond)).padStart(7)} pods/s   ${round(1000 / rate.perSecond, 3)} ms/pod   cpu ${round(rate.cpuMsPerPod, 3)} ms/pod`);
    results[key] = Math.round(rate.perSecond);
  };
  log("scheduler alone, in-memory cluster, no-op binder (pods/s from first decision to last bind):");
  // A warm-up, so the figures below are the JIT's steady state.
  await inMemoryRun(500, 2000, "default");
  report("floor: bare fit loop, 5000 nodes, 10000 pods", "floor_pods_per_s_5000", await floorRun(5000, 10_000));
  report("floor fanned out to 2 worker threads (shared table)", "workers_pods_per_s_5000", await floorWorkersRun(5000, 10_000, 2));
  report("default plugins, 500 nodes, 5000 pods", "pods_per_s_500", await inMemoryRun(500, 5000, "default"));
  report("default plugins, 5000 nodes, 10000 pods", "pods_per_s_5000", await inMemoryRun(5000, 10_000, "default"));
  report("+ zone topology spread (DoNotSchedule), 5000 nodes", "spread_pods_per_s_5000", await inMemoryRun(5000, 5000, "spread"));
  report("+ hostname anti-affinity (required), 5000 nodes", "interpod_pods_per_s_5000", await inMemoryRun(5000, 5000, "interpod"));
  log("binding through a real gateway (Postgres + JetStream), 500 nodes, 3000 pods:");
  const gateway = await gatewayRun(500, 3000, log);
  report("scheduler loop, BindBatch calls, 256 binds in flight", "gateway_pods_per_s_500", gateway.scheduler);
  report("scheduler loop, one Bind call per pod, 256 in flight", "gateway_unbatched_pods_per_s_500", gateway.unbatched);
  log(`  ${"gateway Bind alone, 256 in flight".padEnd(52)} ${String(Math.round(gateway.binds)).padStart(7)} binds/s`);
  results["gateway_binds_per_s"] = Math.round(gateway.binds);
  return results;
}
