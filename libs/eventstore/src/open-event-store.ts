import type { EventStore } from "./event-store.js";
import type { CommitBatchObservation } from "./group-commit.js";
import { PgEventStore } from "./pg-event-store.js";
import { openPglite } from "./pglite-driver.js";
import { openPostgresJs } from "./postgres-js-driver.js";

export interface EventStoreOptions {
  /** A Postgres server; when unset the store runs on embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite's data folder; undefined keeps the database in memory. Ignored with databaseUrl. */
  dataDir?: string | undefined;
  /** The most mutations one group-commit transaction takes (default 500). */
  maxBatch?: number | undefined;
  /** The largest object (as JSON, in bytes) a write may leave; larger ones are refused as Invalid. Default: no limit. */
  maxObjectBytes?: number | undefined;
  /** Told of every group-commit transaction that committed (for the event log's metrics). */
  onCommitBatch?: ((o: CommitBatchObservation) => void) | undefined;
}

/** An event insert carries 12 parameters per row, and a statement takes at most 65,535. */
const MAX_BATCH_LIMIT = 5000;

/** Opens the store and applies any pending migrations first. */
export async function openEventStore(opts: EventStoreOptions): Promise<EventStore> {
  const maxBatch = opts.maxBatch ?? 500;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH_LIMIT) {
    throw new RangeError(`maxBatch must be an integer from 1 to ${MAX_BATCH_LIMIT}, got ${maxBatch}`);
  }
  const driver = opts.databaseUrl ? await openPostgresJs(opts.databaseUrl) : await openPglite(opts.dataDir);
  return new PgEventStore(driver, maxBatch, opts.maxObjectBytes ?? Infinity, opts.onCommitBatch);
}
