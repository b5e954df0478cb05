/**
 * The revision history of a StatefulSet (and any kind that keeps it in ControllerRevisions, as a DaemonSet
 * does): each revision holds the owner's template in its data ({"spec":{"template":…}}), which `rollout
 * undo` puts back.
 */
import { isDeepStrictEqual } from "node:util";
import { childObject, fromApiObject, metaOf, objectOf } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import type { Json } from "./printers.js";
import type { RollbackOutcome } from "./deployment-revisions.js";
import { CHANGE_CAUSE_ANNOTATION } from "./well-known.js";

/** One revision as `rollout history` lists it and `rollout undo` restores it. */
export interface HistoryRevision {
  readonly revision: number;
  readonly template: Json;
  readonly changeCause: string | undefined;
}

/** The template a ControllerRevision holds, without the strategic-merge `$patch` directive. */
function templateOf(revision: Json): Json {
  const { $patch: _patch, ...template } = objectOf(objectOf(objectOf(revision["data"])?.["spec"])?.["template"]) ?? {};
  return template;
}

/** The ControllerRevisions the owner controls, oldest first (kubectl's controlledHistory). */
export async function controllerRevisionHistory(client: Pick<CapstanClient, "list">, owner: Json): Promise<HistoryRevision[]> {
  const meta = metaOf(owner);
  const list = await client.list({ kind: "ControllerRevision", namespace: meta.namespace });
  return list.items
    .map((o) => fromApiObject(o).json)
    .filter((r) => metaOf(r).controllerRef?.uid === meta.uid)
    .map((r) => ({ revision: Number(r["revision"] ?? 0), template: templateOf(r), changeCause: metaOf(r).annotations[CHANGE_CAUSE_ANNOTATION] || undefined }))
    .sort((a, b) => a.revision - b.revision);
}

/**
 * The revision `rollout undo` goes back to: the given one, or with 0 the one before the newest
 * (kubectl's findHistory); an owner with one revision has none to go back to.
 */
export function previousRevision(history: readonly HistoryRevision[], toRevision: number): HistoryRevision {
  if (toRevision > 0) {
    const found = history.find((r) => r.revision === toRevision);
    if (!found) throw new Error(`unable to find specified revision ${toRevision} in history`);
    return found;
  }
  const previous = history.at(-2);
  if (!previous) throw new Error("no last revision to roll back to");
  return previous;
}

/** The owner, read for update, takes the revision's template; the same template already is a skip. */
export function restoreTemplate(owner: Json, to: HistoryRevision): RollbackOutcome {
  const spec = childObject(owner, "spec");
  if (isDeepStrictEqual(objectOf(spec["template"]) ?? {}, to.template)) return "skipped";
  spec["template"] = structuredClone(to.template);
  return "rolled back";
}
