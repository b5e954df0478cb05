/**
 * What the printers and describers of workloads (Deployment, ReplicaSet, ReplicationController) share: their
 * template's containers, describe's header and Conditions table, and the objects a workload controls.
 */
import type { KindName } from "../kinds/kind-map.js";
import type { DescribeLookup } from "../kinds/kind-printer.js";
import { metaOf, type JsonObject } from "../object-view.js";
import { itemsAt, NONE, textOr, valueAt } from "./cells.js";
import type { DescribeWriter } from "./describe-writer.js";
import { formatTable } from "./table.js";

/** CONTAINERS and IMAGES of a workload's pod template, comma-separated as kubectl -o wide prints them. */
export function templateContainers(workload: JsonObject): [string, string] {
  const containers = itemsAt(workload, "spec", "template", "spec", "containers");
  return [containers.map((c) => textOr(c["name"], "")).join(",") || NONE, containers.map((c) => textOr(c["image"], "")).join(",") || NONE];
}

/** Name, Namespace, CreationTimestamp, Selector, Labels, Annotations and Controlled By, as kubectl begins a workload. */
export function describeWorkloadHeader(w: DescribeWriter, workload: JsonObject, selector: string): void {
  const meta = metaOf(workload).json;
  w.field(0, "Name", meta["name"]);
  w.field(0, "Namespace", meta["namespace"]);
  w.field(0, "CreationTimestamp", meta["creationTimestamp"]);
  w.field(0, "Selector", selector);
  w.map(0, "Labels", meta["labels"]);
  w.annotations(0, meta["annotations"]);
  const owner = itemsAt(meta, "ownerReferences").find((r) => r["controller"] === true);
  if (owner) w.field(0, "Controlled By", `${String(owner["kind"])}/${String(owner["name"])}`);
}

/** The Conditions table (Type, Status, Reason); nothing when there are none. */
export function describeConditions(w: DescribeWriter, o: JsonObject): void {
  const conditions = itemsAt(o, "status", "conditions");
  if (!conditions.length) return;
  w.line("Conditions:");
  const rows = conditions.map((c) => [String(c["type"]), String(c["status"]), String(c["reason"] ?? "")]);
  w.block(2, formatTable(["Type", "Status", "Reason"], [["----", "------", "------"], ...rows]));
}

const isControlledBy = (o: JsonObject, uid: unknown): boolean => itemsAt(o, "metadata", "ownerReferences").some((r) => r["controller"] === true && r["uid"] === uid);

/** Objects of `kind` in the owner's namespace that its selector (as selectorText shows it) selects and it controls. */
export async function controlledBy(lookup: DescribeLookup, owner: JsonObject, kind: KindName, selector: string): Promise<JsonObject[]> {
  if (selector === NONE || selector === "<error>") return [];
  const objects = await lookup.list(kind, String(valueAt(owner, "metadata", "namespace") ?? ""), selector);
  return objects.filter((o) => isControlledBy(o, valueAt(owner, "metadata", "uid")));
}
