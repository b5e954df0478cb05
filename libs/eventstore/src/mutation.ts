import type { ObjectKey } from "@capstan/apimachinery";
import type { ObjectRecord } from "./object-record.js";
import type { EventType, JsonObject } from "./stored-event.js";

/** What one mutation decides, given the current record (as of the revision its batch commits on, and seeing earlier mutations of the same batch). */
export type Decision = { type: EventType; object: JsonObject } | { error: Error };

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
