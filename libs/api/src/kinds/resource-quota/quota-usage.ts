/**
 * What one object uses of a namespace's quota (Kubernetes' pkg/quota/v1/evaluator/core and the generic
 * object count evaluator): every namespaced object counts as `count/<plural>[.<group>]`, the core kinds
 * quota has always counted also under their plural (services, configmaps, ...), a pod that has not
 * ended uses pods, requests and limits, and a claim uses its storage request.
 */
import type { JsonObject } from "@capstan/apimachinery";
import { arrayOf, objectOf, specOf, statusOf, stringOf } from "../../object-view.js";
import { podLimits, podRequests } from "../../pod-resources.js";
import { amountOf, amountsOf, type Amounts } from "./resource-amounts.js";

/** What quota needs of a kind: its name and the resource it is served as. */
export interface CountedKind {
  readonly kind: string;
  readonly plural: string;
  readonly group: string;
}

/** count/pods, count/deployments.apps (ObjectCountQuotaResourceNameFor). */
export function objectCountName(k: CountedKind): string {
  return `count/${k.plural}${k.group === "" ? "" : `.${k.group}`}`;
}

/** Core kinds quota counted by plural before count/<resource> existed. */
const LEGACY_OBJECT_COUNTS = new Set(["services", "configmaps", "secrets", "persistentvolumeclaims", "replicationcontrollers", "resourcequotas"]);

const POD_COMPUTE_RESOURCES = ["pods", "cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

/** Every resource an object of the kind may use: a quota naming none of them needs not read that kind. */
export function resourcesOf(k: CountedKind): string[] {
  const names = [objectCountName(k)];
  if (k.group === "" && LEGACY_OBJECT_COUNTS.has(k.plural)) names.push(k.plural);
  if (k.kind === "Pod") names.push(...POD_COMPUTE_RESOURCES);
  if (k.kind === "PersistentVolumeClaim") names.push("requests.storage");
  return names;
}

/** The object's usage, by resource name. */
export function usageOf(k: CountedKind, object: JsonObject): Amounts {
  const usage: Amounts = new Map([[objectCountName(k), 1]]);
  if (k.group === "" && LEGACY_OBJECT_COUNTS.has(k.plural)) usage.set(k.plural, 1);
  if (k.kind === "Pod") for (const [name, n] of podUsage(object)) usage.set(name, n);
  if (k.kind === "PersistentVolumeClaim") {
    const storage = objectOf(objectOf(specOf(object)["resources"])?.["requests"])?.["storage"];
    if (typeof storage === "string" || typeof storage === "number") usage.set("requests.storage", amountOf("requests.storage", storage));
  }
  return usage;
}

/** A pod that reached Succeeded or Failed no longer holds compute quota (QuotaV1Pod); its object count stays. */
export function isTerminalPod(pod: JsonObject): boolean {
  const phase = stringOf(statusOf(pod)["phase"]);
  return phase === "Succeeded" || phase === "Failed";
}

function podUsage(pod: JsonObject): Amounts {
  if (isTerminalPod(pod)) return new Map();
  const requests = podRequests(pod);
  const limits = podLimits(pod);
  return new Map([
    ["pods", 1],
    ["cpu", requests.milliCpu],
    ["requests.cpu", requests.milliCpu],
    ["memory", requests.memoryBytes],
    ["requests.memory", requests.memoryBytes],
    ["limits.cpu", limits.milliCpu],
    ["limits.memory", limits.memoryBytes],
  ]);
}

/** The compute resources each container must name when a quota limits them (validationSet). */
const REQUIRED_PER_CONTAINER: ReadonlyMap<string, { readonly list: "requests" | "limits"; readonly resource: string }> = new Map([
  ["cpu", { list: "requests", resource: "cpu" }],
  ["requests.cpu", { list: "requests", resource: "cpu" }],
  ["memory", { list: "requests", resource: "memory" }],
  ["requests.memory", { list: "requests", resource: "memory" }],
  ["limits.cpu", { list: "limits", resource: "cpu" }],
  ["limits.memory", { list: "limits", resource: "memory" }],
]);

/**
 * Why a pod may not be counted against a quota of these hard limits: a container that does not name a
 * compute resource the quota limits ("must specify limits.cpu for: app; requests.memory for: app,sidecar"),
 * as the pod evaluator's Constraints; undefined when every container names them.
 */
export function podConstraintsError(pod: JsonObject, hard: ReadonlyMap<string, unknown>): string | undefined {
  const missing = new Map<string, Set<string>>();
  const containers = [...arrayOf(specOf(pod)["containers"]), ...arrayOf(specOf(pod)["initContainers"])].map((c) => objectOf(c) ?? {});
  for (const [quotaName, { list, resource }] of REQUIRED_PER_CONTAINER) {
    if (!hard.has(quotaName)) continue;
    for (const c of containers) {
      if (amountsOf(objectOf(c["resources"])?.[list]).has(resource)) continue;
      const names = missing.get(quotaName) ?? new Set<string>();
      names.add(stringOf(c["name"]));
      missing.set(quotaName, names);
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...(missing.get(r) ?? [])].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}
