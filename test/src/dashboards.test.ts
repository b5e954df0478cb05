import { Resolver } from "node:dns/promises";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { freePort, stackServiceNames, startPrometheus, type Prometheus } from "@capstan/local-stack";
import { eventually, repoRoot, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * The Grafana dashboards of deploy/grafana: linted (every panel has a data source Grafana is provisioned
 * with, a title, a description, a unit and queries), described panel by panel in deploy/grafana/README.md,
 * and every panel's every query evaluated through Debian's prometheus scraping a real stack while a
 * Deployment behind a Service rolls out, a liveness probe fails, a pod finds no node and a high-priority pod preempts: each
 * must return data, so no dashboard shows an empty or broken panel.
 */
interface Target {
  readonly refId: string;
  readonly expr: string;
  readonly datasource?: { uid?: string };
}

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title?: string;
  readonly description?: string;
  readonly datasource?: { type?: string; uid?: string };
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly fieldConfig?: { defaults?: { unit?: string; links?: { title: string; url: string }[] } };
  readonly targets?: readonly Target[];
}

interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { list: readonly { name: string; query: string }[] };
}

const dashboardDir = join(repoRoot, "deploy/grafana/dashboards");
const dashboards = readdirSync(dashboardDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dashboardDir, file), "utf8")) as Dashboard }));

const provisioned = parse(readFileSync(join(repoRoot, "deploy/grafana/provisioning/datasources/datasources.yaml"), "utf8")) as {
  datasources: { uid: string; type: string }[];
};
const datasourceTypes = new Map(provisioned.datasources.map((d) => [d.uid, d.type]));

/** What is wrong with one dashboard, one line a problem. */
function lint({ uid, title, panels }: Dashboard): string[] {
  const problems: string[] = [];
  if (!/^capstan-[a-z-]+$/.test(uid ?? "")) problems.push(`uid ${uid}: must be a stable capstan-<name>`);
  if (!title) problems.push("no title");
  if (panels.length === 0) problems.push("no panels");
  const ids = new Set<number>();
  for (const p of panels) {
    const at = `panel ${p.id} "${p.title ?? ""}"`;
    if (ids.has(p.id)) problems.push(`${at}: id used twice`);
    ids.add(p.id);
    if (!p.title?.trim()) problems.push(`${at}: no title`);
    if (!p.description?.trim()) problems.push(`${at}: no description`);
    if (!p.datasource?.uid || datasourceTypes.get(p.datasource.uid) !== p.datasource.type) problems.push(`${at}: datasource ${JSON.stringify(p.datasource)} is not a provisioned one`);
    if (!p.fieldConfig?.defaults?.unit) problems.push(`${at}: no unit (fieldConfig.defaults.unit)`);
    if (p.gridPos.x + p.gridPos.w > 24) problems.push(`${at}: wider than the 24-column grid`);
    if (!p.targets?.length) problems.push(`${at}: no queries`);
    for (const t of p.targets ?? []) {
      if (!t.expr?.trim()) problems.push(`${at} query ${t.refId}: no expr`);
      if (t.datasource?.uid !== p.datasource?.uid) problems.push(`${at} query ${t.refId}: datasource differs from its panel's`);
    }
  }
  return problems;
}

/** The values of the dashboards' variables for the test, as Grafana would substitute them. */
const VARIABLES: Record<string, string> = {
  // $__rate_interval is at least four scrapes: the test's Prometheus scrapes every second.
  __rate_interval: "15s",
  controller: "deployment",
};

function substitute(expr: string): string {
  return expr.replace(/\$(\w+)/g, (whole, name: string) => {
    const value = VARIABLES[name];
    if (value === undefined) throw new Error(`no test value for the variable ${whole} in ${expr}`);
    return value;
  });
}

const PROMQL_WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "or", "and", "unless", "bool", "offset", "inf", "nan"]);

/** The metric names one query reads: what is left of it without strings, matchers, ranges, groupings and function names. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
  const names = [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !PROMQL_WORDS.has(n.toLowerCase())))];
}

describe("dashboard JSON", () => {
  it("holds the four dashboards, each with a uid of its own", () => {
    expect(dashboards.map((d) => d.dashboard.uid).sort()).toEqual(["capstan-cluster-overview", "capstan-pod-lifecycle", "capstan-reconciliation", "capstan-scheduling"]);
  });

  it.each(dashboards)("$file: every panel has a provisioned datasource, a title, a description, a unit and queries", ({ dashboard }) => {
    expect(lint(dashboard)).toEqual([]);
  });

  it("picks the Reconciliation dashboard's controller with a variable, and links slow reconciles to their traces in Jaeger", () => {
    const reconciliation = dashboards.find((d) => d.dashboard.uid === "capstan-reconciliation")!.dashboard;
    expect(reconciliation.templating.list.map((v) => [v.name, v.query])).toEqual([["controller", "label_values(capstan_controller_reconcile_duration_count, capstan_controller)"]]);
    for (const p of reconciliation.panels) for (const t of p.targets ?? []) expect(t.expr, p.title).toContain('=~"$controller"');
    const duration = reconciliation.panels.find((p) => p.title === "Reconcile duration")!;
    const link = new URL(duration.fieldConfig!.defaults!.links![0]!.url);
    expect(`${link.origin}${link.pathname}`).toBe("http://localhost:16686/search");
    expect(Object.fromEntries(link.searchParams)).toMatchObject({
      service: "${__field.labels.job}",
      operation: "Controller/Reconcile",
      tags: '{"capstan.controller":"${__field.labels.capstan_controller}"}',
      minDuration: "${__value.raw}s",
    });
    // The labels the link reads are on every series of the panel.
    for (const t of duration.targets!) expect(t.expr).toMatch(/sum by \(job, capstan_controller, le\)/);
  });

  it("describes every dashboard and panel in deploy/grafana/README.md", () => {
    const readme = readFileSync(join(repoRoot, "deploy/grafana/README.md"), "utf8");
    const missing = dashboards.flatMap(({ dashboard }) => [dashboard.title, ...dashboard.panels.map((p) => `**${p.title}**`)].filter((title) => !readme.includes(title)));
    expect(missing).toEqual([]);
  });

  it.each([
    { expr: "max by (k8s_pod_phase) (capstan_pods)", names: ["capstan_pods"] },
    { expr: 'sum(rate(a_total{x!="OK"}[15s])) or sum(rate(b_count[15s])) * 0', names: ["a_total", "b_count"] },
    { expr: "histogram_quantile(0.99, sum by (job, le) (rate(c_bucket{job=~\"x\"}[15s])))", names: ["c_bucket"] },
  ])("reads the metric names of $expr", ({ expr, names }) => {
    expect(metricNames(expr)).toEqual(names);
  });
});

describe("every panel's queries through Prometheus, against a stack at work", () => {
  /** One small simulated node beside the real one: room for one of two 1.5-cpu pods, so the second preempts. */
  const fleet = { nodeGroups: [{ namePrefix: "sim-", count: 1, capacity: { cpu: "2", memory: "4Gi" }, labels: { pool: "sim" } }] };
  const dir = mkdtempSync(join(tmpdir(), "capstan-dashboards-"));
  const fleetSpec = join(dir, "fleet.json");
  let cluster: TestCluster;
  let prometheus: Prometheus | undefined;
  const prometheusLines: string[] = [];

  beforeAll(async () => {
    writeFileSync(fleetSpec, JSON.stringify(fleet));
    cluster = await startTestCluster({ nodes: 1, simulatedNodes: fleetSpec, metrics: true, env: { CAPSTAN_SIMULATED_START_MS: "100" } });
    prometheus = await startPrometheus({
      targets: cluster.metricsTargets(),
      dir: join(dir, "prometheus"),
      port: await freePort(),
      scrapeIntervalSeconds: 1,
      restart: false,
      output: (_, line) => prometheusLines.push(line),
    });
  }, 180_000);

  afterAll(async () => {
    await prometheus?.stop();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function api<T>(path: string, params: Record<string, string | string[]> = {}): Promise<T> {
    const url = new URL(`/api/v1/${path}`, prometheus!.url);
    for (const [key, value] of Object.entries(params)) for (const v of [value].flat()) url.searchParams.append(key, v);
    const response = await fetch(url);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== "success") throw new Error(`Prometheus ${url.pathname}?${url.searchParams}: ${body.error ?? response.status} (its lines: ${prometheusLines.join(" | ")})`);
    return body.data;
  }

  it("scrapes every service the launcher starts, each as job=<service>", async () => {
    const started = stackServiceNames({ natsUrl: cluster.stack.natsUrl, nodes: cluster.nodeNames.map((name) => ({ name, podIPBase: "" })), simulatedNodes: fleetSpec });
    expect([...cluster.stack.services.keys()].sort()).toEqual([...started].sort());
    expect([...cluster.metricsTargets().keys()].sort()).toEqual([...started].sort());
    await eventually(
      async () => {
        const { activeTargets } = await api<{ activeTargets: { labels: { job: string }; health: string }[] }>("targets");
        const up = activeTargets.filter((t) => t.health === "up").map((t) => t.labels.job);
        return up.length === started.length && up.sort();
      },
      { what: "every target up" },
    );
  });

  it("has data for every panel while a Deployment rolls out, a probe fails, a pod finds no node and another preempts", async () => {
    const from = Date.now() / 1000;
    const onNode1 = { nodeSelector: { "kubernetes.io/hostname": "node-1" }, terminationGracePeriodSeconds: 0 };
    const busybox = (name: string, extra: object = {}) => ({ name, image: "busybox", command: ["sleep", "3600"], ...extra });
    const pod = (name: string, spec: object) => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec });
    const manifests = [
      { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "low" }, value: 100 },
      { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "high" }, value: 1000000 },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { ...onNode1, containers: [busybox("c", { readinessProbe: { exec: { command: ["true"] }, periodSeconds: 1 } })] },
          },
        },
      },
      { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } },
      // Restarted again and again by its failing liveness probe.
      pod("liveness-fails", { ...onNode1, containers: [busybox("c", { livenessProbe: { exec: { command: ["false"] }, periodSeconds: 1, failureThreshold: 1 } })] }),
      pod("nowhere", { nodeSelector: { pool: "none" }, containers: [busybox("c")] }),
    ];
    // JSON documents, which are YAML too: kubectl reads them as one YAML stream.
    await cluster.kubectlOk(["apply", "-f", "-"], manifests.map((m) => `---\n${JSON.stringify(m)}\n`).join(""));
    await cluster.kubectlOk(["rollout", "status", "deployment/web", "--timeout=120s"]);
    await cluster.kubectlOk(["set", "image", "deployment/web", "c=busybox:1.36"]);
    await cluster.kubectlOk(["rollout", "status", "deployment/web", "--timeout=120s"]);

    // The Service's name through the cluster DNS, where its kube-dns endpoints say it listens.
    const dns = (await cluster.kubectlOk(["get", "endpoints", "kube-dns", "-n", "kube-system", "-o", "jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}"])).trim();
    const resolver = new Resolver({ timeout: 3000, tries: 1 });
    resolver.setServers([dns]);
    expect(await resolver.resolve4("web.default.svc.cluster.local")).toHaveLength(1);
    // A series appears with its first query, whose increase no rate can see: query until Prometheus saw more.
    await eventually(
      async () => {
        await resolver.resolve4("web.default.svc.cluster.local");
        const { result } = await api<{ result: unknown[] }>("query", { query: "sum(increase(capstan_dns_query_duration_count[15s])) > 0" });
        return result.length > 0;
      },
      { intervalMs: 1000, what: "DNS queries counted by Prometheus" },
    );

    const simPod = (name: string, priorityClassName: string) =>
      pod(name, { nodeSelector: { pool: "sim" }, priorityClassName, containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "1500m" } } }] });
    const nodeOf = (name: string) =>
      eventually(async () => (await cluster.kubectlOk(["get", "pod", name, "-o", "jsonpath={.spec.nodeName}"])).trim() || undefined, { timeoutMs: 60_000, what: `${name} bound` });
    await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify(simPod("filler", "low")));
    expect(await nodeOf("filler")).toBe("sim-1");
    await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify(simPod("important", "high")));
    expect(await nodeOf("important")).toBe("sim-1");
    await eventually(async () => Number(await cluster.kubectlOk(["get", "pod", "liveness-fails", "-o", "jsonpath={.status.containerStatuses[0].restartCount}"])) >= 1, {
      timeoutMs: 60_000,
      what: "liveness-fails restarted",
    });

    const queries = dashboards.flatMap(({ dashboard }) =>
      dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${dashboard.title} / ${p.title} / ${t.refId}`, expr: substitute(t.expr) }))),
    );
    let known = new Set<string>();
    /** The queries with no value over the workload's time, and the metrics they read that Prometheus has never seen. */
    const withoutData = async () => {
      known = new Set(await api<string[]>("label/__name__/values"));
      const empty: string[] = [];
      for (const { where, expr } of queries) {
        const unknown = metricNames(expr).filter((m) => !known.has(m));
        if (unknown.length > 0) {
          empty.push(`${where}: no metric ${unknown.join(", ")}`);
          continue;
        }
        const { result } = await api<{ result: { values: [number, string][] }[] }>("query_range", { query: expr, start: String(from), end: String(Date.now() / 1000), step: "1" });
        if (!result.some((series) => series.values.some(([, v]) => Number.isFinite(Number(v))))) empty.push(`${where}: no data for ${expr}`);
      }
      return empty;
    };
    // Scrapes lag the workload by a second or two. On a timeout the assertion below names every panel still empty.
    let last: string[] = [];
    await eventually(async () => (last = await withoutData()).length === 0, { timeoutMs: 60_000, intervalMs: 1000 }).catch(() => undefined);
    expect(last, `the metrics Prometheus has: ${[...known].join(" ")}`).toEqual([]);
  }, 300_000);
});
