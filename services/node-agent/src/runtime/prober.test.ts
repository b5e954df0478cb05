import { setImmediate as flush } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { ContainerProbes, ProbeResult, ProbeSpec, ProbeType } from "./probe.js";
import { ContainerProber, observeResult, type ResultRun } from "./prober.js";
import { FakeClock } from "./testing.js";

type Outcome = ProbeResult["result"];

function spec(fields: Partial<ProbeSpec> = {}): ProbeSpec {
  return {
    handler: { kind: "tcpSocket", port: 80, host: "" },
    initialDelaySeconds: 0,
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
    ...fields,
  };
}

/**
 * A prober whose probes answer from a script (then keep answering the script's last outcome), on a fake
 * clock that starts with the container. `log` records what the prober reports, with the second it did.
 */
function harness(probes: ContainerProbes, script: Partial<Record<ProbeType, Outcome[]>>) {
  const clock = new FakeClock(5_000);
  const t0 = clock.now();
  const at = () => (clock.now() - t0) / 1000;
  const runs: string[] = [];
  const log: string[] = [];
  const aborted: ProbeType[] = [];
  let hang = false;
  const prober = new ContainerProber({
    probes,
    startedAtMs: t0,
    clock,
    run: (type, _spec, signal) => {
      runs.push(`${at()} ${type}`);
      if (hang) {
        return new Promise((resolve) =>
          signal.addEventListener("abort", () => {
            aborted.push(type);
            resolve({ result: "Error", output: "probe cancelled" });
          }),
        );
      }
      const outcomes = script[type] ?? ["Success"];
      const result = (outcomes.length > 1 ? outcomes.shift() : outcomes[0]) ?? "Success";
      return Promise.resolve({ result, output: `${type} said ${result}` });
    },
    events: {
      probeFailed: (type, r) => log.push(`${at()} ${type} ${r.result}: ${r.output}`),
      stateChanged: (s) => log.push(`${at()} started=${s.started} ready=${s.ready}`),
      unhealthy: (type, _spec, output) => log.push(`${at()} unhealthy ${type}: ${output}`),
      error: (e) => log.push(`${at()} error ${String(e)}`),
    },
  });
  /** Lets probes due now run and their results land (a result may schedule another probe due now). */
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      clock.advance(0);
      await flush();
    }
  };
  /** Moves the clock second by second, letting each second's probes finish before the next. */
  const advance = async (seconds: number) => {
    for (let i = 0; i < seconds; i++) {
      clock.advance(1000);
      await settle();
    }
  };
  const start = async () => {
    prober.start();
    await settle();
  };
  return { prober, clock, runs, log, aborted, advance, start, hangProbes: () => (hang = true) };
}

describe("observeResult", () => {
  const thresholds = { successThreshold: 2, failureThreshold: 3 };
  const run = (last: ResultRun["last"], length: number): ResultRun => ({ last, length });
  it.each([
    { name: "first failure does not settle", before: run(undefined, 0), result: "Failure", after: run("Failure", 1), settled: undefined },
    { name: "third failure in a row settles", before: run("Failure", 2), result: "Failure", after: run("Failure", 3), settled: "Failure" },
    { name: "a fourth failure keeps it settled", before: run("Failure", 3), result: "Failure", after: run("Failure", 4), settled: "Failure" },
    { name: "a success breaks a run of failures", before: run("Failure", 2), result: "Success", after: run("Success", 1), settled: undefined },
    { name: "second success in a row settles", before: run("Success", 1), result: "Success", after: run("Success", 2), settled: "Success" },
  ] as const)("$name", ({ before, result, after, settled }) => {
    expect(observeResult(before, result, thresholds)).toEqual({ run: after, settled });
  });
});

describe("ContainerProber", () => {
  it("is started and ready at once without probes, and schedules nothing", async () => {
    const h = harness({}, {});
    await h.start();
    expect(h.prober.state).toEqual({ started: true, ready: true });
    expect(h.clock.pendingTimers).toBe(0);
  });

  it("keeps a container unready until its readiness probe passes, then unready again after failureThreshold failures", async () => {
    const h = harness(
      { readiness: spec({ initialDelaySeconds: 2, periodSeconds: 1, successThreshold: 2, failureThreshold: 2 }) },
      { readiness: ["Failure", "Success", "Success", "Success", "Failure", "Failure", "Success"] },
    );
    await h.start();
    expect(h.prober.state).toEqual({ started: true, ready: false });
    await h.advance(10);
    expect(h.runs.slice(0, 3)).toEqual(["2 readiness", "3 readiness", "4 readiness"]);
    expect(h.log).toEqual([
      "2 readiness Failure: readiness said Failure",
      "4 started=true ready=true", // two successes in a row
      "6 readiness Failure: readiness said Failure",
      "7 readiness Failure: readiness said Failure",
      "7 started=true ready=false", // two failures in a row: unready, and no restart
      "9 started=true ready=true",
    ]);
    expect(h.log.filter((l) => l.includes("unhealthy"))).toEqual([]);
  });

  it("runs the liveness probe from initialDelaySeconds, every periodSeconds, and reports unhealthy after failureThreshold failures in a row", async () => {
    const h = harness(
      { liveness: spec({ initialDelaySeconds: 5, periodSeconds: 3, failureThreshold: 3 }) },
      { liveness: ["Success", "Failure", "Failure", "Success", "Failure", "Failure", "Failure", "Success"] },
    );
    await h.start();
    await h.advance(4);
    expect(h.runs).toEqual([]);
    await h.advance(30);
    // 5 ✓, 8 ✗, 11 ✗, 14 ✓ (the run starts over), 17 ✗, 20 ✗, 23 ✗ → unhealthy, and no more liveness probes.
    expect(h.runs).toEqual(["5 liveness", "8 liveness", "11 liveness", "14 liveness", "17 liveness", "20 liveness", "23 liveness"]);
    expect(h.log.filter((l) => l.includes("unhealthy"))).toEqual(["23 unhealthy liveness: liveness said Failure"]);
    expect(h.log.filter((l) => l.includes("Failure:"))).toHaveLength(5);
    expect(h.prober.state).toEqual({ started: true, ready: true });
    expect(h.clock.pendingTimers).toBe(0);
  });

  it("holds liveness and readiness back until the startup probe passes", async () => {
    const h = harness(
      {
        startup: spec({ periodSeconds: 2, failureThreshold: 10 }),
        liveness: spec({ initialDelaySeconds: 1, periodSeconds: 5 }),
        readiness: spec({ periodSeconds: 5 }),
      },
      { startup: ["Failure", "Failure", "Success"] },
    );
    await h.start();
    expect(h.prober.state).toEqual({ started: false, ready: false });
    await h.advance(12);
    expect(h.runs).toEqual([
      "0 startup",
      "2 startup",
      "4 startup",
      // started at 4: the initial delays (counted from the container's start) are over, so both run at once.
      "4 liveness",
      "4 readiness",
      "9 liveness",
      "9 readiness",
    ]);
    expect(h.log).toEqual([
      "0 startup Failure: startup said Failure",
      "2 startup Failure: startup said Failure",
      "4 started=true ready=false",
      "4 started=true ready=true",
    ]);
  });

  it("reports a startup probe that never passes as unhealthy, and never runs the others", async () => {
    const h = harness(
      { startup: spec({ periodSeconds: 1, failureThreshold: 3 }), liveness: spec(), readiness: spec() },
      { startup: ["Failure"] },
    );
    await h.start();
    await h.advance(20);
    expect(h.runs).toEqual(["0 startup", "1 startup", "2 startup"]);
    expect(h.log.at(-1)).toBe("2 unhealthy startup: startup said Failure");
    expect(h.prober.state).toEqual({ started: false, ready: false });
  });

  it("reports a probe that could not run, but neither counts it as a failure nor as a success", async () => {
    const h = harness(
      { liveness: spec({ periodSeconds: 1, failureThreshold: 2 }) },
      { liveness: ["Failure", "Error", "Error", "Success", "Failure", "Error", "Failure", "Success"] },
    );
    await h.start();
    await h.advance(10);
    expect(h.log.filter((l) => l.includes("Error:"))).toHaveLength(3);
    // The two failures around the error at 5 are consecutive: 4 ✗, 5 (error), 6 ✗ → unhealthy.
    expect(h.log.at(-1)).toBe("6 unhealthy liveness: liveness said Failure");
  });

  it("stops: cancels its timers and in-flight probes and reports nothing more", async () => {
    const h = harness({ liveness: spec({ periodSeconds: 1, failureThreshold: 1 }), readiness: spec({ periodSeconds: 1 }) }, {});
    await h.start();
    await h.advance(2);
    h.hangProbes();
    await h.advance(1);
    expect(h.clock.pendingTimers).toBe(0); // both probes are in flight
    h.prober.stop();
    await flush();
    expect(h.aborted.sort()).toEqual(["liveness", "readiness"]);
    const before = h.log.length;
    await h.advance(10);
    expect(h.clock.pendingTimers).toBe(0);
    expect(h.log).toHaveLength(before);
  });

  it("keeps probing when a listener throws", async () => {
    const clock = new FakeClock();
    const errors: unknown[] = [];
    let runs = 0;
    const prober = new ContainerProber({
      probes: { readiness: spec({ periodSeconds: 1, failureThreshold: 1 }) },
      startedAtMs: 0,
      clock,
      run: () => {
        runs++;
        return Promise.resolve({ result: runs % 2 ? "Failure" : "Success", output: "" });
      },
      events: {
        probeFailed: () => {
          throw new Error("recorder down");
        },
        stateChanged: () => {
          throw new Error("status listener down");
        },
        unhealthy: () => undefined,
        error: (e) => errors.push(e),
      },
    });
    prober.start();
    for (let second = 0; second < 5; second++) {
      clock.advance(second === 0 ? 0 : 1000);
      await flush();
    }
    expect(runs).toBe(5);
    expect(prober.state.ready).toBe(false);
    expect(errors.map((e) => (e as Error).message)).toContain("status listener down");
    expect(errors.map((e) => (e as Error).message)).toContain("recorder down");
    prober.stop();
  });
});
