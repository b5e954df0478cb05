/**
 * `pnpm bench discovery`: how fast a pod's readiness reaches the cluster DNS and a watcher of
 * EndpointSlices (what a service proxy sees), with 1,000 headless Services of 10 pods each; then how many
 * DNS queries per second the discovery server answers, beside the same load generator against a UDP echo
 * server (the floor of the machine and of Node's UDP path).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { decode, encode } from "dns-packet";
import { toApiObject, type ApiObject, type Pod } from "@capstan/api";
import { JetStreamBus } from "@capstan/bus";
import { createClient, type CapstanClient, type JsonObject } from "@capstan/client";
import { createInformer } from "@capstan/controller-runtime";
import { natsUrl, startScratchStack } from "../support/scratch-stack.js";
import { measure, percentile, round } from "./stats.js";

const SERVICES = Number(process.env["CAPSTAN_BENCH_SERVICES"] ?? 1000);
const PODS_PER_SERVICE = Number(process.env["CAPSTAN_BENCH_PODS_PER_SERVICE"] ?? 10);
/** Pods flipped to Ready, one by one, at FLIP_RATE per second. */
const FLIPS = Number(process.env["CAPSTAN_BENCH_FLIPS"] ?? 1000);
const FLIP_RATE = Number(process.env["CAPSTAN_BENCH_FLIP_RATE"] ?? 50);
const QPS_SECONDS = 5;
const IN_FLIGHT = 256;
const NODE = "bench-node";

const serviceName = (s: number) => `svc-${s}`;
const podName = (s: number, p: number) => `svc-${s}-pod-${p}`;
const podIP = (i: number) => `10.200.${(i >> 8) & 255}.${i & 255}`;
const fqdn = (s: number) => `${serviceName(s)}.default.svc.cluster.local`;

/** Decoded once: the set-up spends its time on calls, not on building bodies. */
const podTemplate = toApiObject({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "bench", namespace: "default" },
  spec: { nodeName: NODE, containers: [{ name: "app", image: "nginx:1.27", ports: [{ name: "http", containerPort: 80 }] }] },
}).pod!;

function aPod(s: number, p: number): ApiObject {
  return { pod: { ...podTemplate, metadata: { ...podTemplate.metadata!, name: podName(s, p), labels: { app: serviceName(s) } } } };
}

function withStatus(pod: Pod, ip: string, ready: boolean): ApiObject {
  const now = new Date().toISOString();
  return {
    pod: {
      ...pod,
      status: {
        ...pod.status!,
        phase: "Running",
        podIp: ip,
        podIps: [{ ip }],
        hostIp: "127.0.0.1",
        conditions: [{ type: "Ready", status: ready ? "True" : "False", lastProbeTime: "", lastTransitionTime: now, reason: "", message: "" }],
      },
    },
  };
}

/** A DNS client on one UDP socket: many queries in flight, matched to their answers by id. */
class DnsClient {
  private readonly socket: Socket = createSocket("udp4");
  private readonly pending = new Map<number, (answers: string[]) => void>();
  private nextId = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.socket.on("message", (message) => {
      const packet = decode(message);
      const resolve = this.pending.get(packet.id ?? -1);
      if (!resolve) return;
      this.pending.delete(packet.id!);
      resolve((packet.answers ?? []).flatMap((a) => (a.type === "A" ? [a.data] : [])));
    });
  }

  /** The A records of `name`; retried after a second without an answer (UDP may drop). */
  async lookup(name: string): Promise<string[]> {
    for (;;) {
      const id = (this.nextId = (this.nextId + 1) & 0xffff);
      const answer = new Promise<string[] | undefined>((resolve) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          resolve(undefined);
        }, 1000);
        this.pending.set(id, (answers) => {
          clearTimeout(timer);
          resolve(answers);
        });
      });
      this.socket.send(encode({ type: "query", id, flags: 0, questions: [{ type: "A", name }] }), this.port, this.host);
      const answers = await answer;
      if (answers !== undefined) return answers;
    }
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Queries per second a UDP server answers: sockets that each keep their share of IN_FLIGHT queries
 * outstanding for QPS_SECONDS, a query lost after 500 ms replaced by a new one.
 */
async function queriesPerSecond(host: string, port: number, names: readonly string[]): Promise<number> {
  const sockets = 4;
  const queries = names.map((name, i) => encode({ type: "query", id: i & 0xffff, flags: 0, questions: [{ type: "A", name }] }));
  let answered = 0;
  let stopped = false;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: sockets }, async (_, s) => {
      const socket = createSocket("udp4");
      const sentAt = new Map<number, number>();
      let next = s;
      const send = () => {
        const query = queries[next % queries.length]!;
        const id = next & 0xffff;
        next += sockets;
        query.writeUInt16BE(id, 0);
        sentAt.set(id, performance.now());
        socket.send(query, port, host);
      };
      socket.on("message", (message) => {
        if (stopped || !sentAt.delete(message.readUInt16BE(0))) return;
        answered++;
        send();
      });
      await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
      for (let i = 0; i < IN_FLIGHT / sockets; i++) send();
      const refill = setInterval(() => {
        const now = performance.now();
        for (const [id, at] of sentAt) {
          if (now - at < 500) continue;
          sentAt.delete(id);
          send();
        }
      }, 100);
      await new Promise((r) => setTimeout(r, QPS_SECONDS * 1000));
      stopped = true;
      clearInterval(refill);
      socket.close();
    }),
  );
  return answered / ((performance.now() - started) / 1000);
}

/** A trivial UDP echo server in its own process, as the DNS server is. */
async function startEchoServer(): Promise<{ port: number; process: ChildProcess }> {
  const script = `const s=require("dgram").createSocket("udp4");s.on("message",(m,r)=>s.send(m,r.port,r.address));s.bind(0,"127.0.0.1",()=>console.log(s.address().port));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
  return { port, process: child };
}

export async function benchDiscovery(log: (line: string) => void): Promise<Record<string, number>> {
  const scratch = await startScratchStack("bench", {
    scheduler: false,
    controllers: false,
    env: { CAPSTAN_DNS_LISTEN: "127.0.0.1:0" },
    output: (service, line) => process.env["CAPSTAN_BENCH_LOGS"] && log(`${service}| ${line}`),
  });
  const { stack, prefix } = scratch;
  const clients: CapstanClient[] = Array.from({ length: 8 }, () => createClient({ address: stack.gateway, actor: "bench" }));
  const client = clients[0]!;
  const bus = await JetStreamBus.connect({ url: natsUrl, prefix, name: "bench" });
  const slices = createInformer({ client, bus, kind: "EndpointSlice", log });
  const echo = await startEchoServer();
  let dnsClient: DnsClient | undefined;
  try {
    const kubeDns = (await client.get({ kind: "Endpoints", namespace: "kube-system", name: "kube-dns" })).endpoints!;
    const dns = { host: kubeDns.subsets[0]!.addresses[0]!.ip, port: kubeDns.subsets[0]!.ports[0]!.port };
    log(`discovery DNS on ${dns.host}:${dns.port}`);

    const setupStarted = performance.now();
    await client.create(toApiObject({ apiVersion: "v1", kind: "Node", metadata: { name: NODE } }));
    await measure(SERVICES, 32, (s) =>
      clients[s % clients.length]!.create(
        toApiObject({
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: serviceName(s), namespace: "default" },
          spec: { clusterIP: "None", selector: { app: serviceName(s) }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
        }),
      ),
    );
    log(`set-up: ${SERVICES} headless Services in ${round((performance.now() - setupStarted) / 1000)} s`);
    const total = SERVICES * PODS_PER_SERVICE;
    const pods: Pod[] = new Array(total);
    let created = 0;
    const progress = setInterval(() => log(`set-up: ${created}/${total} pods created and running (not ready)`), 5000);
    try {
      await measure(total, 64, async (i) => {
        const s = i % SERVICES;
        const c = clients[i % clients.length]!;
        const pod = (await c.create(aPod(s, Math.floor(i / SERVICES)))).pod!;
        pods[i] = (await c.updateStatus(withStatus(pod, podIP(i), false))).pod!;
        created++;
      });
    } finally {
      clearInterval(progress);
    }
    log(`set-up: ${total} pods (created, then Running and not ready by UpdateStatus) in ${round((performance.now() - setupStarted) / 1000)} s`);

    // What a proxy sees: the time each endpoint first shows up ready in a slice.
    const readySeen = new Map<string, number>();
    const notReadyEndpoints = () => {
      let count = 0;
      for (const slice of slices.list("default")) for (const e of (slice["endpoints"] ?? []) as JsonObject[]) if ((e["conditions"] as JsonObject | undefined)?.["ready"] === false) count++;
      return count;
    };
    const noteReady = (slice: JsonObject) => {
      const now = performance.now();
      for (const e of (slice["endpoints"] ?? []) as { addresses: string[]; conditions?: { ready?: boolean } }[]) {
        const ip = e.addresses[0]!;
        if (e.conditions?.ready !== false && !readySeen.has(ip)) readySeen.set(ip, now);
      }
    };
    slices.addEventHandler({ onAdd: noteReady, onUpdate: (_old, obj) => noteReady(obj) });
    await slices.start().synced;
    const settleStarted = performance.now();
    for (;;) {
      const seen = notReadyEndpoints();
      if (seen === total) break;
      if (performance.now() - settleStarted > 600_000) throw new Error(`discovery did not list the ${total} pods in 10 minutes (${seen} so far)`);
      log(`set-up: ${seen}/${total} not-ready endpoints in EndpointSlices`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    log(`set-up: discovery lists all ${total} endpoints, ${round((performance.now() - setupStarted) / 1000)} s after the first write`);

    dnsClient = new DnsClient(dns.host, dns.port);
    const dnsLatencies: number[] = [];
    const sliceLatencies: number[] = [];
    // The write itself, for scale: the pipeline behind it is a watch, a reconcile, a write and a watch.
    const writeLatencies: number[] = [];
    const flips = Math.min(FLIPS, total);
    log(`flipping ${flips} pods Ready, one by one, ${FLIP_RATE}/s; measuring UpdateStatus returned → DNS answer and → EndpointSlice watch`);
    const waits: Promise<void>[] = [];
    const flipStarted = performance.now();
    for (let k = 0; k < flips; k++) {
      const due = flipStarted + (k * 1000) / FLIP_RATE;
      const delay = due - performance.now();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      // Pod i belongs to Service i % SERVICES, so consecutive flips change different Services.
      const i = k;
      const s = i % SERVICES;
      const ip = podIP(i);
      const sent = performance.now();
      const flipped = clients[k % clients.length]!.updateStatus(withStatus(pods[i]!, ip, true));
      waits.push(
        flipped.then(async () => {
          const returned = performance.now();
          writeLatencies.push(returned - sent);
          const untilSlice = async () => {
            while (!readySeen.has(ip)) await new Promise((r) => setTimeout(r, 1));
            sliceLatencies.push(Math.max(0, readySeen.get(ip)! - returned));
          };
          const untilDns = async () => {
            while (!(await dnsClient!.lookup(fqdn(s))).includes(ip));
            dnsLatencies.push(performance.now() - returned);
          };
          await Promise.all([untilSlice(), untilDns()]);
        }),
      );
      if ((k + 1) % 200 === 0) log(`  ${k + 1}/${flips} flipped; so far DNS p50 ${round(percentile([...dnsLatencies].sort((a, b) => a - b), 50))} ms`);
    }
    await Promise.all(waits);
    dnsLatencies.sort((a, b) => a - b);
    sliceLatencies.sort((a, b) => a - b);
    writeLatencies.sort((a, b) => a - b);
    log(`UpdateStatus itself:               p50 ${round(percentile(writeLatencies, 50))} ms, p99 ${round(percentile(writeLatencies, 99))} ms`);
    log(`pod Ready → DNS answers it:        p50 ${round(percentile(dnsLatencies, 50))} ms, p99 ${round(percentile(dnsLatencies, 99))} ms`);
    log(`pod Ready → EndpointSlice watcher: p50 ${round(percentile(sliceLatencies, 50))} ms, p99 ${round(percentile(sliceLatencies, 99))} ms`);

    log(`DNS load: ${IN_FLIGHT} queries in flight for ${QPS_SECONDS} s over 4 UDP sockets, A of the headless Services (10 answers each)`);
    const names = Array.from({ length: SERVICES }, (_, s) => fqdn(s));
    const dnsQps = await queriesPerSecond(dns.host, dns.port, names);
    log(`  discovery DNS: ${Math.round(dnsQps)} queries/s`);
    const echoQps = await queriesPerSecond("127.0.0.1", echo.port, names);
    log(`  UDP echo:      ${Math.round(echoQps)} queries/s`);
    return {
      dns_ready_p50_ms: round(percentile(dnsLatencies, 50)),
      dns_ready_p99_ms: round(percentile(dnsLatencies, 99)),
      slice_ready_p50_ms: round(percentile(sliceLatencies, 50)),
      slice_ready_p99_ms: round(percentile(sliceLatencies, 99)),
      dns_qps: Math.round(dnsQps),
      echo_qps: Math.round(echoQps),
    };
  } finally {
    dnsClient?.close();
    echo.process.kill();
    await slices.stop();
    await bus.close();
    for (const c of clients) c.close();
    await scratch.stop();
  }
}
