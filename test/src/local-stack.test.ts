import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { toApiObject } from "@capstan/api";
import { createClient } from "@capstan/client";
import { freePort, LOCAL_NODES, stackServiceNames } from "@capstan/local-stack";
import { eventually, repoRoot } from "./support/index.js";
import { descendantsOf, describeProcess, environmentVariable, isStillRunning, processTable, type ProcessEntry } from "./support/process-table.js";

/**
 * The local stack as a user runs it (`pnpm start`), stopped as a supervisor, `timeout` or systemd stops
 * it (SIGTERM to the leader), as a terminal does (Ctrl-C: SIGINT to the whole process group), and killed
 * with SIGKILL. Every time nothing of it may stay: no process, no port, no route; and a stop in order
 * (clients, then the gateway, then NATS) prints none of the errors of services losing what they talk to.
 */
const STOP_DEADLINE_MS = 30_000;

/** Lines a stop in order never prints (what the services said when NATS or the gateway went first). */
const NOISE = [
  /error/i,
  /cancelled/i,
  /jetstream is not enabled/i,
  /not connected|disconnected|connection (closed|refused|lost)/i,
  /ECONNREFUSED|ECONNRESET|EPIPE/,
  /UNAVAILABLE|DEADLINE_EXCEEDED/,
  /timed? ?out/i,
  /failed/i,
  /retrying/i,
  /exited \(/, // the stack saw a service exit on its own
  /killed container/, // the stack had to kill pods an agent left
];

interface RunningStack {
  readonly leader: ChildProcess;
  readonly lines: string[];
  readonly dataDir: string;
  readonly ports: { gateway: number; kubeApi: number; nats: number; dns: number };
  readonly serviceCIDR: string;
  readonly exited: Promise<void>;
  /** Its processes and pods as seen while it ran, for the clean-up of a failed test. */
  readonly seen: ProcessEntry[];
}

const running: RunningStack[] = [];

afterEach(async () => {
  for (const s of running.splice(0)) {
    // A failed test must not leave its stack behind, whatever state it is in.
    const services = processTable().filter((p) => environmentVariable(p.pid, "CAPSTAN_DATA_DIR") === s.dataDir);
    for (const p of [...s.seen, ...services, ...descendantsOf(s.leader.pid!)]) {
      if (!isStillRunning(p)) continue;
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    if (s.leader.exitCode === null && s.leader.signalCode === null) s.leader.kill("SIGKILL");
    await s.exited;
    rmSync(s.dataDir, { recursive: true, force: true });
  }
});

/** Starts the stack with `command` in its own process group (a terminal's job), on ports and a service CIDR of its own. */
async function startLocalStack(command: string[], until = "| up: gateway", extraEnv: Record<string, string> = {}): Promise<RunningStack> {
  const dataDir = mkdtempSync(join(tmpdir(), "capstan-local-stack-"));
  const ports = { gateway: await freePort(), kubeApi: await freePort(), nats: await freePort(), dns: await freePort() };
  // Outside 10.96.0.0/12 (the default and the test clusters'), so no other stack shares the route.
  const serviceCIDR = `10.${200 + randomInt(0, 50)}.${randomInt(0, 256)}.0/24`;
  const { NATS_URL: _nats, DATABASE_URL: _db, CAPSTAN_SERVICE_CIDR: _cidr, ...env } = process.env;
  const leader = spawn(command[0]!, command.slice(1), {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...env,
      CAPSTAN_DATA_DIR: dataDir,
      CAPSTAN_GATEWAY_PORT: String(ports.gateway),
      CAPSTAN_KUBE_API_PORT: String(ports.kubeApi),
      CAPSTAN_NATS_PORT: String(ports.nats),
      CAPSTAN_DNS_LISTEN: `127.0.0.1:${ports.dns}`,
      CAPSTAN_SERVICE_CIDR: serviceCIDR,
      ...extraEnv,
    },
  });
  const lines: string[] = [];
  for (const stream of [leader.stdout!, leader.stderr!]) createInterface({ input: stream }).on("line", (l) => lines.push(l));
  const exited = new Promise<void>((resolve) => leader.once("exit", () => resolve()));
  const stack: RunningStack = { leader, lines, dataDir, ports, serviceCIDR, exited, seen: [] };
  running.push(stack);
  const up = eventually(() => lines.some((l) => l.includes(until)), { timeoutMs: 150_000, intervalMs: 100, what: `a line with "${until}"` });
  const failed = exited.then(() => {
    throw new Error(`the stack exited with ${leader.exitCode ?? leader.signalCode} before it was up:\n${lines.join("\n")}`);
  });
  failed.catch(() => {}); // it rejects once the stack stops, long after the race
  await Promise.race([up, failed]).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${lines.slice(-40).join("\n")}`);
  });
  return stack;
}

/** A pod that runs until it is killed, and its process. */
async function runPod(stack: RunningStack): Promise<ProcessEntry> {
  const client = createClient({ address: `127.0.0.1:${stack.ports.gateway}`, actor: "test" });
  try {
    await client.create(
      toApiObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "sleeper" }, spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] } }),
    );
    const pid = await eventually(
      async () => {
        const status = (await client.get({ kind: "Pod", namespace: "default", name: "sleeper" })).pod?.status;
        return status?.phase === "Running" ? Number(status.containerStatuses[0]?.containerId.replace("process://", "")) : undefined;
      },
      { timeoutMs: 60_000, what: "the pod Running" },
    );
    const pod = processTable().find((p) => p.pid === pid)!;
    stack.seen.push(pod);
    return pod;
  } finally {
    client.close();
  }
}

/** Sends `signal` and measures until the leader exits; then nothing of the stack may be left. */
async function stopAndCheck(stack: RunningStack, send: () => void, pod?: ProcessEntry): Promise<{ stopMs: number; afterStop: string[]; exitOrder: Map<ProcessEntry, number> }> {
  const processes = [...descendantsOf(stack.leader.pid!), ...(pod ? [pod] : [])];
  stack.seen.push(...processes);
  expect(processes.map((p) => p.command).filter((c) => c.includes("nats-server")), "the stack runs its own NATS").toHaveLength(1);
  const from = stack.lines.length;
  const started = Date.now();
  const gone = watchExits(processes);
  send();
  const inTime = await Promise.race([stack.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), STOP_DEADLINE_MS))]);
  const stopMs = Date.now() - started;
  expect(inTime, `the leader exits within ${STOP_DEADLINE_MS / 1000}s; it printed:\n${stack.lines.slice(from).join("\n")}`).toBe(true);
  // The leader may go first (kill -9): what it started must follow on its own, soon.
  const left = await eventually(() => (processes.some(isStillRunning) ? undefined : []), { timeoutMs: 15_000, what: "the stack's processes gone" }).catch(
    () => processes.filter(isStillRunning),
  );
  expect(left.map(describeProcess), "processes of the stack still running").toEqual([]);
  const exitOrder = gone.stop();
  // The launcher may outlive a leader killed first; what it printed until it went is all there now.
  const afterStop = stack.lines.slice(from);
  for (const [name, port] of Object.entries(stack.ports)) expect(await isPortFree(port), `${name} port ${port} free`).toBe(true);
  expect(localRoutes(), `the route for ${stack.serviceCIDR}`).not.toContain(stack.serviceCIDR);
  return { stopMs, afterStop, exitOrder };
}

/** When each process disappeared, polled every few milliseconds: the order the stack stopped in. */
function watchExits(processes: readonly ProcessEntry[]): { stop(): Map<ProcessEntry, number> } {
  const exits = new Map<ProcessEntry, number>();
  const poll = () => {
    for (const p of processes) if (!exits.has(p) && !isStillRunning(p)) exits.set(p, performance.now());
  };
  const timer = setInterval(poll, 5);
  return {
    stop() {
      clearInterval(timer);
      poll();
      return exits;
    },
  };
}

/** The gateway's clients went before the gateway, and the gateway before NATS. */
function expectStoppedInOrder(exitOrder: Map<ProcessEntry, number>): void {
  const last = (match: (command: string) => boolean) => Math.max(...[...exitOrder].filter(([p]) => match(p.command)).map(([, at]) => at));
  const first = (match: (command: string) => boolean) => Math.min(...[...exitOrder].filter(([p]) => match(p.command)).map(([, at]) => at));
  const isNats = (c: string) => c.includes("nats-server");
  const isGateway = (c: string) => c.includes("services/api-gateway/");
  const isClient = (c: string) => /services\/(node-agent|scheduler|discovery|controllers\/)/.test(c);
  const timeline = () => [...exitOrder].sort(([, a], [, b]) => a - b).map(([p, at]) => `${at.toFixed(0)} ms ${p.command}`).join("\n");
  expect(last(isClient), `the last client exits before the gateway:\n${timeline()}`).toBeLessThanOrEqual(first(isGateway));
  expect(last(isGateway), `the gateway exits before NATS:\n${timeline()}`).toBeLessThanOrEqual(first(isNats));
}

async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function localRoutes(): string {
  return execFileSync("ip", ["route", "show", "table", "local"], { encoding: "utf8" });
}

const noiseIn = (lines: readonly string[]) => lines.filter((l) => NOISE.some((n) => n.test(l)));

describe("local stack", () => {
  it("pnpm start: SIGTERM to pnpm stops every service in order, quietly, pods included", async () => {
    const stack = await startLocalStack(["pnpm", "start"]);
    expect(localRoutes()).toContain(stack.serviceCIDR);
    const kubeconfig = join(stack.dataDir, "kubeconfig");
    await eventually(() => stack.lines.some((l) => l.endsWith(`for kubectl: export KUBECONFIG=${kubeconfig}`)), { what: "the KUBECONFIG line" });
    expect(readFileSync(kubeconfig, "utf8")).toContain(`server: http://127.0.0.1:${stack.ports.kubeApi}\n`);
    const pod = await runPod(stack);
    const { stopMs, afterStop, exitOrder } = await stopAndCheck(stack, () => process.kill(stack.leader.pid!, "SIGTERM"), pod);
    expectStoppedInOrder(exitOrder);
    expect(noiseIn(afterStop), `noise while stopping:\n${afterStop.join("\n")}`).toEqual([]);
    expect(afterStop).toContainEqual(expect.stringMatching(/local-stack +\| stopped in /));
    console.log(`local stack (pnpm start) stopped in ${stopMs} ms after SIGTERM`);
  }, 240_000);

  // One stack for both: starting a stack is the cost of every test here.
  it("Ctrl-C (SIGINT to the whole process group) stops it the same way; CAPSTAN_METRICS=1 gives every service a /metrics port of its own, listed for Prometheus, all freed on stop", async () => {
    const stack = await startLocalStack([process.execPath, "services/local-stack/dist/main.js"], "Prometheus file_sd targets: ", { CAPSTAN_METRICS: "1" });
    const groups = JSON.parse(readFileSync(join(stack.dataDir, "prometheus-targets.json"), "utf8")) as { targets: string[]; labels: { service: string } }[];
    expect(groups.map((g) => g.labels.service)).toEqual(expect.arrayContaining(["api-gateway", "scheduler", "deployment-controller", "discovery", "node-1", "node-2"]));
    for (const { targets, labels } of groups) {
      const text = await (await fetch(`http://${targets[0]}/metrics`)).text();
      expect(text, `${labels.service}'s metrics`).toMatch(/^process_cpu_time_total\{/m);
    }
    const pod = await runPod(stack);
    const { stopMs, afterStop, exitOrder } = await stopAndCheck(stack, () => process.kill(-stack.leader.pid!, "SIGINT"), pod);
    expectStoppedInOrder(exitOrder);
    expect(noiseIn(afterStop), `noise while stopping:\n${afterStop.join("\n")}`).toEqual([]);
    for (const { targets } of groups) expect(await isPortFree(Number(targets[0]!.split(":")[1])), `${targets[0]} free`).toBe(true);
    console.log(`local stack stopped in ${stopMs} ms after Ctrl-C`);
  }, 240_000);

  it("stops in order when whatever started it dies without passing a signal on (a shell between pnpm and node, killed)", async () => {
    // `; true` keeps the shell from exec'ing node: it stays node's parent, as it was under `pnpm start` before.
    const stack = await startLocalStack(["/bin/sh", "-c", `"${process.execPath}" services/local-stack/dist/main.js; true`]);
    const pod = await runPod(stack);
    const { afterStop, exitOrder } = await stopAndCheck(stack, () => process.kill(stack.leader.pid!, "SIGKILL"), pod);
    expectStoppedInOrder(exitOrder);
    expect(afterStop).toContainEqual(expect.stringMatching(/local-stack +\| stopping \(parent exited\)/));
    expect(noiseIn(afterStop), `noise while stopping:\n${afterStop.join("\n")}`).toEqual([]);
  }, 240_000);

  it("SIGTERM during start-up stops what started, in order", async () => {
    const stack = await startLocalStack([process.execPath, "services/local-stack/dist/main.js"], "api-gateway |");
    const { afterStop, exitOrder } = await stopAndCheck(stack, () => process.kill(stack.leader.pid!, "SIGTERM"));
    expectStoppedInOrder(exitOrder);
    expect(afterStop).toContainEqual(expect.stringMatching(/local-stack +\| stopped in /));
  }, 240_000);

  it("CAPSTAN_PROMETHEUS=1: Debian's prometheus scrapes every service, says where, and stops with the stack", async () => {
    const prometheusPort = await freePort();
    const stack = await startLocalStack([process.execPath, "services/local-stack/dist/main.js"], "| Prometheus on", {
      CAPSTAN_PROMETHEUS: "1",
      CAPSTAN_PROMETHEUS_PORT: String(prometheusPort),
    });
    const url = `http://127.0.0.1:${prometheusPort}`;
    await eventually(() => stack.lines.some((l) => l.includes(`| dashboards: deploy/grafana/dashboards/*.json`) && l.includes(url)), { what: "where the dashboards are" });
    // Every service but NATS, each under its own name: the labels the dashboards select on.
    const services = stackServiceNames({ natsUrl: "its own", nodes: LOCAL_NODES });
    await eventually(
      async () => {
        const { data } = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: { job: string }; health: string }[] } };
        const up = data.activeTargets.filter((t) => t.health === "up").map((t) => t.labels.job);
        return up.length === services.length && up.sort().join() === [...services].sort().join();
      },
      { timeoutMs: 60_000, what: "every service scraped" },
    );
    const { afterStop } = await stopAndCheck(stack, () => process.kill(-stack.leader.pid!, "SIGINT"));
    expect(noiseIn(afterStop), `noise while stopping:\n${afterStop.join("\n")}`).toEqual([]);
    expect(await isPortFree(prometheusPort), "prometheus's port free").toBe(true);
  }, 240_000);

  it("leaves nothing when its launcher is killed with SIGKILL", async () => {
    const stack = await startLocalStack([process.execPath, "services/local-stack/dist/main.js"]);
    const pod = await runPod(stack);
    await stopAndCheck(stack, () => process.kill(stack.leader.pid!, "SIGKILL"), pod);
  }, 240_000);
});
