import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ServiceProcess } from "./service-process.js";

/** How to get Debian's prometheus, for the line that says it is missing. */
export const PROMETHEUS_INSTALL = "apt-get install -y prometheus";

export interface PrometheusOptions {
  /** Service name → "host:port" of its /metrics (Stack.metricsTargets). */
  readonly targets: ReadonlyMap<string, string>;
  /** Holds prometheus.yml and the TSDB (under prometheus-data/). */
  readonly dir: string;
  readonly port: number;
  readonly scrapeIntervalSeconds: number;
  readonly restart: boolean;
  readonly output: (service: string, line: string) => void;
}

export interface Prometheus {
  /** `http://127.0.0.1:<port>`: its UI and HTTP API. */
  readonly url: string;
  readonly configFile: string;
  stop(): Promise<void>;
}

/** Whether a `prometheus` binary is on the PATH (Debian's package puts it at /usr/bin/prometheus). */
export function isPrometheusInstalled(): boolean {
  return !spawnSync("prometheus", ["--version"], { stdio: "ignore" }).error;
}

/**
 * The scrape configuration of a stack: one job, each target labelled job=<service name>, the label
 * the dashboards and docker-compose's Prometheus (deploy/prometheus/prometheus.yml) use. Written as
 * JSON, which is YAML too.
 */
export function prometheusConfig(targets: ReadonlyMap<string, string>, scrapeIntervalSeconds: number): string {
  const interval = `${scrapeIntervalSeconds}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: "capstan",
        static_configs: [...targets].map(([service, address]) => ({ targets: [address], labels: { job: service } })),
      },
    ],
  };
  return `# Written by the Capstan launcher from the stack's metrics targets (JSON is YAML too).\n${JSON.stringify(config, null, 2)}\n`;
}

/** Debian's prometheus scraping the stack's services; resolves once it answers /-/ready. */
export async function startPrometheus(opts: PrometheusOptions): Promise<Prometheus> {
  if (!isPrometheusInstalled()) throw new Error(`prometheus is not installed: ${PROMETHEUS_INSTALL}`);
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, "prometheus.yml");
  writeFileSync(configFile, prometheusConfig(opts.targets, opts.scrapeIntervalSeconds));
  const url = `http://127.0.0.1:${opts.port}`;
  const server = new ServiceProcess(
    {
      name: "prometheus",
      command: "prometheus",
      // Warnings only: its info lines (one per TSDB block, WAL segment, …) would drown the services'.
      args: [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, "prometheus-data")}`, `--web.listen-address=127.0.0.1:${opts.port}`, "--log.level=warn"],
      env: {},
    },
    { restart: opts.restart, output: opts.output },
  );
  server.start();
  try {
    await untilReady(url, () => server.running);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return { url, configFile, stop: () => server.stop() };
}

const READY_TIMEOUT_MS = 60_000;

async function untilReady(url: string, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    if (!alive()) throw new Error("prometheus exited during start-up (see its log lines above)");
    if (Date.now() > deadline) throw new Error(`prometheus was not ready on ${url} within ${READY_TIMEOUT_MS / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
