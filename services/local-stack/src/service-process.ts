import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

/**
 * util-linux `setpriv --pdeathsig`: the kernel sends the service SIGTERM when the process that started it
 * dies, however it dies (kill -9 included), so a stack never outlives its launcher. Linux only; elsewhere
 * services are started directly.
 */
const deathSignal: readonly string[] | undefined = (() => {
  if (process.platform !== "linux") return undefined;
  const probe = spawnSync("setpriv", ["--pdeathsig", "TERM", "true"], { stdio: "ignore" });
  return probe.status === 0 ? ["--pdeathsig", "TERM", "--"] : undefined;
})();

export interface ServiceSpec {
  /** Shown before each of its log lines. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The start of the line the service prints once it does its job; without one, started means ready. */
  readonly readyLine?: string;
}

export interface ServiceOptions {
  /** Restart it when it exits on its own (the local stack); tests kill and start services themselves. */
  readonly restart: boolean;
  readonly output: (name: string, line: string) => void;
}

/** One supervised service process: prefixed logs, kill -9 / restart for chaos tests, graceful stop. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restarts = 0;
  private exited: Promise<void> = Promise.resolve();
  private readyNow: Promise<void> = Promise.resolve();

  constructor(
    readonly spec: ServiceSpec,
    private readonly opts: ServiceOptions,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    this.stopping = false;
    // Its own process group: a Ctrl-C to the terminal reaches the launcher alone, which stops the
    // services in order (a client before the gateway, the gateway before NATS) instead of all at once.
    // setpriv execs the service, so the pid is the service's.
    const [command, args] = deathSignal ? ["setpriv", [...deathSignal, this.spec.command, ...this.spec.args]] : [this.spec.command, [...this.spec.args]];
    const child = spawn(command, args, {
      env: { ...process.env, ...this.spec.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.child = child;
    let markReady = () => {};
    this.readyNow = this.spec.readyLine === undefined ? Promise.resolve() : new Promise((resolve) => (markReady = resolve));
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => {
        if (this.spec.readyLine !== undefined && line.startsWith(this.spec.readyLine)) markReady();
        this.opts.output(this.spec.name, line);
      });
    }
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        resolve();
        if (this.stopping || this.child !== child) return;
        this.opts.output(this.spec.name, `exited (${signal ?? `code ${code}`})`);
        if (this.opts.restart) {
          const delay = Math.min(10_000, 500 * 2 ** Math.min(this.restarts++, 5));
          setTimeout(() => !this.stopping && this.start(), delay);
        }
      });
    });
    child.once("error", (e) => this.opts.output(this.spec.name, `cannot start: ${e.message}`));
  }

  /** Resolves once the current instance printed its ready line; rejects if it exits first or takes longer than timeoutMs. */
  async ready(timeoutMs = 60_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const exited = this.exited.then(() => {
      throw new Error(`${this.spec.name} exited during start-up (see its log lines above)`);
    });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.spec.name} was not ready within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    try {
      await Promise.race([this.readyNow, exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** From now on an exit is expected (the stack is stopping, this one's turn comes later): no restart. */
  expectExit(): void {
    this.stopping = true;
  }

  /** kill -9, as a crash would: no shutdown code runs. */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.stopping = true;
    child.kill("SIGKILL");
    await this.exited;
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    const child = this.child;
    this.stopping = true;
    if (!child || !this.running) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
