import { eventInterval, formatTable, fromApiObject } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import { sortForDisplay, tableColumns, tableRow, type Json } from "../printers.js";
import { parseTarget } from "./get.js";

export interface EventsOptions {
  readonly namespace: string;
  readonly allNamespaces: boolean;
  /** `--for pod/web`: only the events about that object. */
  readonly for?: string;
  readonly watch: boolean;
}

/** The field selector of `--for KIND/NAME`, as kubectl events builds it. */
export function involvedObjectSelector(target: string): string {
  const { kind, names } = parseTarget([target]);
  if (names.length !== 1) throw new Error(`--for must name one object as TYPE/NAME, e.g. pod/web, got "${target}"`);
  return `involvedObject.kind=${kind},involvedObject.name=${names[0]}`;
}

/** `capctl events`: kubectl events' table (LAST SEEN TYPE REASON OBJECT MESSAGE), oldest first, then new ones as they happen with --watch. */
export async function events(client: Pick<CapstanClient, "list" | "watch">, opts: EventsOptions): Promise<void> {
  const namespace = opts.allNamespaces ? "" : opts.namespace;
  const fieldSelector = opts.for ? involvedObjectSelector(opts.for) : "";
  const t = { wide: false, withNamespace: opts.allNamespaces };
  const list = await client.list({ kind: "Event", namespace, fieldSelector });
  const items = sortForDisplay("Event", list.items.map((o) => fromApiObject(o).json));
  // kubectl events' LAST SEEN counts a repeated event: `10s (x3 over 2m)`.
  const row = (e: Json) => {
    const cells = tableRow("Event", e, t);
    cells[t.withNamespace ? 1 : 0] = eventInterval(e);
    return cells;
  };
  if (items.length > 0) console.log(formatTable(tableColumns("Event", t), items.map(row)));
  else if (!opts.watch) console.error(opts.allNamespaces ? "No events found." : `No events found in ${opts.namespace} namespace.`);
  if (!opts.watch) return;
  let headerShown = items.length > 0;
  const stream = client.watch({ kind: "Event", namespace, fieldSelector, resourceVersion: list.resourceVersion });
  process.once("SIGINT", () => stream.cancel());
  for await (const e of stream) {
    if (!e.object || e.type === "DELETED") continue;
    const [header = "", line = ""] = formatTable(tableColumns("Event", t), [row(fromApiObject(e.object).json)]).split("\n");
    if (!headerShown) console.log(header);
    headerShown = true;
    console.log(line);
  }
}
