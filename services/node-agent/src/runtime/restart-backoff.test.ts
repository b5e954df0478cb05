import { describe, expect, it } from "vitest";
import { RestartBackoff, shouldRestartContainer } from "./restart-backoff.js";

const opts = { baseMs: 10_000, capMs: 300_000, resetAfterMs: 600_000 };

/** Crashes a container `runsMs` after each restart and returns how long each restart waited. */
function waits(crashes: number, runsMs: number): number[] {
  const backoff = new RestartBackoff(opts);
  const out: number[] = [];
  let clock = 0;
  for (let i = 0; i < crashes; i++) {
    clock += runsMs; // it ran, then finished
    const wait = backoff.delayMs("c", clock, clock);
    out.push(wait);
    clock += wait;
    backoff.next("c", clock);
  }
  return out;
}

describe("RestartBackoff", () => {
  it.each([
    { name: "crash at once: immediate, then 10s doubling to the 300s cap", runsMs: 0, want: [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000] },
    { name: "a run shorter than 10 minutes keeps doubling", runsMs: 50_000, want: [0, 10_000, 20_000, 40_000, 80_000] },
    { name: "running over 10 minutes resets", runsMs: 601_000, want: [0, 0, 0, 0] },
  ])("$name", ({ runsMs, want }) => {
    expect(waits(want.length, runsMs)).toEqual(want);
  });

  it("measures the wait from when the container finished, not from now", () => {
    const backoff = new RestartBackoff(opts);
    backoff.next("c", 0);
    expect(backoff.delayMs("c", 1_000, 1_000)).toBe(10_000);
    expect(backoff.delayMs("c", 1_000, 7_000)).toBe(4_000);
    expect(backoff.delayMs("c", 1_000, 20_000)).toBe(0);
  });

  it("forgets a container", () => {
    const backoff = new RestartBackoff(opts);
    backoff.next("c", 0);
    backoff.forget("c");
    expect(backoff.delayMs("c", 0, 0)).toBe(0);
  });
});

describe("shouldRestartContainer", () => {
  it.each([
    { policy: "Always", exitCode: 0, want: true },
    { policy: "Always", exitCode: 1, want: true },
    { policy: "OnFailure", exitCode: 0, want: false },
    { policy: "OnFailure", exitCode: 137, want: true },
    { policy: "Never", exitCode: 0, want: false },
    { policy: "Never", exitCode: 1, want: false },
  ] as const)("$policy, exit $exitCode → $want", ({ policy, exitCode, want }) => {
    expect(shouldRestartContainer(policy, exitCode)).toBe(want);
  });
});
