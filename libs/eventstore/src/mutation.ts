import type { ObjectKey } from "@capstan/apimachinery";
import type { ObjectRecord } from "./object-record.js";
import type { EventType, JsonObject } from "./stored-event.js";

/**
 * A write to another object that commits with the mutation's own, or not at all: an allocation record
 * beside the Service that holds its address, say. Its key must be one the mutation `reads`, so it is
 * decided from that object's state in the same snapshot.
 */
export interface RelatedWrite {
  key: ObjectKey;
  type: EventType;
  object: JsonObject;
}

/**
 * What one mutation decides, given the current record (as of the revision its batch commits on, and
 * seeing earlier mutations of the same batch). `related` writes get the events right after its own.
 */
export type Decision = { type: EventType; object: JsonObject; related?: readonly RelatedWrite[] } | { error: Error };

/** Another object as of the same snapshot as the mutation's own (one it named in `reads`). */
export type ReadRecord = (key: ObjectKey) => ObjectRecord | undefined;

export interface Mutation {
  key: ObjectKey;
  /** A pure function: it runs again if another writer commits between the batch's read and its write. */
  decide(current: ObjectRecord | undefined, read: ReadRecord): Decision;
  /** Other objects decide needs (a namespace that must exist, say), read in the same snapshot. */
  reads?: readonly ObjectKey[];
  actor: string;
  traceparent?: string;
  tracestate?: string;
}
