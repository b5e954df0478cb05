import { childObject, metaOf } from "@capstan/api";
import type { PairChanges } from "./resource-args.js";
import type { Json } from "./printers.js";

export type StringMap = Readonly<Record<string, string>>;

/** A KEY=VALUE that would replace a different value already there: what kubectl refuses without --overwrite. */
export function overwrittenKeys(current: StringMap, changes: PairChanges): { key: string; value: string }[] {
  return [...changes.set].filter(([k, v]) => Object.hasOwn(current, k) && current[k] !== v).map(([key]) => ({ key, value: current[key]! }));
}

/** kubectl refuses to both set and remove a key in one command. */
export function assertNoSetAndRemove(changes: PairChanges, what: "label" | "annotation"): void {
  if (changes.remove.some((k) => changes.set.has(k))) throw new Error(`can not both modify and remove ${what === "label" ? "a label" : "an annotation"} in the same command`);
}

export interface MapChange {
  readonly next: Record<string, string>;
  /** Keys asked to be removed that were not there. */
  readonly missing: readonly string[];
}

/** The map after KEY=VALUE and KEY- changes; the caller decides whether overwrites were allowed. */
export function changedMap(current: StringMap, changes: PairChanges): MapChange {
  const next: Record<string, string> = { ...current };
  const missing: string[] = [];
  for (const key of changes.remove) {
    if (Object.hasOwn(next, key)) delete next[key];
    else missing.push(key);
  }
  for (const [key, value] of changes.set) next[key] = value;
  return { next, missing };
}

/** Writes a label or annotation map into metadata, leaving no empty map behind (the stored form has none). */
export function setMetadataMap(object: Json, field: "labels" | "annotations", map: Record<string, string>): void {
  const metadata = childObject(object, "metadata");
  if (Object.keys(map).length) metadata[field] = map;
  else delete metadata[field];
}

export function metadataMap(object: Json, field: "labels" | "annotations"): StringMap {
  return metaOf(object)[field];
}
