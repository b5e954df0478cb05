import { formatTable, fromApiObject, type HistoryEvent } from "@capstan/api";
import { age } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import { changeLine, diffObjects } from "../object-diff.js";
import type { Json } from "../printers.js";
import { parseTarget } from "./get.js";

export interface HistoryOptions {
  readonly namespace: string;
  /** `-p`: under each revision, what it changed from the one before. */
  readonly patch: boolean;
  /** What AGE counts from, ms since the epoch; unset: now. */
  readonly now?: number;
}

const HEADERS = ["REVISION", "AGE", "ACTOR", "VERB", "TYPE", "TRACE"];

/** The history table; with `patch`, each row is followed by its changes, indented. */
export function historyText(events: readonly HistoryEvent[], opts: Pick<HistoryOptions, "patch" | "now">): string {
  const now = opts.now ?? Date.now();
  const rows = events.map((e) => [String(e.revision), age(e.time, now), e.actor, e.verb || "<none>", e.type, e.traceId || "<none>"]);
  const [header = "", ...lines] = formatTable(HEADERS, rows).split("\n");
  if (!opts.patch) return [header, ...lines].join("\n");
  const objects = events.map((e): Json => (e.object ? fromApiObject(e.object).json : {}));
  return [header, ...lines.flatMap((line, i) => (i === 0 ? [line] : [line, ...diffObjects(objects[i - 1]!, objects[i]!).map((c) => `    ${changeLine(c)}`)]))].join("\n");
}

/** `capctl history deployment/web [-p]`: every change the event log holds of one object, oldest first. */
export async function history(client: Pick<CapstanClient, "history">, args: string[], opts: HistoryOptions): Promise<void> {
  const { kind, names } = parseTarget(args);
  if (names.length !== 1) throw new Error("you must specify one resource by type and name, e.g. capctl history deployment/web");
  const { events, compactedRevision } = await client.history({ kind, namespace: opts.namespace, name: names[0]! });
  console.log(historyText(events, opts));
  // On stderr, as kubectl's notes are, so the table stays the whole of stdout.
  if (compactedRevision > 0) console.error(`(the log is compacted to revision ${compactedRevision}: earlier changes may be gone)`);
}
