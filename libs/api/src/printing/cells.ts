/**
 * What `capctl get` and `describe` print for a value, the way kubectl does: <none> for an unset text, a
 * selector as `app=web,tier in (a,b)`, a long list cut after three. Printers read an object's JSON as
 * the gateway returns it (Kubernetes field names, unset fields absent).
 */
import { LabelSelector } from "../gen/capstan/v1/meta.js";
import { labelSelectorToString } from "../label-selector.js";
import { arrayOf, objectOf, type JsonObject } from "../object-view.js";

/** kubectl's text for an unset value. */
export const NONE = "<none>";

/** The value at a path of keys in an object's JSON; undefined where any step is missing. */
export function valueAt(object: unknown, ...keys: readonly string[]): unknown {
  // Arrays too: a printer column may step into a list by index.
  return keys.reduce<unknown>((v, k) => (v && typeof v === "object" ? Reflect.get(v, k) : undefined), object);
}

/** A string value as a cell: itself, or `fallback` (<none>) when unset or empty. */
export function textOr(value: unknown, fallback: string = NONE): string {
  return typeof value === "string" && value ? value : fallback;
}

/** A number value as a count: itself, or 0 when unset. */
export function countOf(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

/** The array at a path, or none; for lists the JSON leaves out when empty. */
export function itemsAt(object: unknown, ...keys: readonly string[]): readonly JsonObject[] {
  return arrayOf<JsonObject>(valueAt(object, ...keys));
}

/** At most three items, then how many more, as kubectl lists endpoints: `a,b,c + 2 more...`. */
export function listWithMore(items: readonly string[], empty: string): string {
  const max = 3;
  if (items.length === 0) return empty;
  const shown = items.slice(0, max).join(",");
  return items.length > max ? `${shown} + ${items.length - max} more...` : shown;
}

/** A workload's label selector as kubectl shows it: `app=web,tier in (a,b)`, or <none>. */
export function selectorText(selector: unknown): string {
  if (selector === undefined || selector === null || typeof selector !== "object") return NONE;
  try {
    return labelSelectorToString(LabelSelector.fromJSON(selector)) || NONE;
  } catch {
    // As kubectl's FormatLabelSelector: one unreadable selector must not hide the rest of the table.
    return "<error>";
  }
}

/** A map selector (a Service's, a ReplicationController's) as kubectl shows it: sorted `k=v,…`, or <none>. */
export function mapSelectorText(selector: unknown): string {
  const entries = Object.entries(objectOf(selector) ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(",") : NONE;
}
