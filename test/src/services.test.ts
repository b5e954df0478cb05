import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCIDR, parseIPv4, toApiObject, type Pod } from "@capstan/api";
import { eventually, examplesDir, startTestCluster, type TestCluster } from "./support/index.js";

let cluster: TestCluster;
let aliasDir: string;

beforeAll(async () => {
  // shared/examples' `my-image` is agnhost serve-hostname on the containerPort (8080); `my-image-v2` the same, for a rollout.
  aliasDir = mkdtempSync(join(tmpdir(), "capstan-images-"));
  const serveHostname = { image: "agnhost", args: ["serve-hostname", "--port", "8080"] };
  writeFileSync(join(aliasDir, "images.json"), JSON.stringify({ "my-image": serveHostname, "my-image-v2": serveHostname }));
  cluster = await startTestCluster({ nodes: 2, env: { CAPSTAN_IMAGE_CATALOG: join(aliasDir, "images.json") } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(aliasDir, { recursive: true, force: true });
});

interface Answer {
  readonly ok: boolean;
  readonly body: string;
  /** When the answer arrived (ms since epoch). */
  readonly at: number;
}

/** One HTTP GET on a fresh connection, as a client that does not keep connections alive. */
function get(host: string, port: number, path = "/"): Promise<Answer> {
  return new Promise((resolve) => {
    const r = request({ host, port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ ok: res.statusCode === 200, body: body.trim(), at: Date.now() }));
      res.on("error", (e) => resolve({ ok: false, body: String(e), at: Date.now() }));
    });
    r.on("timeout", () => r.destroy(new Error("timed out")));
    r.on("error", (e) => resolve({ ok: false, body: String(e), at: Date.now() }));
    r.end();
  });
}

/** Requests one after another (on `parallel` loops) until stopped; every answer is kept. */
function keepAsking(host: string, port: number, path = "/", parallel = 2): { answers: Answer[]; stop: () => Promise<void> } {
  const answers: Answer[] = [];
  let running = true;
  const loops = Array.from({ length: parallel }, async () => {
    while (running) answers.push(await get(host, port, path));
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

const live = (p: Pod) => !p.metadata!.deletionTimestamp;
const isReady = (p: Pod) => p.status?.conditions.some((c) => c.type === "Ready" && c.status === "True") ?? false;

async function podsOf(label: string): Promise<Pod[]> {
  return (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: label })).items.map((o) => o.pod!);
}

async function clusterIPOf(name: string): Promise<string> {
  return (await cluster.client.get({ kind: "Service", namespace: "default", name })).service!.spec!.clusterIp;
}

/** Ready addresses in the service's EndpointSlices. */
async function readyEndpoints(service: string): Promise<string[]> {
  const slices = await cluster.client.list({ kind: "EndpointSlice", namespace: "default", labelSelector: `kubernetes.io/service-name=${service}` });
  return slices.items.flatMap((o) => o.endpointSlice!.endpoints.filter((e) => e.conditions?.ready).flatMap((e) => e.addresses));
}

async function readyPods(label: string, count: number, what: string): Promise<Pod[]> {
  return eventually(
    async () => {
      const pods = (await podsOf(label)).filter(live);
      if (pods.length !== count || !pods.every(isReady)) throw new Error(`${pods.length} pods, ${pods.filter(isReady).length} ready`);
      return pods;
    },
    { timeoutMs: 90_000, what },
  );
}

async function apply(manifest: object): Promise<{ code: number; stdout: string; stderr: string }> {
  return cluster.capctl(["apply", "-f", "-"], JSON.stringify(manifest));
}

describe("Services", () => {
  it("spreads 300 requests to my-service's cluster IP over the three pods of my-deployment", async () => {
    for (const file of ["deployment.yaml", "service.yaml"]) {
      const r = await cluster.capctl(["apply", "-f", join(examplesDir, file)]);
      expect(r.stderr).toBe("");
    }
    const pods = await readyPods("app=my-app", 3, "3 ready pods of my-deployment");
    const names = pods.map((p) => p.metadata!.name).sort();
    const clusterIP = await clusterIPOf("my-service");
    const range = parseCIDR(cluster.serviceCIDR);
    const offset = parseIPv4(clusterIP)! - range.base;
    expect(offset > 0 && offset < range.count, `${clusterIP} in ${cluster.serviceCIDR}`).toBe(true);
    await eventually(async () => (await readyEndpoints("my-service")).length === 3, { timeoutMs: 30_000, what: "3 ready endpoints" });
    // Without a readiness probe a pod is Ready once started, maybe before its server listens: wait for that.
    for (const p of pods) {
      await eventually(async () => (await get(p.status!.podIp, 8080)).ok, { timeoutMs: 30_000, what: `${p.metadata!.name} to answer` });
    }

    const answers: Answer[] = [];
    for (let i = 0; i < 30; i++) answers.push(...(await Promise.all(Array.from({ length: 10 }, () => get(clusterIP, 80)))));
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    const counts = new Map<string, number>();
    for (const a of answers) counts.set(a.body, (counts.get(a.body) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(names);
    // Round robin: each pod gets about a third.
    for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(80);
  });

  it("answers on every node's own address at the node port, and refuses a second service asking for the same node port", async () => {
    const nodes = await Promise.all(cluster.nodeNames.map(async (name) => (await cluster.client.get({ kind: "Node", namespace: "", name })).node!));
    const addresses = nodes.map((n) => n.status!.addresses.find((a) => a.type === "InternalIP")!.address);
    expect(new Set(addresses).size).toBe(nodes.length);
    expect(addresses).not.toContain("127.0.0.1");

    const nodePort = 30_000 + Math.floor(Math.random() * 2700);
    const service = (name: string) => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name },
      spec: { type: "NodePort", selector: { app: "my-app" }, ports: [{ port: 80, targetPort: 8080, nodePort }] },
    });
    const first = await apply(service("my-nodeport"));
    expect(first.stderr).toBe("");
    await eventually(async () => (await readyEndpoints("my-nodeport")).length === 3, { timeoutMs: 30_000, what: "3 ready endpoints" });
    for (const address of addresses) {
      const a = await eventually(async () => {
        const answer = await get(address, nodePort);
        return answer.ok ? answer : undefined;
      }, { timeoutMs: 10_000, what: `an answer on ${address}:${nodePort}` });
      expect(a.body).toMatch(/^my-deployment-/);
    }

    const second = await apply(service("my-other-nodeport"));
    expect(second.code).not.toBe(0);
    expect(second.stderr.trim()).toBe(
      `Error from server (Invalid): Service "my-other-nodeport" is invalid: spec.ports[0].nodePort: Invalid value ${nodePort}: provided port is already allocated`,
    );
  });

  it("stops sending requests to a pod within a second of its Ready=false", async () => {
    await apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "netexec" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "netexec" } },
        template: {
          metadata: { labels: { app: "netexec" } },
          spec: {
            containers: [
              {
                name: "netexec",
                image: "agnhost",
                args: ["netexec", "--http-port", "8080", "--udp-port", "-1"],
                readinessProbe: { httpGet: { path: "/readyz", port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
              },
            ],
          },
        },
      },
    });
    await apply({ apiVersion: "v1", kind: "Service", metadata: { name: "netexec" }, spec: { selector: { app: "netexec" }, ports: [{ port: 80, targetPort: 8080 }] } });
    const pods = await readyPods("app=netexec", 3, "3 ready netexec pods");
    await eventually(async () => (await readyEndpoints("netexec")).length === 3, { timeoutMs: 30_000, what: "3 ready endpoints" });
    const clusterIP = await clusterIPOf("netexec");
    const victim = pods[0]!;
    const name = victim.metadata!.name;

    const load = keepAsking(clusterIP, 80, "/hostname");
    await eventually(() => load.answers.some((a) => a.body === name), { timeoutMs: 10_000, what: `an answer from ${name}` });
    const flipped = await new Promise<number>((resolve, reject) => {
      const r = request({ host: victim.status!.podIp, port: 8080, path: "/readyz/fail", method: "POST", agent: false }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve(Date.now()) : reject(new Error(`readyz/fail: ${res.statusCode}`))));
      });
      r.on("error", reject);
      r.end();
    });
    // When the API first says Ready=false, to within the polling interval.
    const notReadyAt = await eventually(
      async () => {
        const p = (await cluster.client.get({ kind: "Pod", namespace: "default", name })).pod!;
        return isReady(p) ? undefined : Date.now();
      },
      { timeoutMs: 15_000, intervalMs: 20, what: `${name} to turn not ready` },
    );
    // Keep asking well past the deadline, so a late answer from the victim would be seen.
    await new Promise((r) => setTimeout(r, 3000));
    await load.stop();
    expect(load.answers.filter((a) => !a.ok)).toEqual([]);
    const fromVictim = load.answers.filter((a) => a.body === name);
    const lastFromVictim = Math.max(...fromVictim.map((a) => a.at));
    const after = load.answers.filter((a) => a.at > notReadyAt);
    console.log(
      `readiness: probe flipped → Ready=false seen ${notReadyAt - flipped} ms; last answer from the pod ${lastFromVictim - notReadyAt} ms after Ready=false; ${after.length} answers after it`,
    );
    expect(lastFromVictim - notReadyAt).toBeLessThan(1000);
    const late = load.answers.filter((a) => a.at > notReadyAt + 1000);
    expect(new Set(late.map((a) => a.body))).toEqual(new Set(pods.slice(1).map((p) => p.metadata!.name)));
  });

  it("loses no request while my-deployment rolls to a new image behind my-service", async () => {
    const clusterIP = await clusterIPOf("my-service");
    const before = new Set((await readyPods("app=my-app", 3, "3 ready pods of my-deployment")).map((p) => p.metadata!.name));
    const load = keepAsking(clusterIP, 80);
    await eventually(() => load.answers.length > 20, { timeoutMs: 10_000, what: "requests flowing" });
    const r = await cluster.capctl(["set", "image", "deployment/my-deployment", "my-container=my-image-v2"]);
    expect(r.stderr).toBe("");
    const after = await eventually(
      async () => {
        const pods = (await podsOf("app=my-app")).filter((p) => !before.has(p.metadata!.name));
        const all = await podsOf("app=my-app");
        if (pods.length !== 3 || !pods.every(isReady) || all.length !== 3) throw new Error(`${pods.length} new pods, ${all.length} in all`);
        return new Set(pods.map((p) => p.metadata!.name));
      },
      { timeoutMs: 120_000, what: "the rollout to finish" },
    );
    await eventually(() => load.answers.slice(-10).every((a) => after.has(a.body)), { timeoutMs: 10_000, what: "answers from the new pods only" });
    await load.stop();
    const failed = load.answers.filter((a) => !a.ok);
    console.log(`rolling update: ${load.answers.length} requests, ${failed.length} failed`);
    expect(failed).toEqual([]);
    expect(load.answers.some((a) => before.has(a.body))).toBe(true);
  });

  it("keeps a cluster IP answering when the node agent serving it dies: another agent on the host takes it over", async () => {
    const clusterIP = await clusterIPOf("my-service");
    const holder = cluster.nodeNames.find((n) => cluster.logs().includes(`${n}| proxy: listening on TCP ${clusterIP}:80 `));
    expect(holder, cluster.logs()).toBeDefined();
    expect((await get(clusterIP, 80)).ok).toBe(true);
    await cluster.stack.service(holder!).crash();
    const crashed = Date.now();
    await eventually(async () => (await get(clusterIP, 80)).ok, { timeoutMs: 15_000, intervalMs: 50, what: "the cluster IP to answer again" });
    console.log(`takeover: ${clusterIP}:80 answered again ${Date.now() - crashed} ms after ${holder} was killed`);
    expect(Date.now() - crashed).toBeLessThan(5000);
    cluster.stack.service(holder!).start();
    await cluster.stack.service(holder!).ready();
  });
});
