import { field, InvalidError } from "@capstan/apimachinery";
import { keyString } from "./object-record.js";
import type { StoredEvent } from "./stored-event.js";

/** A compaction cannot reach past the head: there is nothing there yet to keep or drop. */
export function throwIfBeyondHead(revision: number, head: number): void {
  if (!Number.isSafeInteger(revision) || revision < 0 || revision > head) {
    throw new InvalidError("compaction", [field.invalid("revision", revision, `must be a revision from 0 to the head, ${head}`)]);
  }
}

/**
 * The log compact(revision) leaves, for a log in revision order: every event after the revision, and up
 * to it each key's last event if that left an object. A replay of it yields the same projection, and the
 * last event up to any revision from `revision` on is the same for every key, so the past answers alike.
 */
export function retainedEvents(log: readonly StoredEvent[], revision: number): StoredEvent[] {
  const lastUpTo = new Map<string, StoredEvent>();
  for (const e of log) if (e.revision <= revision) lastUpTo.set(keyString(e), e);
  return log.filter((e) => e.revision > revision || (e.type !== "DELETED" && lastUpTo.get(keyString(e)) === e));
}
