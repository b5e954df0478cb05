import { trace } from "@opentelemetry/api";
import type { CapstanClient, EventRecorder, JsonObject } from "@capstan/client";
import { Scheduler, type SchedulerConfiguration } from "@capstan/scheduler";
import { round } from "./stats.js";

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

/** Schedules `numPods` pods onto `numNodes` nodes through the real loop; pods per second, decision to bind. */
async function schedulerRun(numNodes: number, numPods: number, placement: Placement, configuration: SchedulerConfiguration = {}): Promise<number> {
  let bound = 0;
  let failed = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const client = {
    bind: async () => {
      if (++bound + failed === numPods) done();
      return {};
    },
  } as unknown as CapstanClient;
  const recorder = {
    record: (_o: JsonObject, type: string) => {
      if (type === "Warning" && bound + ++failed === numPods) done();
    },
  } as unknown as EventRecorder;
  const scheduler = new Scheduler(client, recorder, trace.getTracer("bench"), {
    schedulerName: "default-scheduler",
    configuration,
    unschedulableRetryMs: 3_600_000,
    log: () => {},
  });
  scheduler.nodeHandler.replace(Array.from({ length: numNodes }, (_, i) => nodeObject(i)), 0);
  const run = `${placement}${numNodes}`;
  const pods = Array.from({ length: numPods }, (_, i) => podObject(run, i, placement));
  scheduler.podHandler.replace(pods, 0);
  const started = performance.now();
  scheduler.start();
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await scheduler.stop();
  if (failed > 0) throw new Error(`${failed} of ${numPods} pods did not fit (${placement}, ${numNodes} nodes): the bench's cluster is too small`);
  return numPods / seconds;
}

/** The floor: typed arrays, one pass per pod over the same sample size, fit on cpu/memory/pods, least allocated wins. */
function floorRun(numNodes: number, numPods: number): number {
  const allocCpu = new Float64Array(numNodes);
  const allocMem = new Float64Array(numNodes);
  const allowedPods = new Float64Array(numNodes);
  const reqCpu = new Float64Array(numNodes);
  const reqMem = new Float64Array(numNodes);
  const podCount = new Float64Array(numNodes);
  for (let i = 0; i < numNodes; i++) {
    const s = nodeShape(i);
    allocCpu[i] = s.milliCpu;
    allocMem[i] = s.memory;
    allowedPods[i] = s.pods;
  }
  // kube-scheduler's adaptive percentageOfNodesToScore, as the framework samples.
  const want = numNodes < 100 ? numNodes : Math.max(100, Math.trunc((numNodes * Math.max(50 - Math.trunc(numNodes / 125), 5)) / 100));
  let start = 0;
  let placed = 0;
  const started = performance.now();
  for (let p = 0; p < numPods; p++) {
    const { milliCpu, memory } = podShape(p);
    let best = -1;
    let bestScore = -1;
    let feasible = 0;
    let visited = 0;
    for (; visited < numNodes && feasible < want; visited++) {
      const n = (start + visited) % numNodes;
      if (podCount[n]! + 1 > allowedPods[n]! || reqCpu[n]! + milliCpu > allocCpu[n]! || reqMem[n]! + memory > allocMem[n]!) continue;
      feasible++;
      const score = (allocCpu[n]! - reqCpu[n]! - milliCpu) / allocCpu[n]! + (allocMem[n]! - reqMem[n]! - memory) / allocMem[n]!;
      if (score > bestScore) {
        bestScore = score;
        best = n;
      }
    }
    start = (start + visited) % numNodes;
    if (best < 0) continue;
    reqCpu[best]! += milliCpu;
    reqMem[best]! += memory;
    podCount[best]! += 1;
    placed++;
  }
  const seconds = (performance.now() - started) / 1000;
  if (placed !== numPods) throw new Error(`floor placed ${placed} of ${numPods} pods`);
  return numPods / seconds;
}

export async function benchScheduler(log: (line: string) => void): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  const report = (label: string, key: string, perSecond: number) => {
    log(`  ${label.padEnd(52)} ${String(Math.round(perSecond)).padStart(7)} pods/s   ${round(1000 / perSecond, 3)} ms/pod`);
    results[key] = Math.round(perSecond);
  };
  log("scheduler alone, in-memory cluster, no-op binder (pods/s from first decision to last bind):");
  // A warm-up, so the figures below are the JIT's steady state.
  await schedulerRun(500, 2000, "default");
  report("floor: bare fit loop, 5000 nodes, 10000 pods", "floor_pods_per_s_5000", floorRun(5000, 10_000));
  report("default plugins, 500 nodes, 5000 pods", "pods_per_s_500", await schedulerRun(500, 5000, "default"));
  report("default plugins, 5000 nodes, 10000 pods", "pods_per_s_5000", await schedulerRun(5000, 10_000, "default"));
  report("+ zone topology spread (DoNotSchedule), 5000 nodes", "spread_pods_per_s_5000", await schedulerRun(5000, 5000, "spread"));
  report("+ hostname anti-affinity (required), 5000 nodes", "interpod_pods_per_s_5000", await schedulerRun(5000, 5000, "interpod"));
  return results;
}
