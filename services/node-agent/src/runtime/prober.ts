import { systemClock, type Clock, type Timer } from "@capstan/apimachinery";
import type { ContainerProbes, ProbeResult, ProbeSpec, ProbeType } from "./probe.js";

/**
 * The kubelet's probe workers (pkg/kubelet/prober/worker.go) for one running container instance: the
 * startup probe runs first and holds back the others until it succeeds; each probe runs every
 * periodSeconds from initialDelaySeconds after the container started, and its result only changes after
 * successThreshold / failureThreshold consecutive runs agree. A new instance gets a new ContainerProber.
 */

/** Consecutive equal results of one probe (the kubelet worker's lastResult and resultRun). */
export interface ResultRun {
  last: "Success" | "Failure" | undefined;
  length: number;
}

/**
 * One more result: the run it extends, and the result the probe now holds if the run has reached its
 * threshold (undefined: the previous result still holds).
 */
export function observeResult(
  run: ResultRun,
  result: "Success" | "Failure",
  spec: Pick<ProbeSpec, "successThreshold" | "failureThreshold">,
): { run: ResultRun; settled: "Success" | "Failure" | undefined } {
  const next: ResultRun = run.last === result ? { last: result, length: run.length + 1 } : { last: result, length: 1 };
  const threshold = result === "Success" ? spec.successThreshold : spec.failureThreshold;
  return { run: next, settled: next.length >= threshold ? result : undefined };
}

/** What the container's status says: `started` once the startup probe passed, `ready` once the readiness probe did. */
export interface ProbedState {
  started: boolean;
  ready: boolean;
}

export interface ProberEvents {
  /** Every run that did not succeed: the kubelet's `Unhealthy` event ("Liveness probe failed: …"). */
  probeFailed(type: ProbeType, result: ProbeResult): void;
  /** `started` or `ready` changed. */
  stateChanged(state: ProbedState): void;
  /** The liveness or startup probe failed failureThreshold times in a row: the container must be killed. */
  unhealthy(type: "liveness" | "startup", spec: ProbeSpec, output: string): void;
  /** A listener above threw; the prober carries on. */
  error(e: unknown): void;
}

export interface ContainerProberOptions {
  probes: ContainerProbes;
  /** When the container started, on `clock`; initial delays count from here. */
  startedAtMs: number;
  /** Runs one probe; should resolve within the probe's timeout, and stop its work when `signal` aborts. */
  run(type: ProbeType, spec: ProbeSpec, signal: AbortSignal): Promise<ProbeResult>;
  events: ProberEvents;
  clock?: Clock;
}

interface Worker {
  type: ProbeType;
  spec: ProbeSpec;
  run: ResultRun;
  timer: Timer | undefined;
  inFlight: AbortController | undefined;
  /** Startup passed, or a liveness/startup failure was acted on: this instance is not probed again. */
  done: boolean;
}

export class ContainerProber {
  private readonly clock: Clock;
  private readonly workers: Worker[] = [];
  private started: boolean;
  private ready: boolean;
  private stopped = false;

  constructor(private readonly opts: ContainerProberOptions) {
    this.clock = opts.clock ?? systemClock;
    for (const type of ["startup", "liveness", "readiness"] as const) {
      const spec = opts.probes[type];
      if (spec) this.workers.push({ type, spec, run: { last: undefined, length: 0 }, timer: undefined, inFlight: undefined, done: false });
    }
    this.started = !opts.probes.startup;
    // Readiness starts as Failure, so a container with a readiness probe is unready until it passes.
    this.ready = this.started && !opts.probes.readiness;
  }

  get state(): ProbedState {
    return { started: this.started, ready: this.ready };
  }

  /** Schedules the first probes; the state starts as `state` reports it. */
  start(): void {
    if (this.opts.probes.startup) this.schedule(this.worker("startup"));
    else this.startGated();
  }

  /** Cancels every pending timer and in-flight probe; nothing is reported after this. */
  stop(): void {
    this.stopped = true;
    for (const w of this.workers) {
      w.timer?.cancel();
      w.timer = undefined;
      w.inFlight?.abort();
      w.inFlight = undefined;
    }
  }

  /** Liveness and readiness probes run once the container has started. */
  private startGated(): void {
    this.schedule(this.worker("liveness"));
    this.schedule(this.worker("readiness"));
  }

  private worker(type: ProbeType): Worker | undefined {
    return this.workers.find((w) => w.type === type);
  }

  /** Next run at initialDelaySeconds after the container started, or `periodStartMs` + periodSeconds. */
  private schedule(w: Worker | undefined, periodStartMs?: number): void {
    if (!w || w.done || this.stopped) return;
    const at =
      periodStartMs === undefined ? this.opts.startedAtMs + w.spec.initialDelaySeconds * 1000 : periodStartMs + w.spec.periodSeconds * 1000;
    w.timer = this.clock.setTimeout(() => void this.probe(w), Math.max(0, at - this.clock.now()));
  }

  private async probe(w: Worker): Promise<void> {
    w.timer = undefined;
    if (w.done || this.stopped) return;
    const startedMs = this.clock.now();
    const inFlight = new AbortController();
    w.inFlight = inFlight;
    let result: ProbeResult;
    try {
      result = await this.opts.run(w.type, w.spec, inFlight.signal);
    } catch (e) {
      result = { result: "Error", output: e instanceof Error ? e.message : String(e) };
    }
    if (w.inFlight === inFlight) w.inFlight = undefined;
    if (w.done || this.stopped) return;
    this.observe(w, result);
    this.schedule(w, startedMs);
  }

  private observe(w: Worker, result: ProbeResult): void {
    const events = this.opts.events;
    if (result.result !== "Success") this.emit(() => events.probeFailed(w.type, result));
    if (result.result === "Error") return; // thrown away, as the kubelet does
    const { run, settled } = observeResult(w.run, result.result, w.spec);
    w.run = run;
    if (!settled) return;
    switch (w.type) {
      case "startup":
        w.done = true;
        if (settled === "Failure") {
          this.emit(() => events.unhealthy("startup", w.spec, result.output));
          return;
        }
        this.started = true;
        this.ready = !this.worker("readiness");
        this.emit(() => events.stateChanged(this.state));
        this.startGated();
        return;
      case "liveness":
        if (settled === "Failure") {
          w.done = true;
          this.emit(() => events.unhealthy("liveness", w.spec, result.output));
        }
        return;
      case "readiness":
        if ((settled === "Success") !== this.ready) {
          this.ready = settled === "Success";
          this.emit(() => events.stateChanged(this.state));
        }
        return;
    }
  }

  /** A throwing listener is reported and must not stop the probes (nor reject into the timer). */
  private emit(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      try {
        this.opts.events.error(e);
      } catch {
        // The error listener itself failed: there is nowhere left to report to.
      }
    }
  }
}
