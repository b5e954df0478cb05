/** `capctl get namespaces`: its phase (printers.go printNamespace). */
import { age } from "@capstan/apimachinery";
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";

export const namespacePrinter: KindPrinter = {
  headers: ["NAME", "STATUS", "AGE"],
  row: (ns, now) => [textOr(valueAt(ns, "metadata", "name")), textOr(valueAt(ns, "status", "phase"), "Active"), age(valueAt(ns, "metadata", "creationTimestamp"), now)],
};
