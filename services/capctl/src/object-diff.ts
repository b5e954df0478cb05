/**
 * What changed between two versions of an object, field by field: `capctl history -p` prints it under
 * each revision. Paths read as a field path (`spec.template.spec.containers[0].image`), keys that are not
 * plain names in brackets (`metadata.labels["app.kubernetes.io/name"]`).
 */
import { field } from "@capstan/apimachinery";
import type { Json } from "./printers.js";

export type FieldChange =
  | { readonly op: "added"; readonly path: string; readonly to: unknown }
  | { readonly op: "changed"; readonly path: string; readonly from: unknown; readonly to: unknown }
  | { readonly op: "removed"; readonly path: string; readonly from: unknown };

/** Bookkeeping every write changes, which says nothing about what the write did. */
const NOISE = new Set(["metadata.resourceVersion", "metadata.managedFields"]);

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** The leaf fields `after` adds, changes or removes relative to `before`, in the order they appear. */
export function diffObjects(before: Json, after: Json): FieldChange[] {
  const changes: FieldChange[] = [];
  walk("", before, after, changes);
  return changes;
}

/** One line a change: `+ path: value`, `~ path: old → new`, `- path: value`. */
export function changeLine(c: FieldChange): string {
  switch (c.op) {
    case "added":
      return `+ ${c.path}: ${field.formatValue(c.to)}`;
    case "changed":
      return `~ ${c.path}: ${field.formatValue(c.from)} → ${field.formatValue(c.to)}`;
    case "removed":
      return `- ${c.path}: ${field.formatValue(c.from)}`;
  }
}

function walk(path: string, before: unknown, after: unknown, out: FieldChange[]): void {
  if (NOISE.has(path)) return;
  if (isRecord(before) && isRecord(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !Object.hasOwn(before, k))];
    for (const k of keys) walk(keyPath(path, k), before[k], after[k], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) walk(field.index(path, i), before[i], after[i], out);
    return;
  }
  if (before === undefined && after === undefined) return;
  if (before === undefined) return leaves(path, after, (p, v) => out.push({ op: "added", path: p, to: v }));
  if (after === undefined) return leaves(path, before, (p, v) => out.push({ op: "removed", path: p, from: v }));
  // A value that changed type (a map became a string, say) is one change of the whole value.
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ op: "changed", path, from: before, to: after });
}

/** A whole subtree added or removed, leaf by leaf; an empty map or list is a leaf of its own. */
function leaves(path: string, value: unknown, emit: (path: string, value: unknown) => void): void {
  if (NOISE.has(path)) return;
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(keyPath(path, k), v, emit);
  } else if (Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => leaves(field.index(path, i), v, emit));
  } else {
    emit(path, value);
  }
}

function keyPath(path: string, key: string): string {
  return PLAIN_KEY.test(key) ? field.child(path, key) : `${path}[${JSON.stringify(key)}]`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
