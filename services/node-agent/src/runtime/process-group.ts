import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Process groups through /proc. Every container is its own process group (its main process is the
 * group leader), so one signal reaches everything the container started. A zombie counts as gone: on
 * hosts whose init does not reap, killed orphans stay zombies forever.
 */
export interface ProcessInfo {
  pid: number;
  pgid: number;
  /** R, S, D, Z, … */
  state: string;
  /** Clock ticks after boot: with the pid, it identifies a process across pid reuse. */
  startTime: number;
}

/** Parses /proc/<pid>/stat; the command name may contain spaces and parentheses, so split after the last ")". */
export function parseProcStat(text: string): ProcessInfo | undefined {
  const close = text.lastIndexOf(")");
  if (close === -1) return undefined;
  const pid = Number(text.slice(0, text.indexOf(" ")));
  const fields = text.slice(close + 2).split(" ");
  const state = fields[0];
  const pgid = Number(fields[2]);
  const startTime = Number(fields[19]);
  if (state === undefined || !Number.isInteger(pid) || !Number.isInteger(pgid) || !Number.isFinite(startTime)) {
    return undefined;
  }
  return { pid, pgid, state, startTime };
}

export function readProcess(pid: number): ProcessInfo | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined; // gone, or no /proc
  }
}

export function listProcesses(): ProcessInfo[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcessInfo[] = [];
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const info = readProcess(Number(entry));
    if (info) out.push(info);
  }
  return out;
}

/** This boot's id: process start times are only comparable within one boot. */
export function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "";
  }
}

/** Sends `signal` to the whole group; false if the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
}

/** Whether any member of the group is still running (zombies do not count). */
export function isGroupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  return listProcesses().some((p) => p.pgid === pgid && p.state !== "Z" && p.state !== "X");
}

/** How long to wait for a killed group's last members to disappear after its main process exited. */
export const groupExitTimeoutMs = 2_000;

/** Polls (gently) until the group has no running member or `timeoutMs` passed; true if it is gone. */
export async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isGroupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
}

/** What the runtime writes down for every container it starts, so its next life can find leftovers. */
export interface ProcessGroupRecord {
  pgid: number;
  startTime: number;
  bootId: string;
}

/**
 * Whether the group a record describes still runs, given a snapshot of the process table. The leader's
 * pid cannot be reused while its group has members, so a leader with another start time means the
 * recorded group is long gone.
 */
export function isRecordedGroupAlive(record: ProcessGroupRecord, processes: readonly ProcessInfo[], currentBootId: string): boolean {
  if (record.bootId !== currentBootId) return false;
  const leader = processes.find((p) => p.pid === record.pgid);
  if (leader && leader.startTime !== record.startTime) return false;
  return processes.some((p) => p.pgid === record.pgid && p.state !== "Z" && p.state !== "X");
}
