import postgres from "postgres";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTestDatabase } from "./test-database.js";

describe("createTestDatabase", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("creates an empty database and drops it again", async () => {
    const database = await createTestDatabase();
    const sql = postgres(database.url, { max: 1 });
    try {
      const [row] = await sql<{ name: string; tables: number }[]>`
        select current_database() as name, (select count(*)::int from pg_tables where schemaname = 'public') as tables`;
      expect(row?.name).toMatch(/^es_test_[0-9a-f]+$/);
      expect(row?.tables).toBe(0);
    } finally {
      await sql.end();
    }
    await database.drop();
    const probe = postgres(database.url, { max: 1 });
    try {
      await expect(probe`select 1`).rejects.toMatchObject({ code: "3D000" });
    } finally {
      await probe.end();
    }
  });

  it("fails fast, in one line that says how to get Postgres, when the server is unreachable", async () => {
    vi.stubEnv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/postgres");
    const started = Date.now();
    const error = await createTestDatabase().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(Date.now() - started).toBeLessThan(3500);
    expect(error?.message).toMatch(/^Postgres is not reachable at postgres:\/\/postgres@127\.0\.0\.1:1\/postgres .*apt-get install postgresql.*DATABASE_URL/);
    expect(error?.message).not.toContain("\n");
  });
});
