/** `capctl get resourcequotas`: used/hard of each resource, limits.* in LIMIT and the rest in REQUEST (printers.go printResourceQuota). */
import { age } from "@capstan/apimachinery";
import { objectOf, statusOf } from "../../object-view.js";
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";

const isLimit = (resource: string): boolean => resource.startsWith("limits.");

/** The quota's resources in order, each with its used and hard text as status holds them. */
export function quotaLines(quota: unknown): { resource: string; used: string; hard: string }[] {
  const hard = objectOf(statusOf(quota)["hard"]) ?? {};
  const used = objectOf(statusOf(quota)["used"]) ?? {};
  return Object.keys(hard)
    .sort()
    .map((resource) => ({ resource, used: String(used[resource] ?? "0"), hard: String(hard[resource]) }));
}

function column(quota: unknown, limits: boolean): string {
  return quotaLines(quota)
    .filter((l) => isLimit(l.resource) === limits)
    .map((l) => `${l.resource}: ${l.used}/${l.hard}`)
    .join(", ");
}

export const resourceQuotaPrinter: KindPrinter = {
  headers: ["NAME", "AGE", "REQUEST", "LIMIT"],
  row: (quota, now) => [textOr(valueAt(quota, "metadata", "name")), age(valueAt(quota, "metadata", "creationTimestamp"), now), column(quota, false), column(quota, true)],
};
