import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { benchAppends, benchRawInserts } from "./bench.js";
import { openEventStore } from "./open-event-store.js";
import { createTestDatabase, type TestDatabase } from "./testing/index.js";

describe("benchmarks", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("benchAppends appends `total` events and reports rate and latency", async () => {
    const store = await openEventStore({ databaseUrl: database.url });
    try {
      const head = await store.headRevision();
      const result = await benchAppends(store, { concurrency: 8, total: 100 });
      expect(await store.headRevision()).toBe(head + 100);
      expect(result.perSecond).toBeGreaterThan(0);
      expect(result.p50Ms).toBeGreaterThan(0);
      expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    } finally {
      await store.close();
    }
  });

  it("benchRawInserts reports a rate and leaves no scratch table behind", async () => {
    expect(await benchRawInserts(database.url, 100, 8)).toBeGreaterThan(0);
    const sql = postgres(database.url, { max: 1 });
    try {
      expect(await sql`select tablename from pg_tables where tablename like 'bench_raw_inserts_%'`).toHaveLength(0);
    } finally {
      await sql.end();
    }
  });
});
