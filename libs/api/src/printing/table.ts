/** kubectl's tables: a kind's printer laid out in columns, with NAMESPACE first across namespaces. */
import { age } from "@capstan/apimachinery";
import type { KindPrinter } from "../kinds/kind-printer.js";
import type { JsonObject } from "../kinds/kind-strategy.js";
import { textOr, valueAt } from "./cells.js";

/** kubectl's table for a kind it has no columns for. */
export const defaultPrinter: KindPrinter = {
  headers: ["NAME", "AGE"],
  row: (o, now) => [textOr(valueAt(o, "metadata", "name")), age(valueAt(o, "metadata", "creationTimestamp"), now)],
};

/** kubectl's column layout: left-aligned, at least three spaces between columns, upper-case headers. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]! + 3)))
      .join("")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

export interface TableOptions {
  /** `-o wide`: the printer's wide columns too. */
  readonly wide: boolean;
  /** A NAMESPACE column first (`-A` for a namespaced kind). */
  readonly withNamespace: boolean;
  /** What AGE counts from, ms since the epoch; unset: now. */
  readonly now?: number;
}

/** The headers of a printer's table. */
export function printerColumns(printer: KindPrinter, opts: TableOptions): string[] {
  return [...(opts.withNamespace ? ["NAMESPACE"] : []), ...printer.headers, ...(opts.wide ? (printer.wideHeaders ?? []) : [])];
}

/** One object's cells in a printer's table, under printerColumns. */
export function printerRow(printer: KindPrinter, object: JsonObject, opts: TableOptions): string[] {
  const now = opts.now ?? Date.now();
  const cells = [...printer.row(object, now), ...(opts.wide ? (printer.wide?.(object, now) ?? []) : [])];
  return [...(opts.withNamespace ? [textOr(valueAt(object, "metadata", "namespace"), "")] : []), ...cells];
}
