import type { Attributes } from "@opentelemetry/api";

/** The part of a Kubernetes-shaped object a span names. */
export interface TracedObject {
  readonly kind?: unknown;
  readonly metadata?: unknown;
}

/**
 * A span's attributes for the object it writes or reconciles: the semantic conventions' k8s.<kind>.name
 * and .uid (k8s.pod.name, k8s.replicaset.uid), k8s.namespace.name, and capstan.revision, the object's
 * resourceVersion as of the span (the revision written, or the one reconciled).
 */
export function objectAttributes(obj: TracedObject): Attributes {
  if (typeof obj.kind !== "string" || obj.kind === "" || typeof obj.metadata !== "object" || obj.metadata === null) return {};
  const meta = obj.metadata as Record<string, unknown>;
  const prefix = `k8s.${obj.kind.toLowerCase()}`;
  const out: Attributes = {};
  if (typeof meta["name"] === "string") out[`${prefix}.name`] = meta["name"];
  if (typeof meta["uid"] === "string" && meta["uid"] !== "") out[`${prefix}.uid`] = meta["uid"];
  if (typeof meta["namespace"] === "string" && meta["namespace"] !== "") out["k8s.namespace.name"] = meta["namespace"];
  const revision = Number(meta["resourceVersion"]);
  if (Number.isSafeInteger(revision) && revision > 0) out["capstan.revision"] = revision;
  return out;
}
