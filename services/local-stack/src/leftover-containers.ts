import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * The containers the node agents of a stack left running: the agent stops its pods when it stops, but
 * one killed with SIGKILL (a crash test), or stopped before it took over a previous life's pods, cannot.
 * The stack owns its data folder and outlives its agents, so it finishes the job: a kubelet leaves pods
 * running when it stops, but a local cluster that stopped must leave nothing behind.
 *
 * Each container's process group is recorded by the agent's process runtime (ProcessGroupRecord in
 * services/node-agent/src/runtime/process-group.ts) at
 * `<nodes>/<node>/pods/<uid>/containers/<container>/process.json`, as `{pgid, startTime, bootId}`.
 */
export interface LeftoverContainer {
  readonly node: string;
  readonly podUid: string;
  readonly container: string;
  readonly pgid: number;
}

interface ProcessGroupRecord {
  pgid: number;
  startTime: number;
  bootId: string;
}

/** Kills (SIGKILL) every recorded container group under `nodesDir` that still runs; resolves once they are gone. */
export async function killLeftoverContainers(nodesDir: string, timeoutMs = 5_000): Promise<LeftoverContainer[]> {
  const boot = bootId();
  const records: Array<{ left: LeftoverContainer; record: ProcessGroupRecord; path: string }> = [];
  for (const node of list(nodesDir)) {
    for (const podUid of list(join(nodesDir, node, "pods"))) {
      for (const container of list(join(nodesDir, node, "pods", podUid, "containers"))) {
        const path = join(nodesDir, node, "pods", podUid, "containers", container, "process.json");
        const record = readRecord(path);
        if (record) records.push({ left: { node, podUid, container, pgid: record.pgid }, record, path });
      }
    }
  }
  if (records.length === 0) return [];
  const processes = processTable();
  const killed: LeftoverContainer[] = [];
  for (const { left, record, path } of records) {
    if (isRecordedGroupAlive(record, processes, boot)) {
      try {
        process.kill(-record.pgid, "SIGKILL");
        killed.push(left);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
      }
    }
    rmSync(path, { force: true });
  }
  const deadline = Date.now() + timeoutMs;
  while (killed.length > 0 && Date.now() < deadline) {
    const table = processTable();
    if (!killed.some((k) => table.some((p) => p.pgid === k.pgid && isRunning(p)))) break;
    await sleep(25);
  }
  return killed;
}

interface ProcessInfo {
  pid: number;
  pgid: number;
  state: string;
  startTime: number;
}

/** The leader's pid cannot be reused while its group has members: a leader with another start time means the group is gone. */
function isRecordedGroupAlive(record: ProcessGroupRecord, processes: readonly ProcessInfo[], boot: string): boolean {
  if (record.bootId !== boot) return false;
  const leader = processes.find((p) => p.pid === record.pgid);
  if (leader && leader.startTime !== record.startTime) return false;
  return processes.some((p) => p.pgid === record.pgid && isRunning(p));
}

/** Zombies do not count: on a host whose init does not reap, killed orphans stay zombies. */
const isRunning = (p: ProcessInfo) => p.state !== "Z" && p.state !== "X";

function processTable(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of list("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // The command name may hold spaces and parentheses: the fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    out.push({ pid: Number(entry), state: fields[0] ?? "", pgid: Number(fields[2]), startTime: Number(fields[19]) });
  }
  return out;
}

function readRecord(path: string): ProcessGroupRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(path, "utf8")) as Partial<ProcessGroupRecord>;
    return typeof r.pgid === "number" && r.pgid > 1 && typeof r.startTime === "number" && typeof r.bootId === "string" ? (r as ProcessGroupRecord) : undefined;
  } catch {
    return undefined;
  }
}

function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "";
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
