/** `capctl get deployments`: ready of desired, up to date, available (printers.go printDeployment). */
import { age } from "@capstan/apimachinery";
import { countOf, selectorText, textOr, valueAt } from "../../printing/cells.js";
import { templateContainers } from "../../printing/workload.js";
import type { KindPrinter } from "../kind-printer.js";

export const deploymentPrinter: KindPrinter = {
  headers: ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
  wideHeaders: ["CONTAINERS", "IMAGES", "SELECTOR"],
  row: (d, now) => [
    textOr(valueAt(d, "metadata", "name")),
    `${countOf(valueAt(d, "status", "readyReplicas"))}/${countOf(valueAt(d, "spec", "replicas"))}`,
    String(countOf(valueAt(d, "status", "updatedReplicas"))),
    String(countOf(valueAt(d, "status", "availableReplicas"))),
    age(valueAt(d, "metadata", "creationTimestamp"), now),
  ],
  wide: (d) => [...templateContainers(d), selectorText(valueAt(d, "spec", "selector"))],
};
