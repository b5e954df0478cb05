/** `capctl get nodes`: readiness, roles and versions (printers.go printNode). */
import { age } from "@capstan/apimachinery";
import { itemsAt, NONE, textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";
import { metaOf, type JsonObject } from "../../object-view.js";

const ROLE_LABEL_PREFIX = "node-role.kubernetes.io/";

export const nodePrinter: KindPrinter = {
  headers: ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
  wideHeaders: ["INTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"],
  row(node, now) {
    const ready = itemsAt(node, "status", "conditions").find((c) => c["type"] === "Ready");
    // As kubectl: any Ready status but True (False or Unknown) is NotReady; no Ready condition at all is Unknown.
    let status = ready === undefined ? "Unknown" : ready["status"] === "True" ? "Ready" : "NotReady";
    if (valueAt(node, "spec", "unschedulable") === true) status += ",SchedulingDisabled";
    const roles = Object.keys(metaOf(node).labels)
      .filter((l) => l.startsWith(ROLE_LABEL_PREFIX))
      .map((l) => l.slice(ROLE_LABEL_PREFIX.length));
    return [textOr(valueAt(node, "metadata", "name")), status, roles.join(",") || NONE, age(valueAt(node, "metadata", "creationTimestamp"), now), textOr(valueAt(node, "status", "nodeInfo", "kubeletVersion"))];
  },
  wide(node) {
    const ip = itemsAt(node, "status", "addresses").find((a) => a["type"] === "InternalIP")?.["address"];
    return [textOr(ip), textOr(valueAt(node, "status", "nodeInfo", "osImage")), textOr(valueAt(node, "status", "nodeInfo", "kernelVersion")), textOr(valueAt(node, "status", "nodeInfo", "containerRuntimeVersion"))];
  },
};
