import { fromApiObject, podTemplateText, childObject, objectOf } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import type { HistoryRevision } from "../controller-revisions.js";
import { rolloutRef } from "../rollout-kinds.js";
import { qualifiedResource, type Json } from "../printers.js";
import { CHANGE_CAUSE_ANNOTATION } from "../well-known.js";

/** kubectl's REVISION / CHANGE-CAUSE table (a tabwriter with two spaces of padding). */
export function historyTable(history: readonly HistoryRevision[]): string {
  if (history.length === 0) return "No rollout history found.";
  const width = Math.max("REVISION".length, ...history.map((r) => String(r.revision).length)) + 2;
  const rows = history.map((r) => `${String(r.revision).padEnd(width)}${r.changeCause ?? "<none>"}`);
  return [`${"REVISION".padEnd(width)}CHANGE-CAUSE`, ...rows].join("\n");
}

/** One revision's pod template as kubectl prints it, with the change cause among its annotations. */
export function revisionText(history: readonly HistoryRevision[], revision: number): string {
  const found = history.find((r) => r.revision === revision);
  if (!found) throw new Error(`unable to find the specified revision ${revision}`);
  const template = structuredClone(found.template);
  if (found.changeCause) {
    const metadata = childObject(template, "metadata");
    metadata["annotations"] = { ...objectOf(metadata["annotations"]), [CHANGE_CAUSE_ANNOTATION]: found.changeCause };
  }
  return podTemplateText(template);
}

export async function rolloutHistory(client: Pick<CapstanClient, "get" | "list">, args: string[], opts: { namespace: string; revision?: number }): Promise<void> {
  const ref = rolloutRef(args, "history");
  const owner = fromApiObject(await client.get({ kind: ref.kind, namespace: opts.namespace, name: ref.name })).json;
  const history = await ref.rollout.history(client, owner);
  const name = `${qualifiedResource(ref.kind)}/${ref.name}`;
  if (opts.revision !== undefined && opts.revision > 0) {
    const text = revisionText(history, opts.revision);
    console.log(`${name} with revision #${opts.revision}\n${text}`);
  } else {
    console.log(`${name}\n${historyTable(history)}`);
  }
}
