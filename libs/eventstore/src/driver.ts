import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

/** The drizzle surface every driver offers; the store is written once against it. */
export type Database = PgDatabase<PgQueryResultHKT>;

/** An open, migrated database, the one thing drivers answer differently, and how to release it. */
export interface Driver {
  db: Database;
  /** Runs raw SQL and returns its rows (drivers shape a raw result differently). */
  rows(query: SQL): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
