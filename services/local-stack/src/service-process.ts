import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface ServiceSpec {
  /** Shown before each of its log lines. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
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
    const child = spawn(this.spec.command, [...this.spec.args], {
      env: { ...process.env, ...this.spec.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => this.opts.output(this.spec.name, line));
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
