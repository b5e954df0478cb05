/**
 * A namespace's life: Active, then Terminating from its delete until the namespace controller has
 * deleted everything in it and removed its `kubernetes` spec finalizer (Kubernetes' NamespaceLifecycle).
 */
import type { JsonObject } from "@capstan/apimachinery";
import type { DeletionStrategy } from "../kind-strategy.js";
import { specOf as spec, statusOf } from "../../object-view.js";

export const NAMESPACE_ACTIVE = "Active";
export const NAMESPACE_TERMINATING = "Terminating";

/** The spec.finalizers entry every namespace is created with (api.FinalizerKubernetes); only Finalize removes it. */
export const FINALIZER_KUBERNETES = "kubernetes";

/** The namespaces everything else assumes: created at start, and never deleted. */
export const SYSTEM_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];


function specFinalizers(namespace: JsonObject): string[] {
  return (spec(namespace)["finalizers"] as string[] | undefined) ?? [];
}

/** A namespace starts Active, with the `kubernetes` finalizer its controller removes once it is empty. */
export function namespaceForCreate(namespace: JsonObject): JsonObject {
  const finalizers = specFinalizers(namespace);
  return {
    ...namespace,
    spec: { ...spec(namespace), finalizers: finalizers.includes(FINALIZER_KUBERNETES) ? finalizers : [...finalizers, FINALIZER_KUBERNETES] },
    status: { ...statusOf(namespace), phase: NAMESPACE_ACTIVE },
  };
}

/** spec.finalizers change only through Finalize, as the finalize subresource in Kubernetes: an update keeps them. */
export function keepSpecFinalizers(requested: JsonObject, current: JsonObject): JsonObject {
  const { finalizers: _ignored, ...rest } = spec(requested);
  const finalizers = spec(current)["finalizers"];
  return { ...requested, spec: finalizers === undefined ? rest : { ...rest, finalizers } };
}

/** Finalize sets spec.finalizers, and nothing else. */
export function finalizeNamespace(current: JsonObject, requested: JsonObject): JsonObject {
  const { finalizers: _old, ...rest } = spec(current);
  const finalizers = specFinalizers(requested);
  return { ...current, spec: finalizers.length > 0 ? { ...rest, finalizers } : rest };
}

export const namespaceDeletion: DeletionStrategy = {
  forbidden: (name) => (SYSTEM_NAMESPACES.includes(name) ? `namespaces "${name}" is forbidden: this namespace may not be deleted` : undefined),
  isHeld: (namespace) => specFinalizers(namespace).length > 0,
  markTerminating: (namespace) => ({ ...namespace, status: { ...statusOf(namespace), phase: NAMESPACE_TERMINATING } }),
};
