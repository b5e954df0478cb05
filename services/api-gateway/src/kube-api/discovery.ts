/**
 * What kubectl learns before anything else: /version, the API groups and, per group version, its
 * resources — as plain lists (APIVersions, APIGroupList, APIResourceList) and as the aggregated v2
 * discovery (apidiscovery.k8s.io/v2) kubectl 1.32 asks for first, all of it in one round trip.
 */
import { inCategoryAll, supportedKinds, type AnyKindInfo } from "@capstan/api";
import { groupVersions, subresourcesOf, type Subresource } from "./resource-path.js";

export const AGGREGATED_DISCOVERY = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

interface SubresourceShape {
  readonly kind: string;
  /** The group/version of the kind it answers with, when not the parent's. */
  readonly groupVersion?: { group: string; version: string };
  readonly verbs: readonly string[];
}

function subresourceShape(info: AnyKindInfo, sub: Subresource): SubresourceShape {
  switch (sub) {
    case "status":
      return { kind: info.kind, verbs: ["get", "patch", "update"] };
    case "scale":
      return { kind: "Scale", groupVersion: { group: "autoscaling", version: "v1" }, verbs: ["get", "patch", "update"] };
    case "log":
      return { kind: "Pod", verbs: ["get"] };
    case "binding":
      return { kind: "Binding", verbs: ["create"] };
    case "eviction":
      // kubectl drain looks for this entry to evict through the budgets rather than delete.
      return { kind: "Eviction", groupVersion: { group: "policy", version: "v1" }, verbs: ["create"] };
    default:
      return { kind: info.kind, verbs: ["update"] };
  }
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function kindsOf(groupVersion: string): AnyKindInfo[] {
  return supportedKinds().filter((k) => k.apiVersion === groupVersion);
}

/** What `kubectl version` shows of the server: the Kubernetes version whose API it speaks. */
export function versionInfo(): Record<string, string> {
  return {
    major: "1",
    minor: "32",
    gitVersion: "v1.32.0-capstan",
    gitCommit: "",
    gitTreeState: "clean",
    buildDate: "1970-01-01T00:00:00Z",
    goVersion: `node${process.versions.node}`,
    compiler: "tsc",
    platform: `${process.platform}/${process.arch}`,
  };
}

/** GET /api */
export function apiVersions(): Record<string, unknown> {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] };
}

function apiGroup(group: string): Record<string, unknown> {
  const versions = groupVersions()
    .map(splitApiVersion)
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

function namedGroups(): string[] {
  return [...new Set(groupVersions().map((gv) => splitApiVersion(gv).group).filter((g) => g !== ""))];
}

/** GET /apis */
export function apiGroupList(): Record<string, unknown> {
  return { kind: "APIGroupList", apiVersion: "v1", groups: namedGroups().map(apiGroup) };
}

/** GET /apis/<group> */
export function apiGroupOf(group: string): Record<string, unknown> | undefined {
  return namedGroups().includes(group) ? { kind: "APIGroup", apiVersion: "v1", ...apiGroup(group) } : undefined;
}

/** GET /api/v1 or /apis/<group>/<version>: each resource, then each of its subresources as `pods/status`. */
export function apiResourceList(groupVersion: string): Record<string, unknown> | undefined {
  const kinds = kindsOf(groupVersion);
  if (kinds.length === 0) return undefined;
  const resources = kinds.flatMap((info) => [
    {
      name: info.plural,
      singularName: info.singular,
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: VERBS,
      ...(info.shortNames.length > 0 ? { shortNames: info.shortNames } : {}),
      ...(inCategoryAll(info.kind) ? { categories: ["all"] } : {}),
    },
    ...subresourcesOf(info).map((sub) => {
      const shape = subresourceShape(info, sub);
      return {
        name: `${info.plural}/${sub}`,
        singularName: "",
        namespaced: info.namespaced,
        ...(shape.groupVersion ?? {}),
        kind: shape.kind,
        verbs: shape.verbs,
      };
    }),
  ]);
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources };
}

/** GET /api or /apis as apidiscovery.k8s.io/v2: the core group alone, or every named group. */
export function aggregatedDiscovery(core: boolean): Record<string, unknown> {
  const groups = core ? [""] : namedGroups();
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group },
      versions: groupVersions()
        .map(splitApiVersion)
        .filter((gv) => gv.group === group)
        .map(({ version }) => ({
          version,
          freshness: "Current",
          resources: kindsOf(group ? `${group}/${version}` : version).map((info) => ({
            resource: info.plural,
            responseKind: { group, version, kind: info.kind },
            scope: info.namespaced ? "Namespaced" : "Cluster",
            singularResource: info.singular,
            verbs: VERBS,
            ...(info.shortNames.length > 0 ? { shortNames: info.shortNames } : {}),
            ...(inCategoryAll(info.kind) ? { categories: ["all"] } : {}),
            subresources: subresourcesOf(info).map((sub) => {
              const shape = subresourceShape(info, sub);
              return { subresource: sub, responseKind: { ...(shape.groupVersion ?? { group, version }), kind: shape.kind }, verbs: shape.verbs };
            }),
          })),
        })),
    })),
  };
}
