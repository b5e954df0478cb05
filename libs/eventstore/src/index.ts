export { benchAppends, benchRawInserts } from "./bench.js";
export { openEventStore } from "./open-event-store.js";
export { replay } from "./projection.js";

export type { AppendBenchResult } from "./bench.js";
export type { EventStore, ListFilter } from "./event-store.js";
export type { CommitBatchObservation } from "./group-commit.js";
export type { Decision, Mutation, ReadRecord, RelatedWrite } from "./mutation.js";
export type { ObjectRecord } from "./object-record.js";
export type { EventStoreOptions } from "./open-event-store.js";
export type { EventType, JsonObject, StoredEvent } from "./stored-event.js";
