import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { toApiObject } from "@capstan/api";
import { JetStreamBus } from "@capstan/bus";
import { createClient, type CapstanClient } from "@capstan/client";
import { profileDir } from "@capstan/local-stack";
import { natsUrl, startScratchStack, type ScratchStack } from "../support/scratch-stack.js";
import { measure, percentile, round } from "./stats.js";

interface DensityOptions {
  readonly nodes: number;
  readonly deployments: number;
  readonly replicas: number;
  /** The Deployments are spread over this many namespaces, as clusterloader2's density test spreads them. */
  readonly namespaces: number;
  /** Deployment creates in flight at once. */
  readonly concurrency: number;
  /** Stop waiting after this long and report what was reached. */
  readonly timeLimitSeconds: number;
  /** Services to run with --cpu-prof. */
  readonly cpuProfile: readonly string[];
}

const PRESETS: Record<string, Omit<DensityOptions, "cpuProfile">> = {
  full: { nodes: 5000, deployments: 1500, replicas: 100, namespaces: 50, concurrency: 16, timeLimitSeconds: 1800 },
  ci: { nodes: 100, deployments: 20, replicas: 100, namespaces: 2, concurrency: 8, timeLimitSeconds: 120 },
};
PRESETS["smoke"] = PRESETS["ci"]!;

const USAGE = "pnpm bench density [--preset full|ci|smoke] [--nodes N] [--deployments N] [--replicas N] [--namespaces N] [--concurrency N] [--time-limit S] [--cpu-prof service,...]";

export function parseDensityArgs(args: readonly string[]): DensityOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    const value = args[i + 1];
    if (!flag.startsWith("--") || value === undefined) throw new Error(`bad arguments near "${flag}"; usage: ${USAGE}`);
    flags.set(flag.slice(2), value);
  }
  const presetName = flags.get("preset") ?? "full";
  const preset = PRESETS[presetName];
  if (!preset) throw new Error(`--preset: Unsupported value "${presetName}": supported values: ${Object.keys(PRESETS).join(", ")}`);
  const count = (name: string, fallback: number) => {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: Invalid value "${raw}": must be a positive integer`);
    return n;
  };
  for (const name of flags.keys()) {
    if (!["preset", "nodes", "deployments", "replicas", "namespaces", "concurrency", "time-limit", "cpu-prof"].includes(name)) throw new Error(`unknown flag --${name}; usage: ${USAGE}`);
  }
  return {
    nodes: count("nodes", preset.nodes),
    deployments: count("deployments", preset.deployments),
    replicas: count("replicas", preset.replicas),
    namespaces: count("namespaces", preset.namespaces),
    concurrency: count("concurrency", preset.concurrency),
    timeLimitSeconds: count("time-limit", preset.timeLimitSeconds),
    cpuProfile: (flags.get("cpu-prof") ?? "").split(",").filter(Boolean),
  };
}

const namespaceName = (i: number) => `density-${i}`;

function deployment(i: number, opts: DensityOptions) {
  const app = `density-${i}`;
  const replicas = opts.replicas;
  return toApiObject({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app, namespace: namespaceName(i % opts.namespaces) },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app } },
        spec: { containers: [{ name: "app", image: "nginx:1.27", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
      },
    },
  });
}

/** What the pod watch has seen: every pod's way from created to bound to Running. */
class PodProgress {
  created = 0;
  scheduled = 0;
  running = 0;
  readonly startupMs: number[] = [];
  private readonly bound = new Set<string>();
  private readonly started = new Set<string>();

  seen(type: string, pod: Record<string, unknown>): void {
    const metadata = pod["metadata"] as Record<string, unknown>;
    const uid = String(metadata["uid"]);
    if (type === "ADDED") this.created++;
    if (type === "DELETED") return;
    if ((pod["spec"] as Record<string, unknown> | undefined)?.["nodeName"] && !this.bound.has(uid)) {
      this.bound.add(uid);
      this.scheduled++;
    }
    if ((pod["status"] as Record<string, unknown> | undefined)?.["phase"] === "Running" && !this.started.has(uid)) {
      this.started.add(uid);
      this.running++;
      this.startupMs.push(Date.now() - Date.parse(String(metadata["creationTimestamp"])));
    }
  }
}

/** Peak resident memory (VmHWM) of a live process, in MiB. */
function peakRssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a live process has used so far, in seconds. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function watchPods(prefix: string, fromRevision: number, progress: PodProgress) {
  const bus = await JetStreamBus.connect({ url: natsUrl, prefix, name: "density-bench" });
  const subscription = await bus.subscribe({ kind: "Pod" }, fromRevision);
  const done = (async () => {
    for await (const e of subscription) progress.seen(e.type, e.object);
  })();
  return {
    async stop() {
      await subscription.stop();
      await done.catch(() => undefined);
      await bus.close();
    },
  };
}

/**
 * Pod density (issue 5): the whole control plane and one simulated fleet on this machine; the bench
 * creates Deployments with bounded concurrency and watches every pod until it is Running.
 */
export async function benchDensity(log: (line: string) => void, args: readonly string[] = []): Promise<Record<string, number>> {
  const opts = parseDensityArgs(args);
  const total = opts.deployments * opts.replicas;
  log(
    `density: ${opts.nodes} simulated nodes, ${opts.deployments} Deployments × ${opts.replicas} replicas = ${total} pods in ${opts.namespaces} namespaces, ` +
      `${opts.concurrency} creates in flight, limit ${opts.timeLimitSeconds}s`,
  );
  let scratch: ScratchStack | undefined;
  let client: CapstanClient | undefined;
  const lastLines = new Map<string, string[]>();
  try {
    const startedStack = performance.now();
    scratch = await startScratchStack("density", {
      simulatedNodes: String(opts.nodes),
      cpuProfile: opts.cpuProfile,
      output: (service, line) => {
        if (process.env["CAPSTAN_BENCH_LOGS"]) return log(`${service}| ${line}`);
        // A service that dies shows its last lines: a bench run is long to repeat.
        const recent = lastLines.get(service) ?? [];
        lastLines.set(service, recent);
        recent.push(line);
        if (recent.length > 30) recent.shift();
        if (/^exited|cannot start/.test(line)) for (const l of recent) log(`${service}| ${l}`);
      },
    });
    const { stack, prefix } = scratch;
    log(`stack up with ${opts.nodes} nodes registered in ${round((performance.now() - startedStack) / 1000)}s`);
    client = createClient({ address: stack.gateway, actor: "density-bench" });
    const c = client;

    const progress = new PodProgress();
    const listed = await c.list({ kind: "Pod" });
    const watch = await watchPods(prefix, Number(listed.resourceVersion), progress);
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    let lastRunning = 0;
    const ticker = setInterval(() => {
      const rate = (progress.running - lastRunning) / 5;
      lastRunning = progress.running;
      log(`  ${round(elapsed())}s  created ${progress.created}  scheduled ${progress.scheduled}  running ${progress.running}  (${Math.round(rate)} running/s)`);
    }, 5000);

    for (let i = 0; i < opts.namespaces; i++) await c.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespaceName(i) } }));
    const creates = measure(opts.deployments, opts.concurrency, (i) => c.create(deployment(i, opts)));
    const created = await creates;
    log(`  ${opts.deployments} Deployments created in ${round(elapsed())}s (p50 ${round(created.p50)} ms, p99 ${round(created.p99)} ms)`);
    const deadline = started + opts.timeLimitSeconds * 1000;
    const dead = () => [...stack.services].filter(([, p]) => !p.running).map(([name]) => name);
    while (progress.running < total && performance.now() < deadline && dead().length === 0) await new Promise((r) => setTimeout(r, 200));
    const seconds = elapsed();
    clearInterval(ticker);
    if (dead().length > 0) log(`  stopped: ${dead().join(", ")} exited; ${progress.running} of ${total} pods Running after ${round(seconds)}s`);
    else if (progress.running < total) log(`  time limit: ${progress.running} of ${total} pods Running after ${round(seconds)}s`);

    const startup = [...progress.startupMs].sort((a, b) => a - b);
    const results: Record<string, number> = {
      pods: progress.running,
      seconds: round(seconds),
      pods_per_s: Math.round(progress.running / seconds),
      startup_p50_ms: Math.round(percentile(startup, 50)),
      startup_p99_ms: Math.round(percentile(startup, 99)),
      api_p99_ms: round(created.p99),
    };
    log("per service: peak RSS (VmHWM), CPU seconds used:");
    for (const [name, service] of stack.services) log(`  ${name.padEnd(28)} ${String(peakRssMiB(service.pid) ?? "?").padStart(6)} MiB ${String(cpuSeconds(service.pid) ?? "?").padStart(8)} s`);
    log(`  ${"density-bench".padEnd(28)} ${String(peakRssMiB(process.pid)).padStart(6)} MiB ${String(cpuSeconds(process.pid)).padStart(8)} s`);
    await watch.stop();
    return results;
  } finally {
    client?.close();
    // Graceful, so --cpu-prof writes its profiles; their data folder stays.
    await scratch?.stop({ keepDataDir: opts.cpuProfile.length > 0 });
    for (const service of opts.cpuProfile) {
      const dir = join(profileDir(scratch?.dataDir ?? ""), service);
      if (existsSync(dir)) for (const f of readdirSync(dir)) log(`cpu profile of ${service}: ${join(dir, f)}`);
    }
  }
}
