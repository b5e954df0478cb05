/**
 * The downward API's vocabulary (pkg/apis/core/validation, pkg/fieldpath): which pod fields and container
 * resources an env variable or a downwardAPI volume file may expose, and how a resource is written.
 * Validation and the node agent both read it, so what is accepted is what can be resolved.
 */
import { parseQuantity } from "@capstan/apimachinery";

/** Pod fields an env variable may take; labels and annotations only with a subscript (`metadata.labels['app']`). */
export const envFieldPaths = [
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.serviceAccountName",
  "status.hostIP",
  "status.podIP",
] as const;

/** Pod fields a downwardAPI volume file may hold; labels and annotations whole or by subscript. */
export const volumeFieldPaths = ["metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.uid"] as const;

/** The fields a subscript may select a key of. */
export const subscriptedFieldPaths = ["metadata.labels", "metadata.annotations"] as const;

export const containerResourceFieldPaths = [
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.ephemeral-storage",
] as const;

/** The divisors a cpu resource may be expressed in; any other resource takes the memory divisors. */
export const cpuDivisors = ["1m", "1"];
export const memoryDivisors = ["1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"];

/** `metadata.labels['app']` → path `metadata.labels`, subscript `app`; a path without one as is (fieldpath.SplitMaybeSubscriptedPath). */
export function splitFieldPath(fieldPath: string): { path: string; subscript?: string } {
  const m = /^(.*)\['(.*)'\]$/.exec(fieldPath);
  return m ? { path: m[1]!, subscript: m[2]! } : { path: fieldPath };
}

/**
 * A container resource in units of the divisor, rounded up as the kubelet does
 * (ExtractContainerResourceValue): cpu in millicores over the divisor's, anything else in whole units.
 */
export function resourceInUnits(resource: string, quantity: string, divisor: string): string {
  const q = parseQuantity(quantity);
  const d = parseQuantity(divisor || "1");
  if (resource.endsWith(".cpu")) return String(Math.ceil(q.milliValue() / d.milliValue()));
  return String(Math.ceil(q.value() / d.value()));
}
