import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { killLeftoverContainers } from "./leftover-containers.js";

const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) {
    try {
      process.kill(-c.pid!, "SIGKILL"); // the group: the shell's sleep too
    } catch {
      // gone
    }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const startTimeOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
};
const bootId = () => readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
const isRunning = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !["Z", "X"].includes(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]!);
  } catch {
    return false;
  }
};

/** A container as the process runtime starts one: its own process group, with a child in it. */
function aContainer(): number {
  const child = spawn("/bin/sh", ["-c", "sleep 300 & wait"], { detached: true, stdio: "ignore" });
  children.push(child);
  return child.pid!;
}

function record(nodesDir: string, node: string, pod: string, container: string, content: object): void {
  const dir = join(nodesDir, node, "pods", pod, "containers", container);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "process.json"), JSON.stringify(content));
}

describe.runIf(process.platform === "linux")("killLeftoverContainers", () => {
  it("kills the whole group of every recorded container that still runs, and only those", async () => {
    const nodesDir = mkdtempSync(join(tmpdir(), "capstan-leftovers-"));
    dirs.push(nodesDir);
    const left = aContainer();
    const reused = aContainer();
    const otherBoot = aContainer();
    await new Promise((r) => setTimeout(r, 100)); // the shells start their sleeps
    record(nodesDir, "node-1", "uid-a", "app", { pgid: left, startTime: startTimeOf(left), bootId: bootId() });
    // The pid now names another process than the one recorded, or the record is from an earlier boot.
    record(nodesDir, "node-1", "uid-b", "app", { pgid: reused, startTime: startTimeOf(reused) - 1, bootId: bootId() });
    record(nodesDir, "node-2", "uid-c", "app", { pgid: otherBoot, startTime: startTimeOf(otherBoot), bootId: "another boot" });
    record(nodesDir, "node-2", "uid-d", "app", { nonsense: true });

    const killed = await killLeftoverContainers(nodesDir);

    expect(killed).toEqual([{ node: "node-1", podUid: "uid-a", container: "app", pgid: left }]);
    expect(isRunning(left)).toBe(false);
    expect(isRunning(reused)).toBe(true);
    expect(isRunning(otherBoot)).toBe(true);
  });

  it("finds nothing in a folder without node agents", async () => {
    expect(await killLeftoverContainers(join(tmpdir(), "capstan-no-such-folder"))).toEqual([]);
  });
});
