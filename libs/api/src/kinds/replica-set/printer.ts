/** `capctl get` and `describe` for a ReplicaSet: desired, current and ready replicas (printers.go printReplicaSet). */
import { age } from "@capstan/apimachinery";
import { countOf, selectorText, textOr, valueAt } from "../../printing/cells.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import { controlledBy, describeConditions, describeWorkloadHeader, templateContainers } from "../../printing/workload.js";
import type { DescribeLookup, KindDescriber, KindPrinter } from "../kind-printer.js";
import { workloadView, type JsonObject } from "../../object-view.js";
import { describePodTemplate } from "../pod/describe.js";

/** NAME DESIRED CURRENT READY AGE, and the template and selector wide; `selector` prints spec.selector. */
export function replicaCountsPrinter(selector: (value: unknown) => string): KindPrinter {
  return {
    headers: ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
    wideHeaders: ["CONTAINERS", "IMAGES", "SELECTOR"],
    row: (o, now) => [
      textOr(valueAt(o, "metadata", "name")),
      String(countOf(valueAt(o, "spec", "replicas"))),
      String(countOf(valueAt(o, "status", "replicas"))),
      String(countOf(valueAt(o, "status", "readyReplicas"))),
      age(valueAt(o, "metadata", "creationTimestamp"), now),
    ],
    wide: (o) => [...templateContainers(o), selector(valueAt(o, "spec", "selector"))],
  };
}

/** kubectl describe of a replicated set of pods: replicas, the pods' phases, the template, conditions. */
export function replicaCountsDescriber(selector: (value: unknown) => string): KindDescriber {
  return {
    async sections(o: JsonObject, lookup: DescribeLookup) {
      const w = new DescribeWriter();
      const shown = selector(valueAt(o, "spec", "selector"));
      describeWorkloadHeader(w, o, shown);
      w.field(0, "Replicas", `${String(valueAt(o, "status", "replicas") ?? 0)} current / ${String(valueAt(o, "spec", "replicas") ?? 0)} desired`);
      const phases = (await controlledBy(lookup, o, "Pod", shown)).map((p) => valueAt(p, "status", "phase"));
      const n = (phase: string) => phases.filter((p) => p === phase).length;
      w.field(0, "Pods Status", `${n("Running")} Running / ${n("Pending")} Waiting / ${n("Succeeded")} Succeeded / ${n("Failed")} Failed`);
      describePodTemplate(w, workloadView(o).template);
      describeConditions(w, o);
      return w.lines;
    },
  };
}

export const replicaSetPrinter = replicaCountsPrinter(selectorText);
export const replicaSetDescriber = replicaCountsDescriber(selectorText);
