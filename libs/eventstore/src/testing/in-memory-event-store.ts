import { UnavailableError, type ObjectKey } from "@capstan/apimachinery";
import { planBatch } from "../batch-plan.js";
import { retainedEvents, throwIfBeyondHead } from "../compaction.js";
import type { EventStore, ListFilter } from "../event-store.js";
import { GroupCommit } from "../group-commit.js";
import type { Mutation } from "../mutation.js";
import { keyString, type ObjectRecord } from "../object-record.js";
import { evolve, replay } from "../projection.js";
import type { StoredEvent } from "../stored-event.js";

export interface InMemoryEventStoreOptions {
  /** The largest object (as JSON, in bytes) a write may leave, as the store's own limit. Default: no limit. */
  readonly maxObjectBytes?: number;
  /** The commit time events carry; default: the system clock. */
  readonly now?: () => Date;
}

/** Told of each committed event, in revision order, inside the commit (keep it quick). */
export type EventListener = (event: StoredEvent) => void;

/**
 * The event store in memory, for tests: appends are group-committed and decided by the store's own
 * batch planner (decisions, transitions, revision numbering, resourceVersion, the size limit), the log
 * is kept whole, and the projection is the fold of it. Reads are also offered synchronously, and the
 * log can be followed, which is what a fake gateway's Watch needs.
 */
export class InMemoryEventStore implements EventStore {
  readonly #log: StoredEvent[] = [];
  readonly #objects = new Map<string, ObjectRecord>();
  readonly #listeners = new Set<EventListener>();
  readonly #groupCommit = new GroupCommit((batch) => Promise.resolve(this.#commit(batch)), 500);
  readonly #maxObjectBytes: number;
  readonly #now: () => Date;
  #compacted = 0;
  /** Kept apart from the log, whose last events a compaction may drop (a key's DELETED). */
  #head = 0;
  #closed = false;

  constructor(opts: InMemoryEventStoreOptions = {}) {
    this.#maxObjectBytes = opts.maxObjectBytes ?? Infinity;
    this.#now = opts.now ?? (() => new Date());
  }

  /** The revision of the last committed event. */
  get revision(): number {
    return this.#head;
  }

  append(m: Mutation): Promise<StoredEvent> {
    if (this.#closed) return Promise.reject(new UnavailableError("event store is closed"));
    return this.#groupCommit.submit(m);
  }

  async get(key: ObjectKey): Promise<ObjectRecord | undefined> {
    return this.find(key);
  }

  async list(filter: ListFilter): Promise<{ items: ObjectRecord[]; revision: number }> {
    return { items: this.records(filter).map((r) => this.#withTraceOfLastEvent(r)), revision: this.revision };
  }

  async history(key: ObjectKey): Promise<StoredEvent[]> {
    const k = keyString(key);
    return this.#log.filter((e) => keyString(e) === k);
  }

  async getAt(key: ObjectKey, revision: number): Promise<ObjectRecord | undefined> {
    const k = keyString(key);
    const last = this.#upTo(revision).findLast((e) => keyString(e) === k);
    return last && evolve(last);
  }

  /** The fold of the log up to the revision, as a rebuild stopped there would leave the projection. */
  async listAt(filter: ListFilter, revision: number): Promise<ObjectRecord[]> {
    return sortedRecords(replay(this.#upTo(revision)).filter((r) => matches(r, filter)));
  }

  async changedBetween(filter: Pick<ListFilter, "kind" | "namespace">, after: number, upTo: number): Promise<boolean> {
    return this.#log.some((e) => e.revision > after && e.revision <= upTo && e.kind === filter.kind && (filter.namespace === undefined || e.namespace === filter.namespace));
  }

  async compact(revision: number): Promise<{ dropped: number }> {
    throwIfBeyondHead(revision, this.revision);
    const kept = retainedEvents(this.#log, revision);
    const dropped = this.#log.length - kept.length;
    this.#log.splice(0, this.#log.length, ...kept);
    this.#compacted = Math.max(this.#compacted, revision);
    return { dropped };
  }

  async compactedRevision(): Promise<number> {
    return this.#compacted;
  }

  async readEvents(after: number, limit: number): Promise<StoredEvent[]> {
    return this.events(after).slice(0, limit);
  }

  async headRevision(): Promise<number> {
    return this.revision;
  }

  async countObjects(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const row of this.#objects.values()) counts.set(row.kind, (counts.get(row.kind) ?? 0) + 1);
    return counts;
  }

  async rebuildProjection(): Promise<{ events: number; objects: number }> {
    this.#objects.clear();
    for (const row of replay(this.#log)) this.#objects.set(keyString(row), row);
    return { events: this.#log.length, objects: this.#objects.size };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#groupCommit.idle();
  }

  /** The record as stored now. */
  find(key: ObjectKey): ObjectRecord | undefined {
    return this.#objects.get(keyString(key));
  }

  /** The records a list with this filter answers now, ordered by namespace and name as the database orders them. */
  records(filter: ListFilter): ObjectRecord[] {
    return sortedRecords([...this.#objects.values()].filter((r) => matches(r, filter)));
  }

  /** The events after a revision, in order. */
  events(after = 0): StoredEvent[] {
    return this.#log.slice(this.#firstAfter(after));
  }

  /** The record with the trace context of the event that left it so (compaction keeps that event). */
  #withTraceOfLastEvent(record: ObjectRecord): ObjectRecord {
    const last = this.#log[this.#firstAfter(record.revision) - 1];
    if (last?.revision !== record.revision) return record;
    return {
      ...record,
      ...(last.traceparent !== undefined ? { traceparent: last.traceparent } : {}),
      ...(last.tracestate !== undefined ? { tracestate: last.tracestate } : {}),
    };
  }

  #upTo(revision: number): StoredEvent[] {
    return this.#log.slice(0, this.#firstAfter(revision));
  }

  /** The index of the first event after a revision: the log is in revision order, with gaps once compacted. */
  #firstAfter(revision: number): number {
    let [lo, hi] = [0, this.#log.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#log[mid]!.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Hands `listener` every event after `after` already in the log, then each one as it commits, until
   * the returned function is called. Nothing can commit in between: this runs synchronously.
   */
  follow(after: number, listener: EventListener): () => void {
    for (const event of this.events(after)) listener(event);
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #commit(mutations: Mutation[]): (StoredEvent | Error)[] {
    const plan = planBatch(mutations, this.#objects, this.revision, this.#now().toISOString(), this.#maxObjectBytes);
    for (const [k, { row }] of plan.changes) {
      if (row) this.#objects.set(k, row);
      else this.#objects.delete(k);
    }
    for (const event of plan.events) {
      this.#log.push(event);
      this.#head = event.revision;
      for (const listener of this.#listeners) tell(listener, event);
    }
    return plan.outcomes;
  }
}

/** A listener's failure is the test's to see, not a reason to leave a commit half applied. */
function tell(listener: EventListener, event: StoredEvent): void {
  try {
    listener(event);
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}

function matches(r: ObjectRecord, filter: ListFilter): boolean {
  return r.kind === filter.kind && (filter.namespace === undefined || r.namespace === filter.namespace) && (filter.nodeName === undefined || r.nodeName === filter.nodeName);
}

/** Ordered by namespace and name, as the database orders them. */
function sortedRecords(records: ObjectRecord[]): ObjectRecord[] {
  return records.sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function createInMemoryEventStore(opts: InMemoryEventStoreOptions = {}): InMemoryEventStore {
  return new InMemoryEventStore(opts);
}
