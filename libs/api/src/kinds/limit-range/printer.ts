/** `capctl get limitranges`: NAME and CREATED AT, in RFC 3339 (printers.go printLimitRange). */
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";

function createdAt(lr: unknown): string {
  const ts = valueAt(lr, "metadata", "creationTimestamp");
  return typeof ts === "string" ? ts.replace(/\.\d+Z$/, "Z") : textOr(ts);
}

export const limitRangePrinter: KindPrinter = {
  headers: ["NAME", "CREATED AT"],
  row: (lr) => [textOr(valueAt(lr, "metadata", "name")), createdAt(lr)],
};
