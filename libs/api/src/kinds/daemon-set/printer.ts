/** `capctl get` and `describe` for a DaemonSet: nodes desired, scheduled, ready, updated, available (printers.go printDaemonSet). */
import { age } from "@capstan/apimachinery";
import { countOf, mapSelectorText, selectorText, textOr, valueAt } from "../../printing/cells.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import { controlledBy, describeConditions, describeWorkloadHeader, templateContainers } from "../../printing/workload.js";
import type { DescribeLookup, KindDescriber, KindPrinter } from "../kind-printer.js";
import { workloadView, type JsonObject } from "../../object-view.js";
import { describePodTemplate } from "../pod/describe.js";

const count = (o: JsonObject, name: string) => String(countOf(valueAt(o, "status", name)));
const nodeSelectorText = (o: JsonObject) => mapSelectorText(valueAt(o, "spec", "template", "spec", "nodeSelector"));

export const daemonSetPrinter: KindPrinter = {
  headers: ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
  wideHeaders: ["CONTAINERS", "IMAGES", "SELECTOR"],
  row: (ds, now) => [
    textOr(valueAt(ds, "metadata", "name")),
    count(ds, "desiredNumberScheduled"),
    count(ds, "currentNumberScheduled"),
    count(ds, "numberReady"),
    count(ds, "updatedNumberScheduled"),
    count(ds, "numberAvailable"),
    nodeSelectorText(ds),
    age(valueAt(ds, "metadata", "creationTimestamp"), now),
  ],
  wide: (ds) => [...templateContainers(ds), selectorText(valueAt(ds, "spec", "selector"))],
};

/** kubectl's describeDaemonSet: the node counts, the pods' phases, the template, conditions. */
async function describeDaemonSet(ds: JsonObject, lookup: DescribeLookup): Promise<readonly string[]> {
  const w = new DescribeWriter();
  const selector = selectorText(valueAt(ds, "spec", "selector"));
  describeWorkloadHeader(w, ds, selector);
  w.field(0, "Node-Selector", nodeSelectorText(ds));
  w.field(0, "Desired Number of Nodes Scheduled", count(ds, "desiredNumberScheduled"));
  w.field(0, "Current Number of Nodes Scheduled", count(ds, "currentNumberScheduled"));
  w.field(0, "Number of Nodes Scheduled with Up-to-date Pods", count(ds, "updatedNumberScheduled"));
  w.field(0, "Number of Nodes Scheduled with Available Pods", count(ds, "numberAvailable"));
  w.field(0, "Number of Nodes Misscheduled", count(ds, "numberMisscheduled"));
  const phases = (await controlledBy(lookup, ds, "Pod", selector)).map((p) => valueAt(p, "status", "phase"));
  const n = (phase: string) => phases.filter((p) => p === phase).length;
  w.field(0, "Pods Status", `${n("Running")} Running / ${n("Pending")} Waiting / ${n("Succeeded")} Succeeded / ${n("Failed")} Failed`);
  describePodTemplate(w, workloadView(ds).template);
  describeConditions(w, ds);
  return w.lines;
}

export const daemonSetDescriber: KindDescriber = { sections: describeDaemonSet };
