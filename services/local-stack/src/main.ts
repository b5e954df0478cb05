import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { examplesImageCatalog } from "./image-catalog.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { onParentExit } from "./parent-watch.js";
import { isPrometheusInstalled, PROMETHEUS_INSTALL, startPrometheus, type Prometheus } from "./prometheus.js";
import { LOCAL_NODES, startStack, type Stack } from "./stack.js";

const colors = [36, 33, 35, 32, 34, 31];
const assigned = new Map<string, number>();

function output(service: string, line: string): void {
  if (!assigned.has(service)) assigned.set(service, colors[assigned.size % colors.length]!);
  const tag = service.padEnd(12);
  console.log(process.stdout.isTTY ? `\x1b[${assigned.get(service)}m${tag}|\x1b[0m ${line}` : `${tag}| ${line}`);
}

async function main(): Promise<void> {
  const env = process.env;
  // Cluster IPs must be local to this host: outside 127.0.0.0/8 that takes a route only root may add.
  const loopbackServiceCIDR = env["CAPSTAN_SERVICE_CIDR"] === undefined && process.getuid?.() !== 0 ? "127.96.0.0/16" : undefined;
  if (loopbackServiceCIDR) output("local-stack", `not root: cluster IPs from ${loopbackServiceCIDR} (set CAPSTAN_SERVICE_CIDR to choose)`);
  // CAPSTAN_PROMETHEUS=1: every service serves /metrics and Debian's prometheus scrapes them.
  const withPrometheus = env["CAPSTAN_PROMETHEUS"] === "1";
  const canScrape = withPrometheus && isPrometheusInstalled();
  if (withPrometheus && !canScrape) output("local-stack", `CAPSTAN_PROMETHEUS=1 but prometheus is not installed (${PROMETHEUS_INSTALL}); the services serve /metrics unscraped`);
  let stack: Stack | undefined;
  let prometheus: Prometheus | undefined;
  let stopping = false;
  const starting = new AbortController();
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    output("local-stack", `stopping (${why})`);
    await prometheus?.stop();
    if (stack) await stack.stop();
    else {
      // Still starting: startStack stops what it started, in order, then rejects.
      starting.abort();
      await startup.catch(() => {});
    }
    output("local-stack", `stopped in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    process.exit(0);
  };
  // Ctrl-C reaches this process alone (each service has its own process group); a supervisor, `timeout`
  // or systemd sends SIGTERM; a closed terminal SIGHUP. Each stops the services in order.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void shutdown(signal));
  // Whoever started us went away without passing a signal on (a shell between pnpm and node, kill -9).
  onParentExit(() => void shutdown("parent exited"));
  const dataDir = env["CAPSTAN_DATA_DIR"] ?? resolve(".capstan");
  const startup = startStack({
    dataDir,
    natsUrl: env["NATS_URL"] || undefined,
    databaseUrl: env["DATABASE_URL"] || undefined,
    prefix: env["CAPSTAN_PREFIX"] ?? "capstan",
    gatewayPort: Number(env["CAPSTAN_GATEWAY_PORT"] ?? 7470),
    kubeApiPort: Number(env["CAPSTAN_KUBE_API_PORT"] ?? 7471),
    natsPort: Number(env["CAPSTAN_NATS_PORT"] || 7422),
    nodes: LOCAL_NODES,
    // A fleet of simulated nodes beside the real ones: a count or a node-group spec file (see README).
    simulatedNodes: env["CAPSTAN_SIMULATED_NODES"] || undefined,
    // The examples' images (README's tour), unless CAPSTAN_IMAGE_CATALOG names a catalog of one's own.
    env: { CAPSTAN_IMAGE_CATALOG: env["CAPSTAN_IMAGE_CATALOG"] || examplesImageCatalog, ...(loopbackServiceCIDR ? { CAPSTAN_SERVICE_CIDR: loopbackServiceCIDR } : {}) },
    // CAPSTAN_METRICS=1: each service serves Prometheus metrics on a port of its own (CAPSTAN_PROMETHEUS=1 too).
    metrics: env["CAPSTAN_METRICS"] === "1" || withPrometheus,
    restart: true,
    signal: starting.signal,
    output,
  });
  // A start-up cut short by a signal is the shutdown's to finish.
  const up = await startup.catch((e: unknown) => (stopping ? new Promise<never>(() => {}) : Promise.reject(e)));
  stack = up;
  output("local-stack", `up: gateway ${up.gateway}, NATS ${up.natsUrl}; try: pnpm capctl get nodes`);
  output("local-stack", `Kubernetes API on ${up.kubeApi}; for kubectl: export KUBECONFIG=${writeKubeconfig(dataDir, up.kubeApi)}`);
  if (up.metricsTargets().size > 0) {
    // Prometheus file_sd format, so a plain Prometheus scrapes every service without a collector.
    const targetsFile = join(dataDir, "prometheus-targets.json");
    const groups = [...up.metricsTargets()].map(([service, target]) => ({ targets: [target], labels: { service } }));
    writeFileSync(targetsFile, `${JSON.stringify(groups, null, 2)}\n`);
    output("local-stack", `metrics of ${groups.length} services at /metrics; Prometheus file_sd targets: ${targetsFile}`);
  }
  if (canScrape) await scrapeWithPrometheus(up, dataDir, Number(env["CAPSTAN_PROMETHEUS_PORT"] || 9090)).then((p) => (prometheus = p));
}

/** Starts prometheus on the stack's metrics and says where to look; a failure leaves the stack running. */
async function scrapeWithPrometheus(stack: Stack, dataDir: string, port: number): Promise<Prometheus | undefined> {
  const targets = stack.metricsTargets();
  try {
    const prometheus = await startPrometheus({ targets, dir: dataDir, port, scrapeIntervalSeconds: 5, restart: true, output });
    output("local-stack", `Prometheus on ${prometheus.url} scraping ${targets.size} services (config: ${prometheus.configFile})`);
    output(
      "local-stack",
      `dashboards: deploy/grafana/dashboards/*.json, for a Grafana with a Prometheus data source of uid "prometheus" at ${prometheus.url} (docker compose up runs one on http://localhost:3000)`,
    );
    return prometheus;
  } catch (e) {
    output("local-stack", `prometheus: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

main().catch((e: unknown) => {
  output("local-stack", `error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
