import { randomBytes, randomUUID } from "node:crypto";
import postgres from "postgres";
import type { EventStore } from "./event-store.js";
import type { Mutation } from "./mutation.js";
import type { JsonObject } from "./stored-event.js";

export interface AppendBenchResult {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Postgres allows 100 connections by default; the raw-insert baseline stays well below that. */
const MAX_RAW_CONNECTIONS = 64;

/** `total` creates of ~1 KB pods, `concurrency` callers each awaiting its own append before the next. */
export async function benchAppends(store: EventStore, opts: { concurrency: number; total: number }): Promise<AppendBenchResult> {
  const run = randomBytes(4).toString("hex");
  const latencies = new Float64Array(opts.total);
  let next = 0;
  const caller = async (): Promise<void> => {
    for (let i = next++; i < opts.total; i = next++) {
      const started = performance.now();
      await store.append(createPod(`bench-${run}`, `pod-${i}`));
      latencies[i] = performance.now() - started;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, caller));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  return { perSecond: opts.total / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
}

/** The baseline group commit must beat: one autocommitted single-row INSERT per call, same payload and concurrency. */
export async function benchRawInserts(databaseUrl: string, total: number, concurrency: number): Promise<number> {
  const sql = postgres(databaseUrl, { max: Math.min(concurrency, MAX_RAW_CONNECTIONS), onnotice: () => {} });
  const table = `bench_raw_inserts_${randomBytes(4).toString("hex")}`;
  const payload = JSON.stringify(podObject("bench", "pod"));
  try {
    await sql`create table ${sql(table)} (id bigserial primary key, object jsonb not null)`;
    let next = 0;
    const caller = async (): Promise<void> => {
      while (next++ < total) await sql`insert into ${sql(table)} (object) values (${payload}::jsonb)`;
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, caller));
    return total / ((performance.now() - started) / 1000);
  } finally {
    await sql`drop table if exists ${sql(table)}`;
    await sql.end();
  }
}

function createPod(namespace: string, name: string): Mutation {
  return {
    key: { kind: "Pod", namespace, name },
    actor: "bench",
    decide: (current) => (current ? { error: new Error(`${name} exists`) } : { type: "ADDED", object: podObject(namespace, name) }),
  };
}

/** About 1 KB of JSON, the event size the design's throughput figures assume. */
function podObject(namespace: string, name: string): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      uid: randomUUID(),
      labels: { app: "bench", "pod-template-hash": "5d8f7c9b6d" },
      annotations: { "capstan.io/bench": "x".repeat(400) },
      creationTimestamp: new Date().toISOString(),
    },
    spec: {
      containers: [
        {
          name: "app",
          image: "registry.local/bench/app:1.0.0",
          args: ["--listen=:8080", "--log-level=info"],
          ports: [{ containerPort: 8080, protocol: "TCP" }],
          resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
        },
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
    },
    status: { phase: "Pending" },
  };
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
