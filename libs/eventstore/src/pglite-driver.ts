import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import type { Driver } from "./driver.js";
import { migrationsFolder } from "./migrations.js";

/** Embedded Postgres: persisted in `dataDir`, or in memory when it is undefined. */
export async function openPglite(dataDir: string | undefined): Promise<Driver> {
  const client = await PGlite.create(dataDir);
  const db = drizzle(client);
  await migrate(db, { migrationsFolder });
  // drizzle types raw rows as unknown; a row is a column-keyed record.
  return { db, rows: async (query) => (await db.execute(query)).rows as Record<string, unknown>[], close: () => client.close() };
}
