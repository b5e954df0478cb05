/** The pod a Job creates from its template (Kubernetes' job controller: podTemplate + addCompletionIndex*). */
import { JOB_COMPLETION_INDEX_ANNOTATION, metaOf, objectOf, type JsonObject, type OwnerReference } from "@capstan/api";

/** What the pod's containers read their index from. */
export const JOB_COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX";

export interface JobPodOwner {
  readonly namespace: string;
  readonly name: string;
  readonly ref: OwnerReference;
  /** spec.template, as stored. */
  readonly template: JsonObject;
}

/** Each container with JOB_COMPLETION_INDEX in its env, unless it sets it itself. */
function withIndexEnv(containers: unknown, index: number): unknown {
  if (!Array.isArray(containers)) return containers;
  return containers.map((c: JsonObject) => {
    const env = Array.isArray(c["env"]) ? (c["env"] as JsonObject[]) : [];
    if (env.some((e) => e["name"] === JOB_COMPLETION_INDEX_ENV)) return c;
    return { ...c, env: [...env, { name: JOB_COMPLETION_INDEX_ENV, value: String(index) }] };
  });
}

/**
 * The pod for one run of the Job: the template's metadata and spec, the Job as its controller, and for
 * an Indexed Job its index as annotation, label and env, its hostname `<job>-<index>` and a name
 * `<job>-<index>-<random>`.
 */
export function jobPod(owner: JobPodOwner, index: number | undefined): JsonObject {
  const templateMeta = metaOf(owner.template).json;
  const labels = { ...(objectOf(templateMeta["labels"]) ?? {}) };
  const annotations = { ...(objectOf(templateMeta["annotations"]) ?? {}) };
  let spec: JsonObject = { ...(objectOf(owner.template["spec"]) ?? {}) };
  if (index !== undefined) {
    labels[JOB_COMPLETION_INDEX_ANNOTATION] = String(index);
    annotations[JOB_COMPLETION_INDEX_ANNOTATION] = String(index);
    spec = {
      ...spec,
      hostname: spec["hostname"] || `${owner.name}-${index}`,
      containers: withIndexEnv(spec["containers"], index),
      ...(spec["initContainers"] ? { initContainers: withIndexEnv(spec["initContainers"], index) } : {}),
    };
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: index === undefined ? `${owner.name}-` : `${owner.name}-${index}-`,
      namespace: owner.namespace,
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [owner.ref],
    },
    spec,
  };
}
