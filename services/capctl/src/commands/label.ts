import { isDeepStrictEqual } from "node:util";
import { validateLabelKey, validateLabelValue } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import { assertNoSetAndRemove, changedMap, metadataMap, overwrittenKeys, setMetadataMap } from "../metadata-changes.js";
import { modifyObject, type ModifyClient } from "../modify-object.js";
import { qualifiedResource, type Json } from "../printers.js";
import { parsePairs, splitResourcesAndPairs, targetKeys, type PairChanges, type TargetOptions } from "../resource-args.js";

export interface LabelOptions extends TargetOptions {
  readonly overwrite: boolean;
}

export type LabelOutcome = "labeled" | "unlabeled" | "not labeled";

/** `RESOURCE... KEY=VALUE... KEY-...` as kubectl label takes them, with keys and values checked. */
export function parseLabelArgs(args: readonly string[]): { resources: string[]; changes: PairChanges } {
  const { resources, pairs } = splitResourcesAndPairs(args, "label");
  if (pairs.length === 0) throw new Error("at least one label update is required");
  if (resources.length === 0) throw new Error("one or more resources must be specified as <resource> <name> or <resource>/<name>");
  const changes = parsePairs(pairs, "label", true);
  for (const [key, value] of changes.set) {
    const keyErrors = validateLabelKey(key);
    if (keyErrors.length) throw new Error(`invalid label key: "${key}": ${keyErrors.join("; ")}`);
    const valueErrors = validateLabelValue(value);
    if (valueErrors.length) throw new Error(`invalid label value: "${key}=${value}": ${valueErrors.join("; ")}`);
  }
  assertNoSetAndRemove(changes, "label");
  return { resources, changes };
}

/** kubectl label's change to one object, refused when it would change a value without --overwrite. */
export function labelObject(object: Json, changes: PairChanges, overwrite: boolean): { outcome: LabelOutcome; missing: readonly string[] } {
  const current = metadataMap(object, "labels");
  const conflicts = overwrittenKeys(current, changes);
  if (!overwrite && conflicts.length) {
    throw new Error(conflicts.map((c) => `'${c.key}' already has a value (${c.value}), and --overwrite is false`).join("; "));
  }
  const { next, missing } = changedMap(current, changes);
  setMetadataMap(object, "labels", next);
  if (isDeepStrictEqual(next, { ...current })) return { outcome: "not labeled", missing };
  const added = [...changes.set].some(([k, v]) => current[k] !== v);
  return { outcome: added ? "labeled" : "unlabeled", missing };
}

export async function label(client: ModifyClient & Pick<CapstanClient, "list">, args: string[], opts: LabelOptions): Promise<void> {
  const { resources, changes } = parseLabelArgs(args);
  const keys = await targetKeys(client, resources, opts);
  for (const key of keys) {
    const { result } = await modifyObject(client, key, (o) => labelObject(o, changes, opts.overwrite));
    for (const k of result.missing) console.error(`label "${k}" not found.`);
    console.log(`${qualifiedResource(key.kind)}/${key.name} ${result.outcome}`);
  }
}
