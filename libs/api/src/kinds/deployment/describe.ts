/** `capctl describe deployment`: replicas, strategy, template, conditions, and its old and new ReplicaSets. */
import { isDeepStrictEqual } from "node:util";
import { NONE, selectorText, valueAt } from "../../printing/cells.js";
import { DescribeWriter } from "../../printing/describe-writer.js";
import { controlledBy, describeConditions } from "../../printing/workload.js";
import type { DescribeLookup, KindDescriber } from "../kind-printer.js";
import { metaOf, objectOf, statusOf, workloadView, type JsonObject } from "../../object-view.js";
import { describePodTemplate } from "../pod/describe.js";

/** A ReplicaSet's template with the label its Deployment adds, for comparing with the Deployment's. */
function templateWithoutHash(rs: JsonObject): unknown {
  const template = workloadView(rs).template ?? {};
  const labels: Record<string, string> = { ...metaOf(template).labels };
  delete labels["pod-template-hash"];
  const metadata: JsonObject = { ...metaOf(template).json, labels };
  if (Object.keys(labels).length === 0) delete metadata["labels"];
  return { ...template, metadata };
}

async function describeDeployment(d: JsonObject, lookup: DescribeLookup): Promise<readonly string[]> {
  const w = new DescribeWriter();
  const selector = selectorText(valueAt(d, "spec", "selector"));
  // kubectl's describeDeployment: the selector after the annotations, unlike the other workloads.
  const meta = metaOf(d).json;
  w.field(0, "Name", meta["name"]);
  w.field(0, "Namespace", meta["namespace"]);
  w.field(0, "CreationTimestamp", meta["creationTimestamp"]);
  w.map(0, "Labels", meta["labels"]);
  w.annotations(0, meta["annotations"]);
  w.field(0, "Selector", selector);
  const status = statusOf(d);
  const count = (k: string) => String(status[k] ?? 0);
  w.field(0, "Replicas", `${String(valueAt(d, "spec", "replicas") ?? 0)} desired | ${count("updatedReplicas")} updated | ${count("replicas")} total | ${count("availableReplicas")} available | ${count("unavailableReplicas")} unavailable`);
  const strategy = String(valueAt(d, "spec", "strategy", "type") ?? "");
  w.field(0, "StrategyType", strategy);
  w.field(0, "MinReadySeconds", String(valueAt(d, "spec", "minReadySeconds") ?? 0));
  if (strategy === "RollingUpdate") {
    const ru = objectOf(valueAt(d, "spec", "strategy", "rollingUpdate")) ?? {};
    w.field(0, "RollingUpdateStrategy", `${String(ru["maxUnavailable"] ?? "")} max unavailable, ${String(ru["maxSurge"] ?? "")} max surge`);
  }
  const template = workloadView(d).template;
  describePodTemplate(w, template);
  describeConditions(w, d);
  const replicaSets = await controlledBy(lookup, d, "ReplicaSet", selector);
  const shown = (rs: JsonObject) => `${String(valueAt(rs, "metadata", "name"))} (${String(valueAt(rs, "status", "replicas") ?? 0)}/${String(valueAt(rs, "spec", "replicas") ?? 0)} replicas created)`;
  const isNew = (rs: JsonObject) => isDeepStrictEqual(templateWithoutHash(rs), templateWithoutHash({ spec: { template } }));
  const newRS = replicaSets.find(isNew);
  const old = replicaSets.filter((rs) => rs !== newRS);
  w.field(0, "OldReplicaSets", old.length ? old.map(shown).join(", ") : NONE);
  w.field(0, "NewReplicaSet", newRS ? shown(newRS) : NONE);
  return w.lines;
}

export const deploymentDescriber: KindDescriber = { sections: describeDeployment };
