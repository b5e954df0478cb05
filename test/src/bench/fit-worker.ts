/**
 * The floor's fit loop as a worker thread over a SharedArrayBuffer node table: given a pod's cpu and
 * memory, scan this worker's slice of the nodes from a start index, stop after `want` feasible ones, and
 * answer the best (least allocated) node and how many were visited.
 */
import { parentPort, workerData } from "node:worker_threads";
import { bestFit, floorColumns } from "./floor-table.js";

interface Task {
  readonly milliCpu: number;
  readonly memory: number;
  readonly start: number;
  readonly want: number;
}

const { buffer, numNodes, from, to } = workerData as { buffer: SharedArrayBuffer; numNodes: number; from: number; to: number };
const table = floorColumns(buffer, numNodes);

parentPort!.on("message", ({ milliCpu, memory, start, want }: Task) => {
  parentPort!.postMessage(bestFit(table, from, to - from, start, want, milliCpu, memory));
});
