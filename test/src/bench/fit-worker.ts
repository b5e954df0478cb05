/**
 * The floor's fit loop as a worker thread over a SharedArrayBuffer node table: given a pod's cpu and
 * memory, scan this worker's slice of the nodes from a start index, stop after `want` feasible ones, and
 * answer the best (least allocated) node and how many were visited.
 */
import { parentPort, workerData } from "node:worker_threads";

interface Task {
  readonly milliCpu: number;
  readonly memory: number;
  readonly start: number;
  readonly want: number;
}

const { buffer, numNodes, from, to } = workerData as { buffer: SharedArrayBuffer; numNodes: number; from: number; to: number };
const column = (i: number) => new Float64Array(buffer, i * numNodes * 8, numNodes);
const [allocCpu, allocMem, allowedPods, reqCpu, reqMem, podCount] = [0, 1, 2, 3, 4, 5].map(column) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];

parentPort!.on("message", ({ milliCpu, memory, start, want }: Task) => {
  const size = to - from;
  let best = -1;
  let bestScore = -1;
  let feasible = 0;
  let visited = 0;
  for (; visited < size && feasible < want; visited++) {
    const n = from + ((start + visited) % size);
    if (podCount[n]! + 1 > allowedPods[n]! || reqCpu[n]! + milliCpu > allocCpu[n]! || reqMem[n]! + memory > allocMem[n]!) continue;
    feasible++;
    const score = (allocCpu[n]! - reqCpu[n]! - milliCpu) / allocCpu[n]! + (allocMem[n]! - reqMem[n]! - memory) / allocMem[n]!;
    if (score > bestScore) {
      bestScore = score;
      best = n;
    }
  }
  parentPort!.postMessage({ best, bestScore, visited });
});
