import { UnavailableError } from "@capstan/apimachinery";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { Driver } from "./driver.js";
import { migrationsFolder } from "./migrations.js";

/** Any 64-bit constant; it names the advisory lock that serializes migrations across processes. */
const MIGRATION_LOCK = 0x63617073_74616e00n;

/** A small pool: writes go through one group-commit transaction at a time, reads take the rest. */
const POOL_SIZE = 4;

export async function openPostgresJs(databaseUrl: string): Promise<Driver> {
  try {
    await migrateOnce(databaseUrl);
  } catch (cause) {
    throw new UnavailableError(`cannot open the event store database: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const client = postgres(databaseUrl, { max: POOL_SIZE, onnotice: () => {} });
  const db = drizzle(client);
  return { db, rows: async (query) => [...(await db.execute(query))], close: () => client.end() };
}

/** Two gateways starting together must not both apply a migration, so one waits on a session lock. */
async function migrateOnce(databaseUrl: string): Promise<void> {
  const client = postgres(databaseUrl, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK.toString()})`;
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    await client.end();
  }
}
