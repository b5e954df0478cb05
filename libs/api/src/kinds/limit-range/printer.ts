/** `capctl get limitranges`: NAME and CREATED AT (printers.go printLimitRange). */
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";

export const limitRangePrinter: KindPrinter = {
  headers: ["NAME", "CREATED AT"],
  row: (lr) => [textOr(valueAt(lr, "metadata", "name")), textOr(valueAt(lr, "metadata", "creationTimestamp"))],
};
