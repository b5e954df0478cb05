/**
 * The scheduler bench's floor: node figures as columns of one SharedArrayBuffer (so worker threads can
 * share them) and the bare fit loop over them, used on the main thread and in fit-worker.ts alike.
 */

export interface FloorColumns {
  readonly allocCpu: Float64Array;
  readonly allocMem: Float64Array;
  readonly allowedPods: Float64Array;
  readonly reqCpu: Float64Array;
  readonly reqMem: Float64Array;
  readonly podCount: Float64Array;
}

export interface FitAnswer {
  best: number;
  bestScore: number;
  visited: number;
}

export const floorTableBytes = (numNodes: number) => 6 * numNodes * 8;

export function floorColumns(buffer: SharedArrayBuffer, numNodes: number): FloorColumns {
  const column = (i: number) => new Float64Array(buffer, i * numNodes * 8, numNodes);
  return { allocCpu: column(0), allocMem: column(1), allowedPods: column(2), reqCpu: column(3), reqMem: column(4), podCount: column(5) };
}

/**
 * Scans nodes [from, from + size) starting `start` into the range, fit on pods/cpu/memory, stops after
 * `want` feasible ones; the least allocated wins.
 */
export function bestFit(t: FloorColumns, from: number, size: number, start: number, want: number, milliCpu: number, memory: number): FitAnswer {
  // Columns in locals: property loads in the loop would cost the floor more than half its speed.
  const { allocCpu, allocMem, allowedPods, reqCpu, reqMem, podCount } = t;
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
  return { best, bestScore, visited };
}
