import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { bootId, isGroupAlive, isRecordedGroupAlive, parseProcStat, readProcess, signalGroup, waitForGroupExit, type ProcessInfo } from "./process-group.js";

describe("parseProcStat", () => {
  it("reads pid, state, process group and start time even when the name has spaces and parentheses", () => {
    const stat = "4242 (evil) name (x)) S 1 4240 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10";
    expect(parseProcStat(stat)).toEqual({ pid: 4242, state: "S", pgid: 4240, startTime: 987654 });
  });
});

describe("isRecordedGroupAlive", () => {
  const boot = "boot-1";
  const proc = (pid: number, pgid: number, startTime: number, state = "S"): ProcessInfo => ({ pid, pgid, startTime, state });
  it.each([
    { name: "leader alive", record: { pgid: 10, startTime: 5, bootId: boot }, procs: [proc(10, 10, 5)], want: true },
    { name: "leader gone, a member remains", record: { pgid: 10, startTime: 5, bootId: boot }, procs: [proc(11, 10, 6)], want: true },
    { name: "only zombies remain", record: { pgid: 10, startTime: 5, bootId: boot }, procs: [proc(11, 10, 6, "Z")], want: false },
    { name: "the pid was reused", record: { pgid: 10, startTime: 5, bootId: boot }, procs: [proc(10, 10, 99)], want: false },
    { name: "another boot", record: { pgid: 10, startTime: 5, bootId: "boot-0" }, procs: [proc(10, 10, 5)], want: false },
    { name: "nothing left", record: { pgid: 10, startTime: 5, bootId: boot }, procs: [proc(12, 12, 7)], want: false },
  ])("$name → $want", ({ record, procs, want }) => {
    expect(isRecordedGroupAlive(record, procs, boot)).toBe(want);
  });

  it("recognises a live group of this machine", async () => {
    const child = spawn("/bin/sh", ["-c", "sleep 30 & sleep 30"], { detached: true, stdio: "ignore" });
    const pid = child.pid!;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await new Promise((resolve) => child.once("spawn", resolve));
      const record = { pgid: pid, startTime: readProcess(pid)!.startTime, bootId: bootId() };
      expect(isGroupAlive(pid)).toBe(true);
      expect(isRecordedGroupAlive(record, [readProcess(pid)!], bootId())).toBe(true);
    } finally {
      signalGroup(pid, "SIGKILL");
    }
    await exited;
    expect(await waitForGroupExit(pid, 2000)).toBe(true);
  });
});
