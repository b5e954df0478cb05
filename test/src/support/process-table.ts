import { readdirSync, readFileSync } from "node:fs";

/** One process as /proc shows it; pid and startTime together name it across pid reuse. */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** R, S, D, Z, … */
  readonly state: string;
  /** Clock ticks after boot. */
  readonly startTime: number;
  /** Its command line, or [name] for a kernel thread or a zombie. */
  readonly command: string;
}

/** `withCommand: false` leaves out the command line (one read less per process, for frequent polls). */
export function readProcessEntry(pid: number, withCommand = true): ProcessEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The name may hold spaces and parentheses: the fields start after the last ")".
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    let command = "";
    try {
      if (withCommand) command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    } catch {
      // gone meanwhile
    }
    return { pid, state: fields[0] ?? "", ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: Number(fields[19]), command: command || `[${name}]` };
  } catch {
    return undefined;
  }
}

export function processTable(withCommands = true): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const p = readProcessEntry(Number(entry), withCommands);
    if (p) out.push(p);
  }
  return out;
}

/** Every process below `pid` in the table (children, their children, …). */
export function descendantsOf(pid: number, table: readonly ProcessEntry[] = processTable()): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcessEntry[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Still the same process, and not a zombie (on a host whose init does not reap, killed orphans stay zombies). */
export function isStillRunning(p: Pick<ProcessEntry, "pid" | "startTime">): boolean {
  const now = readProcessEntry(p.pid, false);
  return now !== undefined && now.startTime === p.startTime && now.state !== "Z" && now.state !== "X";
}

/** The process's environment variable `name`, if it has one we may read. */
export function environmentVariable(pid: number, name: string): string | undefined {
  try {
    const prefix = `${name}=`;
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").find((v) => v.startsWith(prefix))?.slice(prefix.length);
  } catch {
    return undefined;
  }
}

export const describeProcess = (p: ProcessEntry) => `${p.pid} (ppid ${p.ppid}, pgid ${p.pgid}, ${p.state}) ${p.command}`;
