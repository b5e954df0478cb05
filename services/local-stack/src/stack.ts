import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { killLeftoverContainers } from "./leftover-containers.js";
import { ServiceProcess, type ServiceSpec } from "./service-process.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface StackOptions {
  /** State of the whole stack (embedded Postgres, NATS, node agents' pods). */
  readonly dataDir: string;
  /** Use this NATS; unset → start nats-server with JetStream in dataDir. */
  readonly natsUrl?: string | undefined;
  /** Use this Postgres; unset → the gateway embeds PGlite in dataDir. */
  readonly databaseUrl?: string | undefined;
  readonly prefix: string;
  /** Gateway port; 0 picks a free one. */
  readonly gatewayPort: number;
  /** The gateway's Kubernetes API port (what kubectl speaks); 0 or unset picks a free one. */
  readonly kubeApiPort?: number;
  readonly natsPort?: number;
  readonly nodes: readonly { name: string; podIPBase: string; env?: Record<string, string> }[];
  /** One more node agent, `simulated-fleet`, on the simulated runtime: a node count or a node group spec file (CAPSTAN_SIMULATED_NODES). */
  readonly simulatedNodes?: string | undefined;
  /** Services run with `node --cpu-prof`; each writes its profile to <dataDir>/profiles/<service> when it stops. */
  readonly cpuProfile?: readonly string[];
  /** Run the scheduler (default); benchmarks of the API alone leave it out. */
  readonly scheduler?: boolean;
  /** Run the controllers (default). */
  readonly controllers?: boolean;
  /** Processes per controller (default 1); more stand by for the lease, named `<name>-2`, `<name>-3`, … */
  readonly controllerReplicas?: number;
  /** Run discovery: the endpoints controller and the cluster DNS (default; CAPSTAN_DNS_LISTEN says where). */
  readonly discovery?: boolean;
  /** Each service (NATS aside) serves Prometheus metrics at /metrics on a free port of its own; see Stack.metricsTargets. */
  readonly metrics?: boolean;
  readonly restart: boolean;
  /** Aborted during start-up (a SIGTERM while services come up): what started is stopped in order, and startStack rejects. */
  readonly signal?: AbortSignal;
  readonly env?: Record<string, string>;
  readonly output: (service: string, line: string) => void;
}

export interface Stack {
  readonly gateway: string;
  /** The Kubernetes API's URL, `http://127.0.0.1:<port>`, for a kubeconfig. */
  readonly kubeApi: string;
  readonly natsUrl: string;
  readonly services: ReadonlyMap<string, ServiceProcess>;
  service(name: string): ServiceProcess;
  /** Service name → the "127.0.0.1:<port>" its /metrics is served on; empty unless started with `metrics`. */
  metricsTargets(): ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

/**
 * Ports below Linux's ephemeral range (32768–60999 by default), which the kernel never hands to an
 * outgoing connection: a port found free there stays free until the service listens on it (and across
 * its restarts), where an ephemeral one is soon some connection's local port (EADDRINUSE).
 */
const LISTEN_PORTS = { low: 20_000, high: 32_767 };

/** A port on 127.0.0.1 nothing listens on now, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = LISTEN_PORTS.low + Math.floor(Math.random() * (LISTEN_PORTS.high - LISTEN_PORTS.low + 1));
    if (await canListen(port)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

async function waitForPort(host: string, port: number, what: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((done) => {
      const socket = createConnection({ host, port }, () => {
        socket.destroy();
        done(true);
      });
      socket.once("error", () => done(false));
    });
    if (open) return;
    if (!alive()) throw new Error(`${what} exited during start-up (see its log lines above)`);
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${host}:${port} within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function requireNatsServer(): void {
  const found = spawnSync("nats-server", ["--version"], { stdio: "ignore" });
  if (found.error) {
    throw new Error("nats-server is not installed: install it (Debian/Ubuntu: apt-get install nats-server) or set NATS_URL to a NATS server with JetStream");
  }
}

/** Controller processes: service name → folder under services/controllers. */
const CONTROLLERS: Record<string, string> = {
  "replicaset-controller": "replicaset",
  "deployment-controller": "deployment",
  "node-lifecycle-controller": "node-lifecycle",
  "garbage-collector": "garbage-collector",
  "namespace-controller": "namespace",
  "pv-binder": "pv-binder",
  "job-controller": "job",
  "cronjob-controller": "cronjob",
  "local-path-provisioner": "local-path-provisioner",
  "statefulset-controller": "statefulset",
  "daemonset-controller": "daemonset",
  "disruption-controller": "disruption",
};

/** The node agents `pnpm start` runs (docker-compose.yml runs the same, as node-1 and node-2). */
export const LOCAL_NODES: StackOptions["nodes"] = [
  { name: "node-1", podIPBase: "127.1" },
  { name: "node-2", podIPBase: "127.2" },
];

/**
 * The names of the services startStack starts for these options with every part on: NATS (when it
 * starts its own), the gateway, scheduler, controllers, discovery, node agents and the simulated fleet.
 * docker-compose.yml runs the same (test/src/compose.test.ts).
 */
export function stackServiceNames(opts: Pick<StackOptions, "natsUrl" | "nodes" | "simulatedNodes">): string[] {
  return [
    ...(opts.natsUrl ? [] : ["nats"]),
    "api-gateway",
    "scheduler",
    ...Object.keys(CONTROLLERS),
    "discovery",
    ...opts.nodes.map((n) => n.name),
    ...(opts.simulatedNodes !== undefined ? ["simulated-fleet"] : []),
  ];
}

const node = (service: string) => ({ command: process.execPath, args: [join(repoRoot, "services", service, "dist", "main.js")] });

/** Where --cpu-prof puts the profiles of the stack's services. */
export const profileDir = (dataDir: string) => join(resolve(dataDir), "profiles");

/** The whole local stack as processes (DESIGN.md §9): NATS, gateway, scheduler, node agents. */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const services = new Map<string, ServiceProcess>();
  // Stopped tier by tier, each tier at once: the gateway's clients, then the gateway, then NATS, so no
  // service loses what it talks to while it still stops (a lease released into a NATS that is gone).
  const tiers: Record<"nats" | "gateway" | "client", ServiceProcess[]> = { nats: [], gateway: [], client: [] };
  const metricsTargets = new Map<string, string>();
  const add = async (spec: ServiceSpec, tier: keyof typeof tiers = "client") => {
    if (opts.metrics && tier !== "nats") {
      let port: number;
      // freePort only probes, so two services asked for one in a row could be told the same port.
      do port = await freePort();
      while ([...metricsTargets.values()].includes(`127.0.0.1:${port}`));
      metricsTargets.set(spec.name, `127.0.0.1:${port}`);
      spec = { ...spec, env: { ...spec.env, CAPSTAN_METRICS_LISTEN: `127.0.0.1:${port}` } };
    }
    if (opts.cpuProfile?.includes(spec.name)) {
      // Node refuses --cpu-prof in NODE_OPTIONS, so it goes before the script.
      spec = { ...spec, args: ["--cpu-prof", `--cpu-prof-dir=${join(profileDir(dataDir), spec.name)}`, ...spec.args] };
    }
    const p = new ServiceProcess(spec, { restart: opts.restart, output: opts.output });
    services.set(spec.name, p);
    tiers[tier].push(p);
    p.start();
    return p;
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // The gateway or NATS exiting while its clients stop must not come back.
      for (const p of services.values()) p.expectExit();
      for (const tier of [tiers.client, tiers.gateway, tiers.nats]) await Promise.all(tier.map((p) => p.stop()));
      // A node agent killed with SIGKILL, or stopped before it took over its pods, leaves them running.
      for (const left of await killLeftoverContainers(join(dataDir, "nodes"))) {
        opts.output("local-stack", `killed container ${left.container} of pod ${left.podUid} (process group ${left.pgid}), left running by ${left.node}`);
      }
    })());

  const aborted = new Promise<never>((_, reject) => {
    const abort = () => reject(new Error("start-up aborted"));
    if (opts.signal?.aborted) abort();
    else opts.signal?.addEventListener("abort", abort, { once: true });
  });
  aborted.catch(() => {}); // only ever awaited in a race
  const unlessAborted = <T>(work: Promise<T>): Promise<T> => Promise.race([work, aborted]);

  try {
    let natsUrl = opts.natsUrl;
    if (!natsUrl) {
      requireNatsServer();
      const port = opts.natsPort ?? 7422;
      const nats = await add({
        name: "nats",
        command: "nats-server",
        // Its banner and notices go to a file; errors still reach the terminal through its exit.
        args: ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", join(dataDir, "nats"), "-l", join(dataDir, "nats.log")],
        env: {},
      }, "nats");
      await unlessAborted(waitForPort("127.0.0.1", port, "nats-server", 15_000, () => nats.running));
      natsUrl = `nats://127.0.0.1:${port}`;
      opts.output("nats", `JetStream on ${natsUrl} (log: ${join(dataDir, "nats.log")})`);
    }
    const gatewayPort = opts.gatewayPort || (await freePort());
    const gateway = `127.0.0.1:${gatewayPort}`;
    const kubeApiPort = opts.kubeApiPort || (await freePort());
    const common: Record<string, string> = {
      ...opts.env,
      NATS_URL: natsUrl,
      CAPSTAN_PREFIX: opts.prefix,
      CAPSTAN_GATEWAY: gateway,
      CAPSTAN_DATA_DIR: dataDir,
    };
    const gw = await add({
      name: "api-gateway",
      ...node("api-gateway"),
      readyLine: "serving on",
      env: {
        ...common,
        CAPSTAN_GATEWAY_LISTEN: gateway,
        CAPSTAN_KUBE_API_LISTEN: `127.0.0.1:${kubeApiPort}`,
        ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
      },
    }, "gateway");
    await unlessAborted(waitForPort("127.0.0.1", gatewayPort, "api-gateway", 60_000, () => gw.running));
    await unlessAborted(waitForPort("127.0.0.1", kubeApiPort, "api-gateway (Kubernetes API)", 10_000, () => gw.running));
    if (opts.scheduler !== false) await add({ name: "scheduler", ...node("scheduler"), env: common, readyLine: "scheduling" });
    if (opts.controllers !== false) {
      for (const [name, folder] of Object.entries(CONTROLLERS)) {
        for (let i = 1; i <= (opts.controllerReplicas ?? 1); i++) {
          await add({ name: i === 1 ? name : `${name}-${i}`, ...node(`controllers/${folder}`), env: common, readyLine: "candidate for leadership" });
        }
      }
    }
    if (opts.discovery !== false) await add({ name: "discovery", ...node("discovery"), env: common, readyLine: "serving DNS on" });
    for (const n of opts.nodes) {
      await add({
        name: n.name,
        ...node("node-agent"),
        env: { ...common, CAPSTAN_NODE_NAME: n.name, CAPSTAN_POD_IP_BASE: n.podIPBase, ...n.env },
        readyLine: "running pods",
      });
    }
    if (opts.simulatedNodes !== undefined) {
      await add({
        name: "simulated-fleet",
        ...node("node-agent"),
        env: { ...common, CAPSTAN_RUNTIME: "simulated", CAPSTAN_SIMULATED_NODES: opts.simulatedNodes },
        readyLine: "running pods",
      });
    }
    // Ready means every service does its job: a pod created now is scheduled and started.
    await unlessAborted(Promise.all([...services.values()].map((p) => p.ready())));
    return {
      gateway,
      kubeApi: `http://127.0.0.1:${kubeApiPort}`,
      natsUrl,
      services,
      service(name) {
        const p = services.get(name);
        if (!p) throw new Error(`no service ${name} in the stack`);
        return p;
      },
      metricsTargets: () => metricsTargets,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
