import { randomUUID } from "node:crypto";
import { descendantsOf, describeProcess, environmentVariable, isStillRunning, processTable, readProcessEntry, type ProcessEntry } from "./process-table.js";

/**
 * After the suite, no process it started may still run: a leaked stack holds ports and a leaked pod
 * sleeps for an hour. Two nets, as neither alone catches everything:
 * - every process that descends from a test worker, sampled every second while the suite runs: it
 *   still knows a pod whose agent was killed and that init has adopted since;
 * - a marker in the environment (CAPSTAN_TEST_RUN) that the workers and every service they start
 *   inherit, for what lived too briefly under a worker to be sampled.
 * Other runs on the machine have their own marker and are not descendants of this one, and the
 * machine's NATS and Postgres are neither; vitest's own processes (its workers, esbuild) are left out.
 * A leak fails the run, listing each process, and is killed so that it does not outlive the run.
 */
const MARKER = "CAPSTAN_TEST_RUN";
const SAMPLE_MS = 1_000;
/** A stack stopping as the last file ends may need a moment. */
const GRACE_MS = 10_000;

export default function setup(): () => Promise<void> {
  const run = randomUUID();
  process.env[MARKER] = run;
  const vitest = process.pid;
  const seen = new Map<string, ProcessEntry>();
  const key = (p: ProcessEntry) => `${p.pid}/${p.startTime}`;
  const sample = () => {
    const table = processTable(false);
    // Direct children of vitest are its workers and esbuild; what the tests start is below them.
    for (const worker of table.filter((p) => p.ppid === vitest)) {
      for (const p of descendantsOf(worker.pid, table)) if (!seen.has(key(p))) seen.set(key(p), p);
    }
  };
  const timer = setInterval(sample, SAMPLE_MS);
  timer.unref();

  return async () => {
    clearInterval(timer);
    sample();
    const leaked = (): ProcessEntry[] => {
      const marked = processTable(false).filter((p) => p.pid !== vitest && p.ppid !== vitest && environmentVariable(p.pid, MARKER) === run);
      const candidates = new Map([...seen, ...marked.map((p) => [key(p), p] as const)]);
      return [...candidates.values()].filter(isStillRunning);
    };
    const deadline = Date.now() + GRACE_MS;
    let left = leaked();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      left = leaked();
    }
    if (left.length === 0) return;
    const described = left.map((p) => describeProcess(readProcessEntry(p.pid) ?? p));
    for (const p of left) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    throw new Error(`${left.length} process(es) started by this test run were still running after it (killed now):\n  ${described.join("\n  ")}`);
  };
}
