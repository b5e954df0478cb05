import { Resolver } from "node:dns/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/** One sample of the Prometheus text format: `name{label="value",…} value`. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, "$1");
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

async function scrape(target: string): Promise<Sample[]> {
  const res = await fetch(`http://${target}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  return parseExposition(await res.text());
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  const matching = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matching.length === 0) throw new Error(`no ${name}${JSON.stringify(labels)} among ${[...new Set(samples.map((s) => s.name))].join(", ")}`);
  return matching.reduce((n, s) => n + s.value, 0);
}

const REPLICAS = 2;
const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: metered
spec:
  replicas: ${REPLICAS}
  selector:
    matchLabels: { app: metered }
  template:
    metadata:
      labels: { app: metered }
    spec:
      containers:
      - name: main
        image: busybox
        command: [sleep, "3600"]
        readinessProbe:
          exec: { command: [sh, -c, "exit 0"] }
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata:
  name: metered
spec:
  selector: { app: metered }
  ports:
  - port: 80
`;

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 1, metrics: true });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("metrics", () => {
  it("serves every service's metrics at /metrics on a port of its own, with the catalog's series after a rollout", async () => {
    const targets = cluster.metricsTargets();
    expect([...targets.keys()]).toEqual(expect.arrayContaining(["api-gateway", "scheduler", "deployment-controller", "replicaset-controller", "discovery", "node-1"]));
    expect(new Set(targets.values()).size).toBe(targets.size);

    await cluster.kubectlOk(["apply", "-f", "-"], manifest);
    await cluster.kubectlOk(["rollout", "status", "deployment/metered", "--timeout=60s"]);
    await cluster.capctlOk(["get", "pods"]);
    // A query to the cluster DNS, for its query metric.
    const dnsPort = /DNS listening on [\d.]+:(\d+)/.exec(cluster.logs())?.[1];
    const resolver = new Resolver();
    resolver.setServers([`127.0.0.1:${dnsPort}`]);
    expect(await resolver.resolve4("metered.default.svc.cluster.local")).toHaveLength(1);

    const scraped = new Map<string, Sample[]>();
    for (const [service, target] of targets) scraped.set(service, await scrape(target));
    for (const [service, samples] of scraped) {
      // Each process says who it is, and reports its CPU, memory and event loop.
      expect(samples.find((s) => s.name === "target_info")?.labels["service_name"]).toBe(service.replace(/^node-\d+$/, "node-agent"));
      expect(total(samples, "process_cpu_time_total")).toBeGreaterThan(0);
      expect(total(samples, "process_memory_usage")).toBeGreaterThan(1e6);
      expect(total(samples, "v8js_memory_heap_used")).toBeGreaterThan(0);
    }

    const gateway = scraped.get("api-gateway")!;
    // Every series carries its service's name, so one scrape job over all services tells them apart.
    expect(gateway.find((s) => s.name === "capstan_eventlog_revision")?.labels["service_name"]).toBe("api-gateway");
    expect(total(gateway, "rpc_server_call_duration_count", { rpc_system: "grpc", rpc_method: "capstan.v1.Gateway/BindBatch", rpc_response_status_code: "OK" })).toBeGreaterThanOrEqual(1);
    expect(total(gateway, "rpc_server_call_duration_count", { rpc_method: "capstan.v1.Gateway/List", capstan_kind: "Pod" })).toBeGreaterThanOrEqual(1);
    expect(total(gateway, "http_server_request_duration_count", { http_request_method: "POST", capstan_verb: "create", capstan_kind: "Deployment" })).toBe(1);
    expect(total(gateway, "http_server_request_duration_count", { capstan_verb: "watch", capstan_kind: "Deployment" })).toBeGreaterThanOrEqual(1);
    expect(total(gateway, "capstan_eventlog_appends_total", { capstan_kind: "Pod" })).toBeGreaterThanOrEqual(REPLICAS);
    expect(total(gateway, "capstan_eventlog_commit_batch_size_count")).toBeGreaterThan(0);
    expect(total(gateway, "capstan_eventlog_commit_duration_count")).toBeGreaterThan(0);
    const revision = total(gateway, "capstan_eventlog_revision");
    expect(revision).toBeGreaterThan(REPLICAS);
    const lag = total(gateway, "capstan_eventlog_outbox_lag");
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(revision);
    // kubectl's rollout status watched the Deployment (the services' informers read the bus itself).
    expect(total(gateway, "capstan_watch_subscribers", { capstan_kind: "Deployment", capstan_watch_transport: "http" })).toBeGreaterThanOrEqual(0);
    expect(total(gateway, "capstan_watch_delivery_lag_count", { capstan_watch_transport: "http" })).toBeGreaterThan(0);
    expect(total(gateway, "capstan_objects", { capstan_kind: "Deployment" })).toBe(1);
    expect(total(gateway, "capstan_pods", { k8s_pod_phase: "Running" })).toBe(REPLICAS);
    expect(total(gateway, "capstan_nodes", { capstan_node_ready: "True" })).toBe(1);

    const deployments = scraped.get("deployment-controller")!;
    expect(total(deployments, "capstan_controller_reconcile_duration_count", { capstan_controller: "deployment", capstan_reconcile_result: "success" })).toBeGreaterThan(0);
    expect(total(deployments, "capstan_workqueue_adds_total", { capstan_workqueue_name: "deployment" })).toBeGreaterThan(0);
    expect(total(deployments, "capstan_workqueue_queue_duration_count", { capstan_workqueue_name: "deployment" })).toBeGreaterThan(0);
    expect(total(deployments, "capstan_workqueue_work_duration_count", { capstan_workqueue_name: "deployment" })).toBeGreaterThan(0);
    expect(total(deployments, "capstan_workqueue_depth", { capstan_workqueue_name: "deployment" })).toBeGreaterThanOrEqual(0);
    expect(total(deployments, "capstan_workqueue_longest_running_processor_duration", { capstan_workqueue_name: "deployment" })).toBeGreaterThanOrEqual(0);

    const scheduler = scraped.get("scheduler")!;
    expect(total(scheduler, "capstan_scheduler_attempt_duration_count", { capstan_scheduling_result: "scheduled", capstan_scheduler_profile: "default-scheduler" })).toBe(REPLICAS);
    expect(total(scheduler, "capstan_scheduler_e2e_duration_count")).toBe(REPLICAS);
    expect(total(scheduler, "capstan_scheduler_pending_pods")).toBe(0);
    expect(scheduler.filter((s) => s.name === "capstan_scheduler_pending_pods").map((s) => s.labels["capstan_scheduler_queue"]).sort()).toEqual(["active", "backoff", "gated", "unschedulable"]);

    const node = scraped.get("node-1")!;
    expect(total(node, "capstan_pod_startup_duration_count")).toBeGreaterThanOrEqual(REPLICAS);
    expect(total(node, "capstan_pod_startup_duration_sum")).toBeGreaterThan(0);
    expect(total(node, "capstan_node_agent_running_pods", { k8s_node_name: "node-1" })).toBe(REPLICAS);
    expect(total(node, "capstan_node_agent_running_containers", { k8s_node_name: "node-1", capstan_container_state: "running" })).toBe(REPLICAS);
    expect(total(node, "capstan_probe_results_total", { capstan_probe_type: "readiness", capstan_probe_result: "successful" })).toBeGreaterThanOrEqual(REPLICAS);

    const discovery = scraped.get("discovery")!;
    expect(total(discovery, "capstan_dns_query_duration_count", { dns_rcode: "NOERROR" })).toBeGreaterThanOrEqual(1);
    expect(total(discovery, "capstan_endpoints_propagation_duration_count")).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it("fails a service's start with one line when its metrics port is taken", async () => {
    const taken = cluster.metricsTargets().get("scheduler")!;
    const second = cluster.startService("scheduler", { CAPSTAN_METRICS_LISTEN: taken });
    const line = await eventually(() => cluster.logs().split("\n").find((l) => l.includes(`CAPSTAN_METRICS_LISTEN: cannot serve metrics on ${taken}`)));
    expect(line).toMatch(/scheduler: CAPSTAN_METRICS_LISTEN: cannot serve metrics on [\d.]+:\d+: the port is in use$/);
    await eventually(() => (second.running ? undefined : true));
  });
});
