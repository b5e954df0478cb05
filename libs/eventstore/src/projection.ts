import type { ObjectKey } from "@capstan/apimachinery";
import { keyString, type ObjectRecord } from "./object-record.js";
import type { StoredEvent } from "./stored-event.js";

/** The projection row an event leaves for its key: ADDED and MODIFIED store its object, DELETED removes the row. */
export function evolve(event: StoredEvent): ObjectRecord | undefined {
  if (event.type === "DELETED") return undefined;
  return {
    kind: event.kind,
    namespace: event.namespace,
    name: event.name,
    uid: event.uid,
    nodeName: event.nodeName,
    revision: event.revision,
    object: event.object,
  };
}

/**
 * The rows a run of events leaves, one per touched key (row undefined: delete it). A row depends only on
 * the last event of its key, so the live path and a rebuild both fold events here and write the result.
 */
export type ProjectionChanges = Map<string, { key: ObjectKey; row: ObjectRecord | undefined }>;

export function foldEvent(changes: ProjectionChanges, event: StoredEvent): void {
  changes.set(keyString(event), { key: event, row: evolve(event) });
}

/** The projection a run of events leaves, replayed from nothing: the live records, in the order their keys first appear. */
export function replay(events: Iterable<StoredEvent>): ObjectRecord[] {
  const changes: ProjectionChanges = new Map();
  for (const event of events) foldEvent(changes, event);
  return [...changes.values()].flatMap(({ row }) => row ?? []);
}
