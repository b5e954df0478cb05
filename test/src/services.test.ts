import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCIDR, parseIPv4, toApiObject, type Endpoint, type Pod } from "@capstan/api";
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

/** One HTTP GET on a fresh connection, as a client that does not keep connections alive (or through `agent`). */
function get(host: string, port: number, path = "/", agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve) => {
    const r = request({ host, port, path, agent, timeout: 10_000 }, (res) => {
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

/**
 * One HTTP GET from a client that connects first and sends its request `delayMs` later (a slow
 * client, or a connection a pool opened ahead of its request).
 */
function slowGet(host: string, port: number, delayMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    let text = "";
    const socket = connect({ host, port });
    const done = (ok: boolean, body: string) => resolve({ ok, body, at: Date.now() });
    socket.setTimeout(10_000, () => socket.destroy(new Error("timed out")));
    socket.on("connect", () => setTimeout(() => socket.write("GET / HTTP/1.1\r\nHost: service\r\nConnection: close\r\n\r\n"), delayMs));
    socket.on("data", (d: Buffer) => (text += d.toString()));
    socket.on("end", () => done(text.startsWith("HTTP/1.1 200 "), text.slice(text.indexOf("\r\n\r\n") + 4).trim() || `no answer: ${JSON.stringify(text)}`));
    socket.on("error", (e) => done(false, String(e)));
  });
}

/** Requests one after another (on `parallel` loops, each with `ask`) until stopped; every answer is kept. */
function keepAsking(host: string, port: number, path = "/", parallel = 2, ask: () => Promise<Answer> = () => get(host, port, path)): { answers: Answer[]; stop: () => Promise<void> } {
  const answers: Answer[] = [];
  let running = true;
  const loops = Array.from({ length: parallel }, async () => {
    while (running) answers.push(await ask());
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

/** The endpoints in the service's EndpointSlices. */
async function endpointsOf(service: string): Promise<Endpoint[]> {
  const slices = await cluster.client.list({ kind: "EndpointSlice", namespace: "default", labelSelector: `kubernetes.io/service-name=${service}` });
  return slices.items.flatMap((o) => o.endpointSlice!.endpoints);
}

/** Ready addresses in the service's EndpointSlices. */
async function readyEndpoints(service: string): Promise<string[]> {
  return (await endpointsOf(service)).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses);
}

/** The endpoint of the pod named `name` in the service's EndpointSlices, if it is listed. */
async function endpointOfPod(service: string, name: string): Promise<Endpoint | undefined> {
  return (await endpointsOf(service)).find((e) => e.targetRef?.name === name);
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
      `Error from server (Invalid): error when applying "stdin": Service "my-other-nodeport" is invalid: spec.ports[0].nodePort: Invalid value ${nodePort}: provided port is already allocated`,
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
    // The proxies learn the new Service's endpoints from their own watch, after the API lists them: the
    // failures counted are those after the cluster IP first answered (a fresh Service refuses until then).
    await eventually(async () => ((await get(clusterIP, 80, "/hostname")).ok ? true : undefined), { timeoutMs: 10_000, what: `an answer on ${clusterIP}:80` });

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

  it("loses no request while the pods behind a Service are deleted one by one, with fresh, keep-alive and slow clients", async () => {
    await apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "drain" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "drain" } },
        template: { metadata: { labels: { app: "drain" } }, spec: { containers: [{ name: "web", image: "agnhost", args: ["serve-hostname", "--port", "8080"] }] } },
      },
    });
    await apply({ apiVersion: "v1", kind: "Service", metadata: { name: "drain" }, spec: { selector: { app: "drain" }, ports: [{ port: 80, targetPort: 8080 }] } });
    let pods = await readyPods("app=drain", 3, "3 ready drain pods");
    await eventually(async () => (await readyEndpoints("drain")).length === 3, { timeoutMs: 30_000, what: "3 ready endpoints" });
    const clusterIP = await clusterIPOf("drain");
    for (const p of pods) await eventually(async () => (await get(p.status!.podIp, 8080)).ok, { timeoutMs: 30_000, what: `${p.metadata!.name} to answer` });

    // A connection pinned to a terminating pod (keep-alive), one made just before its endpoint went
    // (slow), and new ones while it goes (fresh): each must be answered.
    const keepAlive = Array.from({ length: 2 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    const fresh = keepAsking(clusterIP, 80, "/", 4);
    const kept = keepAlive.map((agent) => keepAsking(clusterIP, 80, "/", 1, () => get(clusterIP, 80, "/", agent)));
    const slow = keepAsking(clusterIP, 80, "/", 3, () => slowGet(clusterIP, 80, 100));
    const loads = [fresh, ...kept, slow];
    const deleted: string[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        // The pod a keep-alive client is connected to, in turn: it must move on without losing a request.
        const client = kept[i % kept.length]!;
        const victim = await eventually(() => pods.find((p) => p.metadata!.name === client.answers.at(-1)?.body)?.metadata!.name, {
          timeoutMs: 10_000,
          what: "a keep-alive client's answer from a live pod",
        });
        deleted.push(victim);
        await cluster.client.delete({ kind: "Pod", namespace: "default", name: victim });
        pods = await eventually(
          async () => {
            const all = await podsOf("app=drain");
            if (all.some((p) => deleted.includes(p.metadata!.name)) || all.length !== 3 || !all.every(isReady)) throw new Error(`${all.length} pods, ${all.filter(isReady).length} ready`);
            return all;
          },
          { timeoutMs: 60_000, what: `${victim} gone and a ready replacement` },
        );
        await eventually(async () => (await readyEndpoints("drain")).length === 3, { timeoutMs: 30_000, what: "3 ready endpoints" });
      }
    } finally {
      await Promise.all(loads.map((l) => l.stop()));
      for (const agent of keepAlive) agent.destroy();
    }
    const kinds = [{ kind: "fresh", load: fresh }, ...kept.map((load) => ({ kind: "keep-alive", load })), { kind: "slow", load: slow }];
    const failed = kinds.flatMap(({ kind, load }) => load.answers.filter((a) => !a.ok).map((a) => `${kind}: ${a.body}`));
    const count = (l: { answers: Answer[] }) => l.answers.length;
    console.log(
      `pod deletions: ${loads.map(count).reduce((a, b) => a + b)} requests (${count(fresh)} fresh, ${kept.map(count).join(" + ")} keep-alive, ${count(slow)} slow), ${failed.length} failed`,
    );
    expect(failed).toEqual([]);
    // Every kind of client was answered by pods that were deleted under it.
    for (const l of loads) expect(l.answers.some((a) => deleted.includes(a.body))).toBe(true);
  });

  it("marks a deleted pod's endpoint terminating in its EndpointSlice before the pod gets SIGTERM; a pod no Service selects stops at once", async () => {
    // netexec's /readyz answers 503 from its SIGTERM on, and --delay-shutdown keeps it answering a while.
    const netexec = { name: "netexec", image: "agnhost", args: ["netexec", "--http-port", "8080", "--udp-port", "-1", "--delay-shutdown", "5"] };
    await apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "ordered" },
      spec: { replicas: 2, selector: { matchLabels: { app: "ordered" } }, template: { metadata: { labels: { app: "ordered" } }, spec: { containers: [netexec] } } },
    });
    await apply({ apiVersion: "v1", kind: "Service", metadata: { name: "ordered" }, spec: { selector: { app: "ordered" }, ports: [{ port: 80, targetPort: 8080 }] } });
    await apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "unselected", labels: { app: "unselected" } }, spec: { containers: [netexec] } });
    const [victim] = await readyPods("app=ordered", 2, "2 ready ordered pods");
    const [unselected] = await readyPods("app=unselected", 1, "the unselected pod ready");
    const name = victim!.metadata!.name;
    await eventually(async () => (await readyEndpoints("ordered")).length === 2, { timeoutMs: 30_000, what: "2 ready endpoints" });
    const sigtermed = async (p: Pod) => (await get(p.status!.podIp, 8080, "/readyz")).body === "shutting down";
    for (const p of [victim!, unselected!]) await eventually(async () => (await get(p.status!.podIp, 8080, "/readyz")).ok, { timeoutMs: 30_000, what: `${p.metadata!.name} to answer` });

    // With the endpoints controller stopped, nothing marks the endpoint terminating: the agent must hold SIGTERM back.
    const discovery = cluster.stack.service("discovery");
    process.kill(discovery.pid!, "SIGSTOP");
    let resumedAt: number;
    try {
      const deletedAt = Date.now();
      await cluster.client.delete({ kind: "Pod", namespace: "default", name });
      await cluster.client.delete({ kind: "Pod", namespace: "default", name: "unselected" });
      const unselectedStoppedAt = await eventually(async () => (await sigtermed(unselected!)) && Date.now(), { timeoutMs: 3000, intervalMs: 20, what: "SIGTERM to the unselected pod" });
      while (Date.now() < deletedAt + 1000) {
        expect(await sigtermed(victim!), `${name} got SIGTERM while its EndpointSlice still listed it as ready`).toBe(false);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await endpointOfPod("ordered", name))?.conditions).toMatchObject({ ready: true });
      console.log(`terminating endpoint: the unselected pod got SIGTERM ${unselectedStoppedAt - deletedAt} ms after its deletion`);
    } finally {
      process.kill(discovery.pid!, "SIGCONT");
      resumedAt = Date.now();
    }
    const terminatingAt = await eventually(
      async () => {
        const c = (await endpointOfPod("ordered", name))?.conditions;
        return c?.ready === false && c.terminating === true && Date.now();
      },
      { timeoutMs: 5000, intervalMs: 20, what: `${name} marked terminating in its EndpointSlice` },
    );
    const stoppedAt = await eventually(async () => (await sigtermed(victim!)) && Date.now(), { timeoutMs: 5000, intervalMs: 20, what: `SIGTERM to ${name}` });
    console.log(`terminating endpoint: marked terminating ${terminatingAt - resumedAt} ms and SIGTERM seen ${stoppedAt - resumedAt} ms after the endpoints controller resumed`);
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
