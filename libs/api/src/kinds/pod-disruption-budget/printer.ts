/** `capctl get` and `describe` for a PodDisruptionBudget (printers.go printPodDisruptionBudget, describe.go describePodDisruptionBudgetV1). */
import { age } from "@capstan/apimachinery";
import { countOf, selectorText, textOr, valueAt } from "../../printing/cells.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import type { JsonObject } from "../../object-view.js";
import type { KindDescriber, KindPrinter } from "../kind-printer.js";

/** An IntOrString as kubectl prints it (intstr.String), or N/A when unset. */
const intOrStringText = (value: unknown) => (value === undefined || value === null ? "N/A" : String(value));

export const podDisruptionBudgetPrinter: KindPrinter = {
  headers: ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"],
  row: (o, now) => [
    textOr(valueAt(o, "metadata", "name")),
    intOrStringText(valueAt(o, "spec", "minAvailable")),
    intOrStringText(valueAt(o, "spec", "maxUnavailable")),
    String(countOf(valueAt(o, "status", "disruptionsAllowed"))),
    age(valueAt(o, "metadata", "creationTimestamp"), now),
  ],
};

export const podDisruptionBudgetDescriber: KindDescriber = {
  sections(o: JsonObject) {
    const w = new DescribeWriter();
    w.field(0, "Name", valueAt(o, "metadata", "name"));
    w.field(0, "Namespace", valueAt(o, "metadata", "namespace"));
    const minAvailable = valueAt(o, "spec", "minAvailable");
    const maxUnavailable = valueAt(o, "spec", "maxUnavailable");
    if (minAvailable !== undefined) w.field(0, "Min available", minAvailable);
    else if (maxUnavailable !== undefined) w.field(0, "Max unavailable", maxUnavailable);
    const selector = valueAt(o, "spec", "selector");
    w.field(0, "Selector", selector === undefined ? "<unset>" : selectorText(selector));
    w.line("Status:");
    w.field(4, "Allowed disruptions", countOf(valueAt(o, "status", "disruptionsAllowed")));
    w.field(4, "Current", countOf(valueAt(o, "status", "currentHealthy")));
    w.field(4, "Desired", countOf(valueAt(o, "status", "desiredHealthy")));
    w.field(4, "Total", countOf(valueAt(o, "status", "expectedPods")));
    return w.lines;
  },
};
