import { AlreadyExistsError, field, InvalidError, NotFoundError, type ObjectKey } from "@capstan/apimachinery";
import type { Decision, Mutation, ReadRecord } from "./mutation.js";
import { keyString, type ObjectRecord } from "./object-record.js";
import { foldEvent, type ProjectionChanges } from "./projection.js";
import type { EventType, JsonObject, StoredEvent } from "./stored-event.js";

/** What one group-commit transaction writes, decided without I/O from the rows it read. */
export interface BatchPlan {
  /** One per mutation, in order: its event, or the error that rejects it alone. */
  outcomes: (StoredEvent | Error)[];
  /** The accepted events, revisions head+1..head+n in order. */
  events: StoredEvent[];
  /** What the accepted events do to the projection. */
  changes: ProjectionChanges;
}

/**
 * Runs each mutation's decide in order against the stored rows overlaid with the batch's own earlier
 * effects, numbers the accepted events from `head`, and stamps their resourceVersion. A write whose
 * object (as JSON) exceeds `maxObjectBytes` is refused: it could not reach the log's readers.
 */
export function planBatch(
  mutations: readonly Mutation[],
  stored: ReadonlyMap<string, ObjectRecord>,
  head: number,
  committedAt: string,
  maxObjectBytes = Infinity,
): BatchPlan {
  const plan: BatchPlan = { outcomes: [], events: [], changes: new Map() };
  const read = (key: ObjectKey): ObjectRecord | undefined => {
    const earlier = plan.changes.get(keyString(key));
    return earlier ? earlier.row : stored.get(keyString(key));
  };
  for (const m of mutations) {
    const current = read(m.key);
    const decided = runDecide(m, current, read);
    if ("error" in decided) {
      plan.outcomes.push(decided.error);
      continue;
    }
    const writes = [{ key: m.key, type: decided.type, object: decided.object }, ...(decided.related ?? [])];
    const refused = checkWrites(m, writes, read) ?? checkSizes(writes, maxObjectBytes);
    if (refused) {
      plan.outcomes.push(refused);
      continue;
    }
    const events = writes.map((w, i) => toEvent(m, w.key, w, head + plan.events.length + 1 + i, committedAt));
    for (const event of events) {
      plan.events.push(event);
      foldEvent(plan.changes, event);
    }
    plan.outcomes.push(events[0]!);
  }
  return plan;
}

/** All of a mutation's writes are allowed, or none is made: each a valid transition, related ones on keys it read, no key twice. */
function checkWrites(m: Mutation, writes: readonly { key: ObjectKey; type: EventType; object: JsonObject }[], read: ReadRecord): Error | undefined {
  const seen = new Set<string>();
  for (const w of writes) {
    const k = keyString(w.key);
    if (seen.has(k)) return new Error(`mutation of ${keyString(m.key)} writes ${k} twice`);
    seen.add(k);
    if (w !== writes[0] && !(m.reads ?? []).some((r) => keyString(r) === k)) {
      return new Error(`mutation of ${keyString(m.key)} writes ${k}, which it did not read`);
    }
    const refused = checkTransition(w.key, w, read(w.key));
    if (refused) return refused;
  }
  return undefined;
}

/**
 * Every write's object within the limit: a status update or a bind can grow an object past it, not only
 * a create. A delete is always allowed, so an object stored before the limit held can still be removed.
 */
function checkSizes(writes: readonly { key: ObjectKey; type: EventType; object: JsonObject }[], maxObjectBytes: number): Error | undefined {
  if (maxObjectBytes === Infinity) return undefined;
  for (const w of writes) {
    if (w.type === "DELETED") continue;
    const json = JSON.stringify(w.object);
    // UTF-16 length × 3 bounds the UTF-8 size, so small objects skip the exact count.
    if (json.length * 3 <= maxObjectBytes) continue;
    const size = Buffer.byteLength(json);
    if (size > maxObjectBytes) {
      return new InvalidError(`${w.key.kind} "${w.key.name}"`, [field.tooLong("metadata", `object size ${size} exceeds the limit of ${maxObjectBytes} bytes`)]);
    }
  }
  return undefined;
}

/** A decide that throws is that mutation's failure, never the batch's. */
function runDecide(m: Mutation, current: ObjectRecord | undefined, read: ReadRecord): Decision {
  try {
    return m.decide(current, read);
  } catch (e) {
    return { error: e instanceof Error ? e : new Error(String(e)) };
  }
}

/** Keeps the log replayable: an ADDED never hides a live object, MODIFIED and DELETED need one, every object has a uid. */
function checkTransition(key: ObjectKey, decided: { type: EventType; object: JsonObject }, current: ObjectRecord | undefined): Error | undefined {
  if (decided.type === "ADDED" && current) return new AlreadyExistsError(key);
  if (decided.type !== "ADDED" && !current) return new NotFoundError(key);
  if (!hasUid(decided.object)) {
    return new InvalidError(`${key.kind} "${key.name}"`, [{ path: "metadata.uid", message: "Required value" }]);
  }
  return undefined;
}

function toEvent(m: Mutation, key: ObjectKey, decided: { type: EventType; object: JsonObject }, revision: number, committedAt: string): StoredEvent {
  // hasUid let only objects with metadata (and a uid) reach a decision to store.
  const metadata = decided.object.metadata as JsonObject;
  const event: StoredEvent = {
    revision,
    type: decided.type,
    kind: key.kind,
    namespace: key.namespace,
    name: key.name,
    uid: metadata.uid as string,
    nodeName: nodeNameOf(decided.object),
    // The decider cannot know the revision; the store stamps it, copying rather than touching the caller's object.
    object: { ...decided.object, metadata: { ...metadata, resourceVersion: String(revision) } },
    actor: m.actor,
    committedAt,
  };
  if (m.verb !== undefined) event.verb = m.verb;
  if (m.traceparent !== undefined) event.traceparent = m.traceparent;
  if (m.tracestate !== undefined) event.tracestate = m.tracestate;
  return event;
}

function hasUid(object: JsonObject): boolean {
  const metadata = object.metadata;
  if (typeof metadata !== "object" || metadata === null) return false;
  const uid = "uid" in metadata ? metadata.uid : undefined;
  return typeof uid === "string" && uid !== "";
}

function nodeNameOf(object: JsonObject): string {
  const spec = object.spec;
  if (typeof spec !== "object" || spec === null) return "";
  const nodeName = "nodeName" in spec ? spec.nodeName : undefined;
  return typeof nodeName === "string" ? nodeName : "";
}
