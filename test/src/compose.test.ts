import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LOCAL_NODES, stackServiceNames } from "@capstan/local-stack";
import { repoRoot } from "./support/index.js";

/**
 * docker-compose.yml runs what `pnpm start` runs (the launcher, services/local-stack), plus the
 * infrastructure the launcher embeds or leaves out; Debian's docker-compose validates it (it needs no
 * engine for `config`) and promtool its Prometheus configuration.
 */
const run = promisify(execFile);

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  volumes?: string[];
}

const compose = parse(readFileSync(join(repoRoot, "docker-compose.yml"), "utf8"), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

/** In compose alone, each for a reason. */
const COMPOSE_ONLY: Record<string, string> = {
  postgres: "the launcher's gateway embeds PGlite, or uses DATABASE_URL",
  "otel-collector": "the launcher exports to OTEL_EXPORTER_OTLP_ENDPOINT when one is set",
  jaeger: "likewise",
  grafana: "not a Debian package; the launcher prints where the dashboards are",
};

/** The launcher's services with every part on: the fleet, and prometheus (CAPSTAN_PROMETHEUS=1). */
const launcherServices = [...stackServiceNames({ nodes: LOCAL_NODES, simulatedNodes: "100" }), "prometheus"];
const capstanServices = stackServiceNames({ natsUrl: "external", nodes: LOCAL_NODES, simulatedNodes: "100" });

async function dockerCompose(args: string[]): Promise<string> {
  try {
    return (await run("docker-compose", args, { cwd: repoRoot })).stdout;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new Error("docker-compose is not installed: apt-get install -y docker-compose");
    throw new Error(`docker-compose ${args.join(" ")} failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }
}

describe("docker-compose.yml", () => {
  it("runs the launcher's services, no more and no fewer, beside compose's own infrastructure", () => {
    const inCompose = Object.keys(services).filter((name) => !(name in COMPOSE_ONLY));
    expect(inCompose.sort()).toEqual([...launcherServices].sort());
  });

  it("runs the launcher's node agents with their names and pod address ranges, and the fleet only in the simulated profile", () => {
    for (const node of LOCAL_NODES) {
      expect(services[node.name]?.environment).toMatchObject({ CAPSTAN_NODE_NAME: node.name, CAPSTAN_POD_IP_BASE: node.podIPBase });
    }
    expect(services["simulated-fleet"]?.profiles).toEqual(["simulated"]);
    expect(Object.entries(services).filter(([, s]) => s.profiles).map(([name]) => name)).toEqual(["simulated-fleet"]);
  });

  it("has every Capstan service serve /metrics where deploy/prometheus/prometheus.yml scrapes it, each under its own job", () => {
    const scraped = parse(readFileSync(join(repoRoot, "deploy/prometheus/prometheus.yml"), "utf8")) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = scraped.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets.sort()).toEqual(capstanServices.map((name) => `${name}:9464`).sort());
    for (const name of capstanServices) expect(services[name]?.environment?.["CAPSTAN_METRICS_LISTEN"], name).toBe("0.0.0.0:9464");
  });

  it("health-checks every service but the collector, and starts each after what it depends on", () => {
    const unchecked = Object.entries(services).filter(([, s]) => !s.healthcheck).map(([name]) => name);
    // Its image has neither a shell nor a client to probe itself with.
    expect(unchecked).toEqual(["otel-collector"]);
    for (const [name, s] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        expect(condition, `${name} → ${dependency}`).toBe(services[dependency]!.healthcheck ? "service_healthy" : "service_started");
      }
    }
    // The gateway's clients wait for it, the gateway for NATS and Postgres, Grafana for what it reads.
    for (const name of capstanServices.filter((n) => n !== "api-gateway")) expect(Object.keys(services[name]?.depends_on ?? {}), name).toContain("api-gateway");
    expect(Object.keys(services["api-gateway"]!.depends_on!)).toEqual(expect.arrayContaining(["nats", "postgres"]));
    expect(Object.keys(services["grafana"]!.depends_on!)).toEqual(expect.arrayContaining(["prometheus", "jaeger"]));
  });

  it("gives Grafana the provisioned data sources and dashboards, open to anonymous viewers", () => {
    const grafana = services["grafana"]!;
    expect(grafana.volumes).toEqual(["./deploy/grafana/provisioning:/etc/grafana/provisioning:ro", "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro"]);
    expect(grafana.environment).toMatchObject({ GF_AUTH_ANONYMOUS_ENABLED: "true", GF_AUTH_ANONYMOUS_ORG_ROLE: "Viewer" });
  });

  it("is valid for Debian's docker-compose, with and without the simulated profile", async () => {
    await dockerCompose(["config", "-q"]);
    const withFleet = (await dockerCompose(["--profile", "simulated", "config", "--services"])).trim().split("\n");
    expect(withFleet.sort()).toEqual(Object.keys(services).sort());
  });

  it("gives Prometheus a configuration promtool accepts", async () => {
    const promtool = await run("promtool", ["check", "config", "deploy/prometheus/prometheus.yml"], { cwd: repoRoot }).catch((e: NodeJS.ErrnoException & { stderr?: string }) => {
      throw new Error(e.code === "ENOENT" ? "promtool is not installed: apt-get install -y prometheus" : `promtool: ${e.stderr ?? String(e)}`);
    });
    expect(promtool.stdout).toContain("SUCCESS");
  });
});
