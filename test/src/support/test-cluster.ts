import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeEach, type RunnerTestFile, type RunnerTestSuite } from "vitest";
import { createClient, type CapstanClient } from "@capstan/client";
import { createTestDatabase } from "@capstan/eventstore/testing";
import { ServiceProcess, startStack, writeKubeconfig, type Stack } from "@capstan/local-stack";
import { claimHostRanges, type HostRanges } from "./host-ranges.js";
import { natsUrl, removeStreams } from "./scratch-stack.js";
import { ServiceLogs } from "./service-logs.js";
import { eventually } from "./eventually.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The shared example manifests beside the repository; CAPSTAN_EXAMPLES_DIR points elsewhere (a worktree has none beside it). */
export const examplesDir = process.env["CAPSTAN_EXAMPLES_DIR"] ?? resolve(repoRoot, "../shared/examples");

export interface TestClusterOptions {
  readonly nodes?: number;
  /** Extra environment for every service. */
  readonly env?: Record<string, string>;
  /** Use the embedded PGlite instead of a fresh Postgres database. */
  readonly embeddedPostgres?: boolean;
  /** Processes per controller; the extra ones stand by for the lease. */
  readonly controllerReplicas?: number;
  /** A `simulated-fleet` node agent hosting this many simulated nodes (or the nodes of a spec file). */
  readonly simulatedNodes?: number | string;
  /**
   * Images the nodes hold beyond the built-in catalog, as CAPSTAN_IMAGE_CATALOG entries
   * (`{ "example/web": { image: "nginx" } }`): a test's own image names run a catalog program.
   */
  readonly images?: Record<string, { image: string; args?: string[] }>;
  /** Every service serves Prometheus metrics on a port of its own (TestCluster.metricsTargets). */
  readonly metrics?: boolean;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestCluster {
  readonly stack: Stack;
  readonly client: CapstanClient;
  readonly prefix: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly nodeNames: string[];
  /** This cluster's own service CIDR (claimed on the host), so parallel clusters never share a cluster IP. */
  readonly serviceCIDR: string;
  /** Runs the real CLI against this cluster, with extra environment if given. */
  capctl(args: string[], input?: string, env?: Record<string, string>): Promise<CommandResult>;
  /** The CLI for a command that must succeed: its stdout, or a failure with its stderr. */
  capctlOk(args: string[], input?: string, env?: Record<string, string>): Promise<string>;
  /** The gateway's Kubernetes API, `http://127.0.0.1:<port>`. */
  readonly kubeApi: string;
  /** Runs stock kubectl (/usr/bin/kubectl) against the Kubernetes API, with a kubeconfig and cache of this cluster's own. */
  kubectl(args: string[], input?: string): Promise<CommandResult>;
  /** kubectl for a command that must succeed: its stdout, or a failure with its stderr. */
  kubectlOk(args: string[], input?: string): Promise<string>;
  /**
   * What the services printed, a block per service: its last `lines` lines (all it keeps, 400, by
   * default), each `hh:mm:ss.mmm service| text`. A failing test prints these tails by itself.
   */
  logs(opts?: { lines?: number }): string;
  /**
   * The gateway's compact-log command against this cluster's database and stream, to `revision` (default:
   * the head), once the stream holds that far (the relay publishes after the commit): its one line of output.
   */
  compactLog(revision?: number | string): Promise<string>;
  /**
   * Starts another instance of one of the stack's services with extra environment (say, the replacement
   * of a crashed controller on a test clock); its lines join the service's, and it stops with the cluster.
   */
  startService(name: string, env: Record<string, string>): ServiceProcess;
  /** Service name → "127.0.0.1:<port>" of its /metrics; empty unless started with `metrics: true`. */
  metricsTargets(): ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

/** A cluster of this test file, from the moment it starts: its logs outlive it for a failure's report. */
interface ClusterRecord {
  readonly prefix: string;
  readonly logs: ServiceLogs;
  /** Settles when startTestCluster does. */
  starting: Promise<unknown>;
  cluster: TestCluster | undefined;
  stopped: boolean;
}

/** The stock kubectl the Kubernetes API is tested with (Debian's kubernetes-client). */
const KUBECTL = "/usr/bin/kubectl";

/** Lines of each service a failure prints (CAPSTAN_TEST_LOGS=1 prints every line as it comes). */
const FAILURE_TAIL_LINES = 40;

// Vitest evaluates this module once per test file, so these hooks and this set are the file's.
const clusters = new Set<ClusterRecord>();
/** The clusters the running test may touch: those alive when it began, and those it starts. */
let usedByRunningTest: Set<ClusterRecord> | undefined;

beforeEach(({ onTestFailed, onTestFinished }) => {
  const used = new Set([...clusters].filter((c) => !c.stopped));
  usedByRunningTest = used;
  onTestFinished(() => {
    if (usedByRunningTest === used) usedByRunningTest = undefined;
  });
  onTestFailed(({ task }) => printLogTails(used, `test "${task.name}" failed`));
});

afterAll(async (file) => {
  // A failing beforeAll (say, a cluster that did not start in time) fails no test: report it here.
  if (hookFailed(file)) printLogTails(clusters, `a hook of ${file.name} failed`);
  // A start that outlived its hook's timeout, or a file that never called stop(): stop what is left.
  for (const record of clusters) {
    await record.starting.catch(() => undefined);
    if (record.cluster && !record.stopped) await record.cluster.stop();
  }
  clusters.clear();
}, 180_000);

function hookFailed(suite: Readonly<RunnerTestSuite | RunnerTestFile>): boolean {
  // Only a hook's error lands on a suite; failed tests merely mark it failed, later.
  return (suite.result?.errors?.length ?? 0) > 0 || suite.tasks.some((t) => t.type === "suite" && hookFailed(t));
}

function printLogTails(records: Iterable<ClusterRecord>, why: string): void {
  for (const record of records) {
    const services = record.cluster?.stack.services;
    const status = (service: string) => (record.stopped || services?.get(service)?.running !== false ? undefined : "not running");
    console.error(
      `${why}: the last ${FAILURE_TAIL_LINES} lines of each service of cluster ${record.prefix}${record.stopped ? " (stopped since)" : ""}\n` +
        record.logs.text({ lines: FAILURE_TAIL_LINES, status }),
    );
  }
}

/**
 * A whole Capstan stack of real processes against the machine's NATS and Postgres, isolated by its
 * own database, stream prefix, data folder and pod address range. When a test fails, the last lines of
 * each service of every cluster it used are printed with it.
 */
export function startTestCluster(opts: TestClusterOptions = {}): Promise<TestCluster> {
  const record: ClusterRecord = {
    prefix: `t${randomBytes(5).toString("hex")}`,
    logs: new ServiceLogs(),
    starting: Promise.resolve(),
    cluster: undefined,
    stopped: false,
  };
  clusters.add(record);
  usedByRunningTest?.add(record);
  const started = start(record, opts);
  record.starting = started;
  return started;
}

async function start(record: ClusterRecord, opts: TestClusterOptions): Promise<TestCluster> {
  const { prefix, logs } = record;
  const database = opts.embeddedPostgres ? undefined : await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "capstan-test-"));
  const nodeCount = opts.nodes ?? 2;
  const nodeNames = Array.from({ length: nodeCount }, (_, i) => `node-${i + 1}`);
  const imageCatalog: Record<string, string> = {};
  if (opts.images) {
    imageCatalog["CAPSTAN_IMAGE_CATALOG"] = join(dataDir, "images.json");
    writeFileSync(imageCatalog["CAPSTAN_IMAGE_CATALOG"], JSON.stringify(opts.images));
  }
  let ranges: HostRanges | undefined;
  let stack: Stack;
  const output = (service: string, line: string) => {
    logs.add(service, line);
    if (process.env["CAPSTAN_TEST_LOGS"]) console.log(`${service}| ${line}`);
  };
  try {
    // Pod IPs and cluster IPs no other cluster on this host has; every node agent routes the latter to lo.
    ranges = await claimHostRanges(nodeCount, opts.env?.["CAPSTAN_SERVICE_CIDR"]);
    const { podIPBases, serviceCIDR } = ranges;
    stack = await startStack({
      dataDir,
      natsUrl,
      databaseUrl: database?.url,
      prefix,
      gatewayPort: 0,
      nodes: nodeNames.map((name, i) => ({ name, podIPBase: podIPBases[i]! })),
      restart: false,
      ...(opts.metrics ? { metrics: true } : {}),
      ...(opts.controllerReplicas ? { controllerReplicas: opts.controllerReplicas } : {}),
      ...(opts.simulatedNodes !== undefined ? { simulatedNodes: String(opts.simulatedNodes) } : {}),
      // Leases as `pnpm start` has them (15 s): with 3 s a leader has a second to spare for a renewal,
      // which a loaded machine takes, and a leader that steps down exits with no one to restart it
      // here. A test that kills leaders asks for short ones. DNS on a free port, as clusters of
      // parallel tests share the machine.
      env: { CAPSTAN_HEARTBEAT_SECONDS: "2", CAPSTAN_UNSCHEDULABLE_RETRY_MS: "2000", CAPSTAN_SERVICE_CIDR: serviceCIDR, CAPSTAN_DNS_LISTEN: "127.0.0.1:0", ...imageCatalog, ...opts.env },
      output,
    });
  } catch (e) {
    record.stopped = true;
    await ranges?.release();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const claimed = ranges;
  const { serviceCIDR } = claimed;
  const client = createClient({ address: stack.gateway, actor: "test" });
  const extraServices: ServiceProcess[] = [];
  const kubeconfigPath = writeKubeconfig(dataDir, stack.kubeApi);
  const run = (command: string, args: string[], env: Record<string, string> | undefined, input: string | undefined) =>
    new Promise<CommandResult>((done) => {
      const child = execFile(command, args, { cwd: repoRoot, timeout: 120_000, ...(env ? { env: { ...process.env, ...env } } : {}) }, (error, stdout, stderr) =>
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  const cluster: TestCluster = {
    stack,
    client,
    prefix,
    databaseUrl: database?.url,
    dataDir,
    nodeNames,
    serviceCIDR,
    capctl(args, input, env) {
      return run(process.execPath, [join(repoRoot, "services/capctl/dist/main.js"), "--server", stack.gateway, ...args], env, input);
    },
    async capctlOk(args, input, env) {
      const r = await cluster.capctl(args, input, env);
      if (r.code !== 0) throw new Error(`capctl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    kubeApi: stack.kubeApi,
    kubectl(args, input) {
      if (!existsSync(KUBECTL)) throw new Error(`${KUBECTL} is missing: apt-get install kubernetes-client`);
      return run(KUBECTL, ["--cache-dir", join(dataDir, "kube-cache"), ...args], { KUBECONFIG: kubeconfigPath }, input);
    },
    async kubectlOk(args, input) {
      const r = await cluster.kubectl(args, input);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    logs: (logOpts) => logs.text(logOpts),
    compactLog(revision) {
      const args = revision === undefined ? [] : [String(revision)];
      const env = { DATABASE_URL: database?.url ?? "", CAPSTAN_PREFIX: prefix, CAPSTAN_LOG_RETAIN_REVISIONS: "0" };
      return eventually(
        async () => {
          const r = await run(process.execPath, [join(repoRoot, "services/api-gateway/dist/compact.js"), ...args], env, undefined);
          if (r.code === 0) return r.stdout.trim();
          if (r.stderr.includes("is not on the event stream yet")) return undefined;
          throw new Error(`compact-log ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
        },
        { what: `the log compacted to ${revision ?? "its head"}` },
      );
    },
    metricsTargets: () => stack.metricsTargets(),
    startService(name, env) {
      const { spec } = stack.service(name);
      // Another instance cannot share the original's metrics port: it gets a free one of its own.
      const metricsPort = spec.env["CAPSTAN_METRICS_LISTEN"] ? { CAPSTAN_METRICS_LISTEN: "127.0.0.1:0" } : {};
      const service = new ServiceProcess({ ...spec, env: { ...spec.env, ...metricsPort, ...env } }, { restart: false, output });
      extraServices.push(service);
      service.start();
      return service;
    },
    async stop() {
      if (record.stopped) return;
      record.stopped = true;
      client.close();
      // Clients of the gateway, as the stack's own: stopped before it.
      await Promise.all(extraServices.map((s) => s.stop()));
      await stack.stop();
      await removeStreams(prefix);
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
      // The agents leave the route in place (others on the host may share it); the cluster is gone now.
      await new Promise((done) => execFile("ip", ["route", "del", "local", serviceCIDR, "dev", "lo"], done));
      await claimed.release();
    },
  };
  record.cluster = cluster;
  return cluster;
}
