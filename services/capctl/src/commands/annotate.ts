import type { CapstanClient } from "@capstan/client";
import { assertNoSetAndRemove, changedMap, metadataMap, overwrittenKeys, setMetadataMap } from "../metadata-changes.js";
import { modifyObject, type ModifyClient } from "../modify-object.js";
import { qualifiedResource, type Json } from "../printers.js";
import { parsePairs, splitResourcesAndPairs, targetKeys, type PairChanges, type TargetOptions } from "../resource-args.js";
import { CHANGE_CAUSE_ANNOTATION } from "../well-known.js";

export interface AnnotateOptions extends TargetOptions {
  readonly overwrite: boolean;
}

/** `RESOURCE... KEY=VALUE... KEY-...` as kubectl annotate takes them. */
export function parseAnnotateArgs(args: readonly string[]): { resources: string[]; changes: PairChanges } {
  const { resources, pairs } = splitResourcesAndPairs(args, "annotation");
  if (pairs.length === 0) throw new Error("at least one annotation update is required");
  if (resources.length === 0) throw new Error("one or more resources must be specified as <resource> <name> or <resource>/<name>");
  const changes = parsePairs(pairs, "annotation", true);
  assertNoSetAndRemove(changes, "annotation");
  return { resources, changes };
}

/** kubectl annotate's change to one object, refused when it would change a value without --overwrite. */
export function annotateObject(object: Json, changes: PairChanges, overwrite: boolean): void {
  const current = metadataMap(object, "annotations");
  // The change cause may be replaced without --overwrite: each command records its own.
  const conflicts = overwrittenKeys(current, changes).filter((c) => c.key !== CHANGE_CAUSE_ANNOTATION);
  if (!overwrite && conflicts.length) {
    const found = conflicts.map((c) => `'${c.key}' already has a value (${c.value})`).join("; ");
    throw new Error(`--overwrite is false but found the following declared annotation(s): ${found}`);
  }
  setMetadataMap(object, "annotations", changedMap(current, changes).next);
}

export async function annotate(client: ModifyClient & Pick<CapstanClient, "list">, args: string[], opts: AnnotateOptions): Promise<void> {
  const { resources, changes } = parseAnnotateArgs(args);
  const keys = await targetKeys(client, resources, opts);
  for (const key of keys) {
    await modifyObject(client, key, (o) => annotateObject(o, changes, opts.overwrite));
    console.log(`${qualifiedResource(key.kind)}/${key.name} annotated`);
  }
}
