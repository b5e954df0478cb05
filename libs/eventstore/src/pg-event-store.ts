import { isCapstanError, UnavailableError, type ObjectKey } from "@capstan/apimachinery";
import { and, asc, count, desc, eq, exists, gt, lte, ne, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { planBatch } from "./batch-plan.js";
import { throwIfBeyondHead } from "./compaction.js";
import { appendEvents, keysIn, writeChanges } from "./bulk-statements.js";
import type { Database, Driver } from "./driver.js";
import type { EventStore, ListFilter } from "./event-store.js";
import { GroupCommit, type CommitBatchObservation } from "./group-commit.js";
import type { Mutation } from "./mutation.js";
import { keyString, type ObjectRecord } from "./object-record.js";
import { evolve, foldEvent, type ProjectionChanges } from "./projection.js";
import { events, objects, revisionCounter } from "./schema.js";
import type { StoredEvent } from "./stored-event.js";

/** Events replayed per round trip during a rebuild. */
const REBUILD_PAGE = 2000;

/**
 * Selects the counter's one row by primary key. Without it, before the table is first analyzed the
 * planner guesses thousands of counter rows, multiplies every join by that, and JIT-compiles the query.
 */
const theCounter = eq(revisionCounter.id, 1);

/** The event store on Postgres (server or PGlite, through drizzle); every write goes through group commit. */
export class PgEventStore implements EventStore {
  readonly #driver: Driver;
  readonly #db: Database;
  readonly #groupCommit: GroupCommit;
  readonly #maxObjectBytes: number;
  #closed = false;

  constructor(driver: Driver, maxBatch: number, maxObjectBytes: number, onCommitBatch?: (o: CommitBatchObservation) => void) {
    this.#driver = driver;
    this.#maxObjectBytes = maxObjectBytes;
    this.#db = driver.db;
    this.#groupCommit = new GroupCommit((batch) => this.#commitBatch(batch), maxBatch, onCommitBatch);
  }

  append(m: Mutation): Promise<StoredEvent> {
    if (this.#closed) return Promise.reject(new UnavailableError("event store is closed"));
    return this.#groupCommit.submit(m);
  }

  async get(key: ObjectKey): Promise<ObjectRecord | undefined> {
    const [row] = await read("get", this.#db.select().from(objects).where(keyIs(key)));
    return row;
  }

  async list(filter: ListFilter): Promise<{ items: ObjectRecord[]; revision: number }> {
    // One statement sees one snapshot, so joining the counter gives the revision the rows answer at
    // without a REPEATABLE READ transaction; the left join keeps the counter row when nothing matches.
    // Each object's last event (by primary key) gives the trace context of the write that left it so.
    const rows = await read(
      "list",
      this.#db
        .select({ revision: revisionCounter.value, item: objects, traceparent: events.traceparent, tracestate: events.tracestate })
        .from(revisionCounter)
        .leftJoin(
          objects,
          and(
            eq(objects.kind, filter.kind),
            filter.namespace === undefined ? undefined : eq(objects.namespace, filter.namespace),
            filter.nodeName === undefined ? undefined : eq(objects.nodeName, filter.nodeName),
          ),
        )
        .leftJoin(events, eq(events.revision, objects.revision))
        .where(theCounter)
        .orderBy(asc(objects.namespace), asc(objects.name)),
    );
    const items: ObjectRecord[] = [];
    for (const { item, traceparent, tracestate } of rows) {
      if (!item) continue;
      const record: ObjectRecord = item;
      if (traceparent !== null) record.traceparent = traceparent;
      if (tracestate !== null) record.tracestate = tracestate;
      items.push(record);
    }
    return { items, revision: rows[0]?.revision ?? 0 };
  }

  async history(key: ObjectKey): Promise<StoredEvent[]> {
    const rows = await read("history", this.#db.select().from(events).where(eventKeyIs(key)).orderBy(asc(events.revision)));
    return rows.map(toStoredEvent);
  }

  async getAt(key: ObjectKey, revision: number): Promise<ObjectRecord | undefined> {
    const [row] = await read(
      "getAt",
      this.#db.select().from(events).where(and(eventKeyIs(key), lte(events.revision, revision))).orderBy(desc(events.revision)).limit(1),
    );
    return row && evolve(toStoredEvent(row));
  }

  async listAt(filter: ListFilter, revision: number): Promise<ObjectRecord[]> {
    // Each key's last event up to the revision (DISTINCT ON walks the key-then-revision index), then the
    // live ones: the node filter applies to where that last event left the object, as the projection's does.
    const latest = this.#db
      .selectDistinctOn([events.namespace, events.name])
      .from(events)
      .where(and(eq(events.kind, filter.kind), filter.namespace === undefined ? undefined : eq(events.namespace, filter.namespace), lte(events.revision, revision)))
      .orderBy(asc(events.namespace), asc(events.name), desc(events.revision))
      .as("latest");
    const rows = await read(
      "listAt",
      this.#db
        .select()
        .from(latest)
        .where(and(ne(latest.type, "DELETED"), filter.nodeName === undefined ? undefined : eq(latest.nodeName, filter.nodeName)))
        .orderBy(asc(latest.namespace), asc(latest.name)),
    );
    return rows.flatMap((row) => evolve(toStoredEvent(row)) ?? []);
  }

  async compact(revision: number): Promise<{ dropped: number }> {
    try {
      return await this.#db.transaction(async (tx) => {
        // The counter's lock keeps appends out meanwhile, as a rebuild does.
        const [counter] = await tx.select().from(revisionCounter).where(theCounter).for("update");
        if (!counter) throw new Error("revision_counter has no row; the migrations did not run");
        throwIfBeyondHead(revision, counter.value);
        // Superseded up to the revision (a later event of the key up to it), or the key's end: its DELETED.
        const later = alias(events, "later");
        const dropped = await tx
          .delete(events)
          .where(
            and(
              lte(events.revision, revision),
              or(
                eq(events.type, "DELETED"),
                exists(
                  tx
                    .select({ one: sql`1` })
                    .from(later)
                    .where(and(eq(later.kind, events.kind), eq(later.namespace, events.namespace), eq(later.name, events.name), gt(later.revision, events.revision), lte(later.revision, revision))),
                ),
              ),
            ),
          )
          .returning({ revision: events.revision });
        if (revision > counter.compacted) await tx.update(revisionCounter).set({ compacted: revision }).where(theCounter);
        return { dropped: dropped.length };
      });
    } catch (cause) {
      throw unavailable("compact", cause);
    }
  }

  async changedBetween(filter: Pick<ListFilter, "kind" | "namespace">, after: number, upTo: number): Promise<boolean> {
    const [row] = await read(
      "changedBetween",
      this.#db
        .select({ revision: events.revision })
        .from(events)
        .where(
          and(
            eq(events.kind, filter.kind),
            filter.namespace === undefined ? undefined : eq(events.namespace, filter.namespace),
            gt(events.revision, after),
            lte(events.revision, upTo),
          ),
        )
        .limit(1),
    );
    return row !== undefined;
  }

  async compactedRevision(): Promise<number> {
    const [row] = await read("compactedRevision", this.#db.select({ compacted: revisionCounter.compacted }).from(revisionCounter).where(theCounter));
    return row?.compacted ?? 0;
  }

  async readEvents(after: number, limit: number): Promise<StoredEvent[]> {
    const rows = await read("readEvents", selectEvents(this.#db, after, limit));
    return rows.map(toStoredEvent);
  }

  async headRevision(): Promise<number> {
    const [row] = await read("headRevision", this.#db.select({ value: revisionCounter.value }).from(revisionCounter).where(theCounter));
    return row?.value ?? 0;
  }

  async countObjects(): Promise<Map<string, number>> {
    const rows = await read("countObjects", this.#db.select({ kind: objects.kind, n: count() }).from(objects).groupBy(objects.kind));
    return new Map(rows.map((r) => [r.kind, r.n]));
  }

  async rebuildProjection(): Promise<{ events: number; objects: number }> {
    try {
      return await this.#db.transaction(async (tx) => {
        // Holding the counter lock keeps appends out until the rebuilt projection commits; readers keep
        // the old one meanwhile, which is why this deletes rows rather than TRUNCATE (that would block them).
        await tx.select({ value: revisionCounter.value }).from(revisionCounter).where(theCounter).for("update");
        await tx.delete(objects);
        let after = 0;
        let replayed = 0;
        for (;;) {
          const page = await selectEvents(tx, after, REBUILD_PAGE);
          const last = page.at(-1);
          if (!last) break;
          const changes: ProjectionChanges = new Map();
          for (const row of page) foldEvent(changes, toStoredEvent(row));
          await writeChanges(tx, changes);
          replayed += page.length;
          after = last.revision;
        }
        const [row] = await tx.select({ n: count() }).from(objects);
        return { events: replayed, objects: row?.n ?? 0 };
      });
    } catch (cause) {
      throw unavailable("rebuildProjection", cause);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#groupCommit.idle();
    await this.#driver.close();
  }

  /**
   * One group commit in two statements and no transaction: read the batch's rows together with the
   * revision they are current at (one statement, one snapshot), decide in memory, then write everything
   * in one statement that only applies if the counter still stands at that revision. The counter's row
   * lock orders writers, so revisions commit in order even with two gateway processes; the one that
   * finds the counter moved decides again on the newer state, as etcd's GuaranteedUpdate does.
   */
  async #commitBatch(mutations: Mutation[]): Promise<(StoredEvent | Error)[]> {
    const keys = mutations.flatMap((m) => (m.reads ? [m.key, ...m.reads] : [m.key]));
    for (;;) {
      const rows = await this.#db
        .select({ head: revisionCounter.value, row: objects })
        .from(revisionCounter)
        .leftJoin(objects, keysIn(keys))
        .where(theCounter);
      const head = rows[0]?.head;
      if (head === undefined) throw new Error("revision_counter has no row; the migrations did not run");
      const stored = new Map<string, ObjectRecord>();
      for (const { row } of rows) if (row) stored.set(keyString(row), row);
      const plan = planBatch(mutations, stored, head, new Date().toISOString(), this.#maxObjectBytes);
      if (plan.events.length === 0) return plan.outcomes;
      const applied = await this.#driver.rows(appendEvents(head, plan.events, plan.changes));
      if (applied.length > 0) return plan.outcomes;
    }
  }
}

/** Runs a read, reporting a database failure as Unavailable. */
async function read<T>(operation: string, query: PromiseLike<T>): Promise<T> {
  try {
    return await query;
  } catch (cause) {
    throw unavailable(operation, cause);
  }
}

function selectEvents(db: Database, after: number, limit: number) {
  return db.select().from(events).where(gt(events.revision, after)).orderBy(asc(events.revision)).limit(limit);
}

function toStoredEvent(row: typeof events.$inferSelect): StoredEvent {
  const { verb, traceparent, tracestate, committedAt, ...rest } = row;
  const event: StoredEvent = { ...rest, committedAt: committedAt.toISOString() };
  if (verb !== null) event.verb = verb;
  if (traceparent !== null) event.traceparent = traceparent;
  if (tracestate !== null) event.tracestate = tracestate;
  return event;
}

function keyIs(key: ObjectKey): SQL | undefined {
  return and(eq(objects.kind, key.kind), eq(objects.namespace, key.namespace), eq(objects.name, key.name));
}

function eventKeyIs(key: ObjectKey): SQL | undefined {
  return and(eq(events.kind, key.kind), eq(events.namespace, key.namespace), eq(events.name, key.name));
}

function unavailable(operation: string, cause: unknown): Error {
  if (isCapstanError(cause)) return cause;
  return new UnavailableError(`event store ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}
