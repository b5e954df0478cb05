import { randomBytes } from "node:crypto";
import { headers, connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { toApiObject, type ApiObject } from "@capstan/api";
import { createClient, type CapstanClient } from "@capstan/client";
import { benchRawInserts } from "@capstan/eventstore";
import { natsUrl, startScratchStack } from "../support/scratch-stack.js";
import { measure, round } from "./stats.js";

/** Raw JetStream: 1 KB messages, 500 in flight, the same pipelining the outbox relay uses. */
async function rawJetStreamPublishes(total: number): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  const jsm = await jetstreamManager(nc);
  const stream = `BENCH_${randomBytes(4).toString("hex")}`;
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  const js = jetstream(nc);
  const payload = randomBytes(512).toString("hex");
  const started = performance.now();
  for (let sent = 0; sent < total; sent += 500) {
    const acks = [];
    for (let i = sent; i < Math.min(total, sent + 500); i++) {
      acks.push(js.publish(`${stream}.x`, payload, { expect: { lastSequence: i }, msgID: String(i + 1), headers: headers() }));
    }
    await Promise.all(acks);
  }
  const perSecond = total / ((performance.now() - started) / 1000);
  await jsm.streams.delete(stream);
  await nc.close();
  return perSecond;
}

/** Decoded once: the load generator should spend its CPU on calls, not on building their bodies. */
const podTemplate = toApiObject({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "bench", labels: { app: "bench" } },
  spec: {
    containers: [
      {
        name: "app",
        image: "nginx:1.27",
        ports: [{ containerPort: 80 }],
        resources: { requests: { cpu: "10m", memory: "16Mi" } },
        env: [{ name: "PAYLOAD", value: "x".repeat(400) }],
      },
    ],
  },
});

function pod(run: string, i: number): ApiObject {
  const template = podTemplate.pod!;
  return { pod: { ...template, metadata: { ...template.metadata!, name: `bench-${run}-${i}`, labels: { app: "bench", run } } } };
}

export async function benchApi(log: (line: string) => void): Promise<Record<string, number>> {
  const scratch = await startScratchStack("bench", {
    scheduler: false,
    controllers: false,
    output: (service, line) => process.env["CAPSTAN_BENCH_LOGS"] && log(`${service}| ${line}`),
  });
  const { stack } = scratch;
  // Several channels, as several client processes would have; calls spread round-robin.
  const clients: CapstanClient[] = Array.from({ length: 8 }, () => createClient({ address: stack.gateway, actor: "bench" }));
  const results: Record<string, number> = {};
  try {
    log("raw baselines (same machine, same run):");
    const rawPg = await benchRawInserts(scratch.databaseUrl, 20_000, 64);
    const rawJs = await rawJetStreamPublishes(30_000);
    log(`  postgres single-row INSERT, 64 connections: ${Math.round(rawPg)}/s`);
    log(`  jetstream publish 1 KB, 500 in flight:     ${Math.round(rawJs)}/s`);
    results["raw_pg_inserts_per_s"] = Math.round(rawPg);
    results["raw_js_publishes_per_s"] = Math.round(rawJs);
    await clients[0]!.list({ kind: "Pod" });
    log("gateway Create (Pod, ~1 KB), each call returns after its own commit:");
    log("  clients   creates/s   p50 ms   p99 ms");
    for (const [concurrency, total] of [[1, 1500], [16, 8000], [256, 30000]] as const) {
      const run = `c${concurrency}`;
      const r = await measure(total, concurrency, (i) => clients[i % clients.length]!.create(pod(run, i)));
      log(`  ${String(concurrency).padEnd(9)} ${String(Math.round(r.perSecond)).padEnd(11)} ${String(round(r.p50)).padEnd(8)} ${round(r.p99)}`);
      results[`creates_per_s_${concurrency}`] = Math.round(r.perSecond);
      results[`p50_ms_${concurrency}`] = round(r.p50);
      results[`p99_ms_${concurrency}`] = round(r.p99);
    }
  } finally {
    for (const c of clients) c.close();
    await scratch.stop();
  }
  return results;
}
