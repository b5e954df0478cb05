import type { ObjectKey } from "@capstan/apimachinery";
import type { ObjectRecord } from "./object-record.js";
import type { EventType, JsonObject } from "./stored-event.js";

/** What one mutation decides, given the current record (as of the revision its batch commits on, and seeing earlier mutations of the same batch). */
export type Decision = { type: EventType; object: JsonObject } | { error: Error };

export interface Mutation {
  key: ObjectKey;
  /** A pure function: it runs again if another writer commits between the batch's read and its write. */
  decide(current: ObjectRecord | undefined): Decision;
  actor: string;
  traceparent?: string;
  tracestate?: string;
}
