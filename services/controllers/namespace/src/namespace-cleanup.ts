import { FINALIZER_KUBERNETES, arrayOf, specOf } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { metadataOf } from "@capstan/controller-runtime";

/** An object in the namespace, of some kind. */
export interface NamespacedObject {
  readonly kind: string;
  readonly object: JsonObject;
}

export type NamespacePlan =
  /** Not terminating, or not this controller's to finish. */
  | { readonly type: "none" }
  /** Delete these; look again while anything (these, or objects already terminating) remains. */
  | { readonly type: "deleteContent"; readonly delete: readonly NamespacedObject[]; readonly remaining: number }
  /** Empty: remove the kubernetes finalizer, and the namespace goes. */
  | { readonly type: "finalize"; readonly finalizers: readonly string[] };

export function specFinalizersOf(namespace: JsonObject): readonly string[] {
  return arrayOf<string>(specOf(namespace)["finalizers"]);
}

/**
 * What a terminating namespace needs next (Kubernetes' namespaced resources deleter): every object in
 * it deleted — those already terminating are waited for, not deleted again — then its finalizer removed.
 */
export function planNamespaceCleanup(namespace: JsonObject, contents: readonly NamespacedObject[]): NamespacePlan {
  const finalizers = specFinalizersOf(namespace);
  if (metadataOf(namespace).deletionTimestamp === undefined || !finalizers.includes(FINALIZER_KUBERNETES)) return { type: "none" };
  if (contents.length === 0) return { type: "finalize", finalizers: finalizers.filter((f) => f !== FINALIZER_KUBERNETES) };
  return {
    type: "deleteContent",
    delete: contents.filter((c) => metadataOf(c.object).deletionTimestamp === undefined),
    remaining: contents.length,
  };
}
