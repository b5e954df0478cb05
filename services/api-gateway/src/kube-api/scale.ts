/**
 * The scale subresource (autoscaling/v1 Scale) of the workloads that have replicas: a view of the
 * object's spec.replicas, status.replicas and selector, and a write of spec.replicas back into it.
 */
import { labelSelectorToString, LabelSelector, workloadView } from "@capstan/api";
import { field, InvalidError, type FieldError, type JsonObject } from "@capstan/apimachinery";

export function scaleOf(object: JsonObject): JsonObject {
  const w = workloadView(object);
  const meta = w.metadata.json;
  const selector = w.selector;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: Object.fromEntries(["name", "namespace", "uid", "resourceVersion", "creationTimestamp"].filter((k) => meta[k] !== undefined).map((k) => [k, meta[k]])),
    spec: { replicas: w.replicas ?? 0 },
    status: {
      replicas: w.statusReplicas,
      // A ReplicationController's selector is a plain map of labels; the others' a LabelSelector.
      selector: selector === undefined ? "" : labelSelectorToString(LabelSelector.fromJSON(isLabelSelector(selector) ? selector : { matchLabels: selector })),
    },
  };
}

/**
 * The object with the replicas a Scale asks for, and the resourceVersion the Scale names (so a stale
 * Scale is a Conflict on the object, as in Kubernetes); rejects what is not a Scale of this object.
 */
export function scaledObject(current: JsonObject, scale: unknown): JsonObject {
  const s = (typeof scale === "object" && scale !== null && !Array.isArray(scale) ? scale : {}) as JsonObject;
  const metadata = (s["metadata"] ?? {}) as JsonObject;
  const replicas = ((s["spec"] ?? {}) as JsonObject)["replicas"];
  const currentMeta = workloadView(current).metadata;
  const errors: FieldError[] = [];
  if (s["kind"] !== undefined && s["kind"] !== "Scale") errors.push(field.notSupported("kind", s["kind"], ["Scale"]));
  if (metadata["name"] !== undefined && metadata["name"] !== currentMeta.name) {
    errors.push(field.invalid("metadata.name", metadata["name"], `must be ${JSON.stringify(currentMeta.name)}`));
  }
  if (typeof replicas !== "number" || !Number.isInteger(replicas)) errors.push(field.invalid("spec.replicas", replicas, "must be an integer"));
  else if (replicas < 0) errors.push(field.invalid("spec.replicas", replicas, "must be greater than or equal to 0"));
  if (errors.length > 0) throw new InvalidError(`Scale.autoscaling "${currentMeta.name}"`, errors);
  const resourceVersion = metadata["resourceVersion"];
  return {
    ...current,
    metadata: { ...currentMeta.json, ...(typeof resourceVersion === "string" && resourceVersion !== "" ? { resourceVersion } : {}) },
    spec: { ...workloadView(current).spec, replicas },
  };
}

function isLabelSelector(selector: JsonObject): boolean {
  return "matchLabels" in selector || "matchExpressions" in selector;
}
