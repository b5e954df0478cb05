/** `capctl get` and `describe` for a StatefulSet (printers.go printStatefulSet, describe.go StatefulSetDescriber). */
import { age } from "@capstan/apimachinery";
import { countOf, itemsAt, selectorText, textOr, valueAt } from "../../printing/cells.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import { controlledBy, describeConditions, describeWorkloadHeader, templateContainers } from "../../printing/workload.js";
import { workloadView, type JsonObject } from "../../object-view.js";
import type { DescribeLookup, KindDescriber, KindPrinter } from "../kind-printer.js";
import { describePodTemplate } from "../pod/describe.js";

export const statefulSetPrinter: KindPrinter = {
  headers: ["NAME", "READY", "AGE"],
  wideHeaders: ["CONTAINERS", "IMAGES"],
  row: (o, now) => [
    textOr(valueAt(o, "metadata", "name")),
    `${countOf(valueAt(o, "status", "readyReplicas"))}/${countOf(valueAt(o, "spec", "replicas"))}`,
    age(valueAt(o, "metadata", "creationTimestamp"), now),
  ],
  wide: (o) => templateContainers(o),
};

/** The claim templates as kubectl lists them under Volume Claims. */
function describeVolumeClaims(w: DescribeWriter, o: JsonObject): void {
  const templates = itemsAt(o, "spec", "volumeClaimTemplates");
  if (templates.length === 0) {
    w.field(0, "Volume Claims", "<none>");
    return;
  }
  w.line("Volume Claims:");
  for (const t of templates) {
    w.field(2, "Name", valueAt(t, "metadata", "name"));
    w.field(2, "StorageClass", valueAt(t, "spec", "storageClassName") ?? "");
    w.map(2, "Labels", valueAt(t, "metadata", "labels"));
    w.annotations(2, valueAt(t, "metadata", "annotations"));
    w.field(2, "Capacity", valueAt(t, "spec", "resources", "requests", "storage") ?? "<default>");
    w.field(2, "Access Modes", `[${(valueAt(t, "spec", "accessModes") as string[] | undefined)?.join(" ") ?? ""}]`);
  }
}

export const statefulSetDescriber: KindDescriber = {
  async sections(o: JsonObject, lookup: DescribeLookup) {
    const w = new DescribeWriter();
    const selector = selectorText(valueAt(o, "spec", "selector"));
    describeWorkloadHeader(w, o, selector);
    w.field(0, "Replicas", `${countOf(valueAt(o, "spec", "replicas"))} desired | ${countOf(valueAt(o, "status", "replicas"))} total`);
    const strategy = textOr(valueAt(o, "spec", "updateStrategy", "type"), "RollingUpdate");
    w.field(0, "Update Strategy", strategy);
    const partition = valueAt(o, "spec", "updateStrategy", "rollingUpdate", "partition");
    if (strategy === "RollingUpdate" && partition !== undefined) w.field(2, "Partition", partition);
    const phases = (await controlledBy(lookup, o, "Pod", selector)).map((p) => valueAt(p, "status", "phase"));
    const n = (phase: string) => phases.filter((p) => p === phase).length;
    w.field(0, "Pods Status", `${n("Running")} Running / ${n("Pending")} Waiting / ${n("Succeeded")} Succeeded / ${n("Failed")} Failed`);
    describePodTemplate(w, workloadView(o).template);
    describeVolumeClaims(w, o);
    describeConditions(w, o);
    return w.lines;
  },
};
