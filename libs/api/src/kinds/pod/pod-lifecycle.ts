/** What a pod may change in an update, and how long its deletion takes (Kubernetes' pod strategy). */
import { isDeepStrictEqual } from "node:util";
import { field, InvalidError, type JsonObject, type ObjectKey } from "@capstan/apimachinery";
import type { DeletionStrategy } from "../kind-strategy.js";
import { arrayOf, metaOf, specOf as spec, statusOf } from "../../object-view.js";
import { DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS } from "./defaults.js";

/** Fields of a Pod spec that an update may change, as in Kubernetes. */
function withoutMutablePodFields(podSpec: JsonObject): JsonObject {
  // Absent stays absent (undefined), so an update that only adds an empty list is still a change.
  const containers = Array.isArray(podSpec["containers"]) ? arrayOf<JsonObject>(podSpec["containers"]).map(({ image: _image, ...rest }) => rest) : undefined;
  const { tolerations: _tolerations, activeDeadlineSeconds: _deadline, schedulingGates: _gates, ...rest } = podSpec;
  return { ...rest, containers };
}

/** Scheduling gates may only be removed (whoever held the pod back lets it go), never added. */
function addedSchedulingGate(before: JsonObject, after: JsonObject): string | undefined {
  const names = (s: JsonObject) => arrayOf<JsonObject>(s["schedulingGates"]).map((g) => String(g["name"]));
  const had = new Set(names(before));
  return names(after).find((name) => !had.has(name));
}

/** The annotation a node agent puts on the mirror of a static pod (kubelet's MirrorPodAnnotationKey). */
export const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

export function validatePodUpdate(key: ObjectKey, after: JsonObject, before: JsonObject): Error | undefined {
  const mirror = (o: JsonObject) => metaOf(o).annotations[MIRROR_POD_ANNOTATION];
  if (mirror(before) !== mirror(after)) {
    return new InvalidError(`Pod "${key.name}"`, [field.forbidden(`metadata.annotations[${MIRROR_POD_ANNOTATION}]`, "may not add or remove mirror pod annotation")]);
  }
  // A mirror pod shows a static pod its node runs from a file: only the file changes it.
  if (mirror(before) !== undefined && !isDeepStrictEqual(spec(before), spec(after))) {
    return new InvalidError(`Pod "${key.name}"`, [field.forbidden("spec", "a mirror pod may not be updated: it mirrors a static pod, which its node runs from a file")]);
  }
  const addedGate = addedSchedulingGate(spec(before), spec(after));
  if (addedGate !== undefined) {
    return new InvalidError(`Pod "${key.name}"`, [field.forbidden("spec.schedulingGates", `only deletion is allowed, but found new scheduling gate '${addedGate}'`)]);
  }
  if (isDeepStrictEqual(withoutMutablePodFields(spec(before)), withoutMutablePodFields(spec(after)))) return undefined;
  return new InvalidError(`Pod "${key.name}"`, [
    {
      path: "spec",
      message:
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds` or `spec.tolerations` (use Bind to set spec.nodeName)",
    },
  ]);
}

/** Pods bound to a node are deleted gracefully: the node agent stops the containers, then deletes them with grace 0. */
export const podDeletion: DeletionStrategy = {
  gracePeriodSeconds: (pod, requested) => {
    const s = spec(pod);
    // A pod no node runs can go at once, as can one already finished.
    const phase = statusOf(pod)["phase"];
    if (!s["nodeName"] || phase === "Succeeded" || phase === "Failed") return 0;
    return Math.max(0, requested ?? (s["terminationGracePeriodSeconds"] as number | undefined) ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
  },
};
