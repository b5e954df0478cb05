/** `capctl get controllerrevisions`: the controller that owns it and its number (printers.go printControllerRevision). */
import { age } from "@capstan/apimachinery";
import { textOr, valueAt } from "../../printing/cells.js";
import { metaOf } from "../../object-view.js";
import type { KindPrinter } from "../kind-printer.js";

/** "statefulset.apps/web": the controller's kind.group, lower-case, and its name; "<none>" without one. */
function controllerName(o: Record<string, unknown>): string {
  const ref = metaOf(o).controllerRef;
  if (!ref) return "<none>";
  const group = ref.apiVersion.includes("/") ? ref.apiVersion.split("/")[0] : "";
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ""}/${ref.name}`;
}

export const controllerRevisionPrinter: KindPrinter = {
  headers: ["NAME", "CONTROLLER", "REVISION", "AGE"],
  row: (o, now) => [
    textOr(valueAt(o, "metadata", "name")),
    controllerName(o),
    String(valueAt(o, "revision") ?? 0),
    age(valueAt(o, "metadata", "creationTimestamp"), now),
  ],
};
