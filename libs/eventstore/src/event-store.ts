import type { ObjectKey } from "@capstan/apimachinery";
import type { Mutation } from "./mutation.js";
import type { ObjectRecord } from "./object-record.js";
import type { StoredEvent } from "./stored-event.js";

export interface ListFilter {
  kind: string;
  namespace?: string;
  nodeName?: string;
}

export interface EventStore {
  /** Group-committed: resolves after the transaction holding this mutation commits; rejects with the decision's error (nothing written for it, other mutations of the batch unaffected). */
  append(m: Mutation): Promise<StoredEvent>;
  get(key: ObjectKey): Promise<ObjectRecord | undefined>;
  /** Consistent snapshot: items and the revision they answer at. */
  list(filter: ListFilter): Promise<{ items: ObjectRecord[]; revision: number }>;
  /** Every event of one key, ascending: of each object that had the name, so across a delete and re-create too. */
  history(key: ObjectKey): Promise<StoredEvent[]>;
  /** The record the log left for the key as of `revision` (at most the head, at least the compacted revision): undefined if it had no object then. */
  getAt(key: ObjectKey, revision: number): Promise<ObjectRecord | undefined>;
  /** The records list would have answered at `revision` (at most the head): each key's last event up to it, deleted keys left out. */
  listAt(filter: ListFilter, revision: number): Promise<ObjectRecord[]>;
  /**
   * Whether an object of the kind (in the namespace, when given) changed after revision `after` up to
   * `upTo`: when none did, a list read now is also the list at `after`. One indexed existence check.
   */
  changedBetween(filter: Pick<ListFilter, "kind" | "namespace">, after: number, upTo: number): Promise<boolean>;
  /**
   * Drops the events only revisions before `revision` need: each key keeps its last event up to it if that
   * left an object, and every later event, so a replay still yields the projection exactly and get/list at
   * `revision` or later still answer; earlier ones answer Expired from then on. At most the head.
   */
  compact(revision: number): Promise<{ dropped: number }>;
  /** The revision compact last reached (0 if never): the oldest the log answers at. */
  compactedRevision(): Promise<number>;
  /** Events with revision > after, ascending, at most limit — the outbox relay reads these. */
  readEvents(after: number, limit: number): Promise<StoredEvent[]>;
  headRevision(): Promise<number>;
  /** How many objects the projection holds, by kind (kinds with none left out). */
  countObjects(): Promise<Map<string, number>>;
  /** Truncate the projection and replay the whole log through the same evolve function the live path uses. */
  rebuildProjection(): Promise<{ events: number; objects: number }>;
  /** Waits for queued appends to commit, then closes the connections. */
  close(): Promise<void>;
}
