/**
 * The Kubernetes API's resource paths: `/api/v1/namespaces/{ns}/pods/{name}/log`,
 * `/apis/apps/v1/deployments`, … read into the kind they address (k8s.io/apiserver's RequestInfo).
 */
import { supportedKinds, type AnyKindInfo } from "@capstan/api";
import { notFoundPath } from "./status.js";

/** The subresources a kind serves, with their verbs; the main resource's verbs are the same for every kind. */
export type Subresource = "status" | "scale" | "log" | "binding" | "eviction" | "finalize" | "exec" | "attach";

export interface ResourcePath {
  readonly info: AnyKindInfo;
  /** "" for a cluster-scoped kind, and for a namespaced one listed across namespaces. */
  readonly namespace: string;
  /** "" for the collection. */
  readonly name: string;
  readonly subresource: Subresource | undefined;
}

const SCALED_KINDS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"]);

/** The subresources of a kind, in the order discovery lists them. */
export function subresourcesOf(info: AnyKindInfo): readonly Subresource[] {
  const subs: Subresource[] = ["status"];
  if (SCALED_KINDS.has(info.kind)) subs.push("scale");
  if (info.kind === "Pod") subs.push("log", "binding", "eviction");
  if (info.finalize) subs.push("finalize");
  return subs;
}

/** The API versions served, as `/api/v1` and `/apis/<group>/<version>` name them: "v1", "apps/v1". */
export function groupVersions(): readonly string[] {
  return [...new Set(supportedKinds().map((k) => k.apiVersion))];
}

/**
 * The resource a path under /api or /apis names. Throws the apiserver's 404 for a path that names no
 * served resource (an unknown group, version, resource or subresource).
 */
export function parseResourcePath(pathname: string): ResourcePath {
  const segments = pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
  let rest: string[];
  let apiVersion: string;
  if (segments[0] === "api" && segments[1] === "v1") {
    apiVersion = "v1";
    rest = segments.slice(2);
  } else if (segments[0] === "apis" && segments.length >= 3) {
    apiVersion = `${segments[1]}/${segments[2]}`;
    rest = segments.slice(3);
  } else throw notFoundPath();

  let namespace = "";
  // `namespaces/{ns}/{resource}…` addresses a namespaced resource; `/api/v1/namespaces/{name}/{sub}` a namespace's subresource.
  if (rest[0] === "namespaces" && rest.length >= 3 && !(apiVersion === "v1" && isNamespaceSubresource(rest[2]!))) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [plural, name = "", sub, ...extra] = rest;
  const info = supportedKinds().find((k) => k.plural === plural && k.apiVersion === apiVersion);
  if (!info || extra.length > 0 || (namespace !== "" && !info.namespaced)) throw notFoundPath();
  if (sub !== undefined && !servedSubresources(info).includes(sub)) throw notFoundPath();
  return { info, namespace, name, subresource: sub as Subresource | undefined };
}

/** Its subresources, and a pod's exec and attach (WebSocket upgrades, kube-api/exec-websocket.ts). */
function servedSubresources(info: AnyKindInfo): readonly string[] {
  return info.kind === "Pod" ? [...subresourcesOf(info), "exec", "attach"] : subresourcesOf(info);
}

function isNamespaceSubresource(segment: string): boolean {
  return segment === "status" || segment === "finalize";
}
