/**
 * The contract between the API's decisions and the log that stores their outcome: an object as stored,
 * and what one write decides given the current one. Pure data, so a kind's rules (in @capstan/api) and
 * the event store (in @capstan/eventstore) share it without depending on each other.
 */
import type { ObjectKey } from "./errors.js";

export type JsonObject = Record<string, unknown>;

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

/** One object as its last event left it. */
export interface ObjectRecord {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  revision: number;
  object: JsonObject;
  /** The trace context of that last event, where the read answers it (a list of the current objects). */
  traceparent?: string;
  tracestate?: string;
}

/**
 * A write to another object that commits with the mutation's own, or not at all: an allocation record
 * beside the Service that holds its address, say. Its key must be one the mutation reads, so it is
 * decided from that object's state in the same snapshot.
 */
export interface RelatedWrite {
  key: ObjectKey;
  type: EventType;
  object: JsonObject;
}

/**
 * What one write decides, given the current record (as of the revision it commits on). `related`
 * writes get the events right after its own.
 */
export type Decision = { type: EventType; object: JsonObject; related?: readonly RelatedWrite[] } | { error: Error };

/** Another object as of the same snapshot as the write's own (one it named among its reads). */
export type ReadRecord = (key: ObjectKey) => ObjectRecord | undefined;

/** A write's decision: a pure function of the current record and the records it reads, run inside the commit. */
export type Decide = (current: ObjectRecord | undefined, read: ReadRecord) => Decision;

/**
 * The API verb that made a write, recorded on its events so a history says create / update / status /
 * delete / evict / bind / finalize beside ADDED / MODIFIED / DELETED. The projection never reads it.
 */
export type Verb = "create" | "update" | "status" | "delete" | "evict" | "bind" | "finalize";

/** One write as the API hands it to the log: the key, its decision, what else it reads, and who asks. */
export interface Mutation {
  key: ObjectKey;
  /** A pure function: it runs again if another writer commits between the batch's read and its write. */
  decide: Decide;
  /** Other objects decide needs (a namespace that must exist, say), read in the same snapshot. */
  reads?: readonly ObjectKey[];
  actor: string;
  verb?: Verb;
  traceparent?: string;
  tracestate?: string;
}

/** One entry of the log: what happened to one object, with the whole object as it was left. */
export interface StoredEvent {
  revision: number;
  type: EventType;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  object: JsonObject;
  actor: string;
  /** Unset for events appended without one (before the log recorded verbs). */
  verb?: Verb;
  traceparent?: string;
  tracestate?: string;
  committedAt: string;
}
