import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, primaryKey, smallint, text, timestamp } from "drizzle-orm/pg-core";
import type { EventType, JsonObject, Verb } from "./stored-event.js";

/** The log: one row per accepted mutation, never updated. `revision` is the global, gap-free counter. */
export const events = pgTable(
  "events",
  {
    revision: bigint("revision", { mode: "number" }).primaryKey(),
    type: text("type").$type<EventType>().notNull(),
    kind: text("kind").notNull(),
    /** '' for cluster-scoped kinds, so the key never holds a NULL. */
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    uid: text("uid").notNull(),
    /** '' when the object names no node; lets the relay put the node in subjects without parsing JSON. */
    nodeName: text("node_name").notNull(),
    object: jsonb("object").$type<JsonObject>().notNull(),
    actor: text("actor").notNull(),
    /** The API verb of the write (create, update, status, …); NULL on events logged before it was recorded. */
    verb: text("verb").$type<Verb>(),
    traceparent: text("traceparent"),
    tracestate: text("tracestate"),
    committedAt: timestamp("committed_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    check("events_type_check", sql`${t.type} in ('ADDED', 'MODIFIED', 'DELETED')`),
    // An object's history, and the log as it stood at a revision (Get/List at R), read by key then revision.
    index("events_kind_namespace_name_revision_idx").on(t.kind, t.namespace, t.name, t.revision),
  ],
);

/** The projection: the current object of every live key, at the revision of its last event. */
export const objects = pgTable(
  "objects",
  {
    kind: text("kind").notNull(),
    namespace: text("namespace").notNull(),
    name: text("name").notNull(),
    uid: text("uid").notNull(),
    revision: bigint("revision", { mode: "number" }).notNull(),
    nodeName: text("node_name").notNull(),
    object: jsonb("object").$type<JsonObject>().notNull(),
  },
  (t) => [
    primaryKey({ name: "objects_pkey", columns: [t.kind, t.namespace, t.name] }),
    // A node agent lists its own pods: kind = 'Pod' and node_name = $node.
    index("objects_kind_node_name_idx").on(t.kind, t.nodeName),
  ],
);

/**
 * One row holding the last assigned revision. Writers lock it first and bump it in the same transaction,
 * so revisions are gap-free and commit in order even when two gateway processes write at once.
 */
export const revisionCounter = pgTable(
  "revision_counter",
  {
    id: smallint("id").primaryKey(),
    value: bigint("value", { mode: "number" }).notNull(),
    /** The log answers the past from this revision on: compaction dropped what only earlier revisions needed. */
    compacted: bigint("compacted", { mode: "number" }).notNull().default(0),
  },
  (t) => [check("revision_counter_single_row", sql`${t.id} = 1`)],
);
