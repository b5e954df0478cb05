/**
 * What a container's environment and volumes read from the API, as the kubelet's configmap and secret
 * managers and its downward API give it: ConfigMaps and Secrets of the pod's namespace, the pod's own
 * fields, and the containers' resources (the node's allocatable when a limit is unset).
 */
import { resourceInUnits, splitFieldPath, type ConfigMap, type ObjectFieldSelector, type Pod, type ResourceFieldSelector, type Secret } from "@capstan/api";
import type { PodIdentity } from "./container-env.js";

/** The ConfigMaps and Secrets the agent's informers hold. */
export interface ConfigObjects {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

export const noConfigObjects: ConfigObjects = { configMap: () => undefined, secret: () => undefined };

/** The node facts the downward API exposes. */
export interface NodeFacts {
  hostIP: string;
  allocatable: Readonly<Record<string, string>>;
}

/**
 * Why a container cannot be configured yet: CreateContainerConfigError until the object appears, or,
 * for a volume that cannot be set up, the pod stays ContainerCreating with FailedMount warnings.
 */
export interface ConfigError {
  configError: string;
  failedMount?: boolean;
}

export const isConfigError = (v: unknown): v is ConfigError => typeof v === "object" && v !== null && "configError" in v;

/** The kubelet's configmap and secret managers' NotFound, in their words. */
const notFound = (kind: "configmap" | "secret", name: string): ConfigError => ({ configError: `${kind} "${name}" not found` });

/** What env reads: a ConfigMap's data or a Secret's (decoded as UTF-8); a ConfigMap's binaryData is not for env. */
export function configData(kind: "configmap" | "secret", objects: ConfigObjects, namespace: string, name: string): Record<string, string> | ConfigError {
  if (kind === "configmap") {
    const cm = objects.configMap(namespace, name);
    return cm ? cm.data : notFound(kind, name);
  }
  const secret = objects.secret(namespace, name);
  if (!secret) return notFound(kind, name);
  return Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v).toString("utf8")]));
}

/** What a volume reads: the bytes of each key, a ConfigMap's binaryData too. */
export function configBytes(kind: "configmap" | "secret", objects: ConfigObjects, namespace: string, name: string): Map<string, Uint8Array> | ConfigError {
  if (kind === "secret") {
    const secret = objects.secret(namespace, name);
    return secret ? new Map(Object.entries(secret.data)) : notFound(kind, name);
  }
  const cm = objects.configMap(namespace, name);
  if (!cm) return notFound(kind, name);
  return new Map([...Object.entries(cm.data).map(([k, v]) => [k, Buffer.from(v, "utf8")] as const), ...Object.entries(cm.binaryData)]);
}

/** A pod field the downward API selects (podFieldSelectorRuntimeValue); labels and annotations whole as `k="v"` lines. */
export function podFieldValue(sel: ObjectFieldSelector, pod: Pod, identity: PodIdentity, node: NodeFacts): string {
  const { path, subscript } = splitFieldPath(sel.fieldPath);
  const meta = pod.metadata;
  switch (path) {
    case "metadata.name":
      return identity.name;
    case "metadata.namespace":
      return identity.namespace;
    case "metadata.uid":
      return meta?.uid ?? "";
    case "metadata.labels":
    case "metadata.annotations": {
      const map = (path === "metadata.labels" ? meta?.labels : meta?.annotations) ?? {};
      if (subscript !== undefined) return map[subscript] ?? "";
      return Object.keys(map)
        .sort()
        .map((k) => `${k}=${JSON.stringify(map[k])}`)
        .join("\n");
    }
    case "spec.nodeName":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.podIP":
      return identity.podIP;
    case "status.hostIP":
      return node.hostIP;
    default:
      return "";
  }
}

/**
 * A container's resource in units of the divisor (ExtractResourceValueByContainerNameAndNodeAllocatable):
 * an unset limit is the node's allocatable, an unset request is 0.
 */
export function resourceFieldValue(sel: ResourceFieldSelector, pod: Pod, defaultContainer: string, node: NodeFacts): string | ConfigError {
  const name = sel.containerName || defaultContainer;
  const container = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
  if (!container) return { configError: `container ${name} not found` };
  const [kind, resource] = sel.resource.split(".", 2) as [string, string];
  const set = kind === "limits" ? container.resources?.limits : container.resources?.requests;
  const quantity = set?.[resource] ?? (kind === "limits" ? node.allocatable[resource] : undefined) ?? "0";
  return resourceInUnits(sel.resource, quantity, sel.divisor ?? "1");
}
