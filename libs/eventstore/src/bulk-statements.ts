import type { ObjectKey } from "@capstan/apimachinery";
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "./driver.js";
import type { ObjectRecord } from "./object-record.js";
import type { ProjectionChanges } from "./projection.js";
import { events, objects, revisionCounter } from "./schema.js";
import type { StoredEvent } from "./stored-event.js";

// Multi-row statements take their rows as one JSON document (json_to_recordset) rather than a VALUES
// list: the text stays the same whatever the batch size, so it is parsed and planned once and built in
// constant time, and keys join on the primary key. A literal `(kind, namespace, name) IN ((...), ...)`
// was planned as a scan of the namespace filtered by an OR of every key: 170 ms for 256 keys among 20k.
// `::text::json` makes the parameter text for every driver, so none re-encodes it.

/** Matches the objects rows of the given keys. */
export function keysIn(keys: readonly ObjectKey[]): SQL {
  const document = JSON.stringify(keys.map((k) => ({ kind: k.kind, namespace: k.namespace, name: k.name })));
  return sql`(${objects.kind}, ${objects.namespace}, ${objects.name}) in (
    select k.kind, k.namespace, k.name from json_to_recordset(${document}::text::json) as k(kind text, namespace text, name text))`;
}

/**
 * The whole write of a group commit in one statement, so it needs no transaction around it: move the
 * counter from `head` (the revision the batch was decided at) to head+n, append the events, apply the
 * projection changes evolve decided. If another writer moved the counter first, nothing is written and
 * no row comes back. An upserted row holds exactly its last event's columns, so it is taken from the
 * appended rows instead of sending every object a second time.
 */
export function appendEvents(head: number, batch: readonly StoredEvent[], changes: ProjectionChanges): SQL {
  const upserted: number[] = [];
  const deleted: ObjectKey[] = [];
  for (const { key, row } of changes.values()) {
    if (row) upserted.push(row.revision);
    else deleted.push(key);
  }
  return sql`
    with bumped as (
      update ${revisionCounter} set value = value + ${batch.length} where id = 1 and value = ${head} returning value
    ), appended as (
      insert into ${events} (revision, type, kind, namespace, name, uid, node_name, object, actor, verb, traceparent, tracestate, committed_at)
      select e.revision, e.type, e.kind, e.namespace, e.name, e.uid, e."nodeName", e.object, e.actor, e.verb, e.traceparent, e.tracestate, e."committedAt"
      from json_to_recordset(${JSON.stringify(batch)}::text::json) as e(
        revision bigint, type text, kind text, namespace text, name text, uid text, "nodeName" text, object jsonb,
        actor text, verb text, traceparent text, tracestate text, "committedAt" timestamptz)
      where exists (select 1 from bumped)
      returning revision, kind, namespace, name, uid, node_name, object
    ), upserted as (
      insert into ${objects} (kind, namespace, name, uid, revision, node_name, object)
      select kind, namespace, name, uid, revision, node_name, object from appended
      where revision = any(${sql.param(upserted)}::bigint[])
      on conflict (kind, namespace, name) do update
        set uid = excluded.uid, revision = excluded.revision, node_name = excluded.node_name, object = excluded.object
    ), deleted as (
      delete from ${objects} where ${keysIn(deleted)} and exists (select 1 from bumped)
    )
    select value from bumped`;
}

/** Writes projection rows as they are (a rebuild): one upsert for the live keys, one delete for the rest. */
export async function writeChanges(db: Database, changes: ProjectionChanges): Promise<void> {
  const rows: ObjectRecord[] = [];
  const deleted: ObjectKey[] = [];
  for (const { key, row } of changes.values()) {
    if (row) rows.push(row);
    else deleted.push(key);
  }
  await Promise.all([
    rows.length > 0 &&
      db.execute(sql`
        insert into ${objects} (kind, namespace, name, uid, revision, node_name, object)
        select o.kind, o.namespace, o.name, o.uid, o.revision, o."nodeName", o.object
        from json_to_recordset(${JSON.stringify(rows)}::text::json) as o(
          kind text, namespace text, name text, uid text, revision bigint, "nodeName" text, object jsonb)
        on conflict (kind, namespace, name) do update
          set uid = excluded.uid, revision = excluded.revision, node_name = excluded.node_name, object = excluded.object`),
    deleted.length > 0 && db.delete(objects).where(keysIn(deleted)),
  ]);
}
