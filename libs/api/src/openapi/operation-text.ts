/** How Kubernetes names an operation's group-version in its operation ids and tags, and its responses' text. */
import type { GroupVersionKind } from "./definitions.js";

const responseDescriptions: Readonly<Record<string, string>> = { "200": "OK", "201": "Created", "202": "Accepted" };

export function responseDescription(code: string): string {
  const description = responseDescriptions[code];
  if (!description) throw new Error(`no description for HTTP ${code}`);
  return description;
}

/** The group's first label, "core" for the core group: discovery.k8s.io → discovery. */
function shortGroup(gvk: GroupVersionKind): string {
  return gvk.group.split(".")[0] || "core";
}

const title = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Kubernetes' tag of a group-version's operations: core_v1, apps_v1, discovery_v1. */
export function operationTag(gvk: GroupVersionKind): string {
  return `${shortGroup(gvk)}_${gvk.version}`;
}

/** The group-version in an operation id: CoreV1 (listCoreV1NamespacedPod), DiscoveryV1. */
export function operationPrefix(gvk: GroupVersionKind): string {
  return `${title(shortGroup(gvk))}${title(gvk.version)}`;
}
