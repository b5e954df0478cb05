/** `capctl get priorityclasses`: value and whether it is the global default (printers.go printPriorityClass). */
import { age } from "@capstan/apimachinery";
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";

export const priorityClassPrinter: KindPrinter = {
  headers: ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE"],
  wideHeaders: ["PREEMPTIONPOLICY"],
  row: (pc, now) => [textOr(valueAt(pc, "metadata", "name")), String(pc["value"] ?? 0), String(pc["globalDefault"] === true), age(valueAt(pc, "metadata", "creationTimestamp"), now)],
  wide: (pc) => [textOr(pc["preemptionPolicy"])],
};
