/**
 * A namespace's life: Active, then Terminating from its delete until the namespace controller has
 * deleted everything in it and removed its `kubernetes` spec finalizer (Kubernetes' NamespaceLifecycle).
 */
export const NAMESPACE_ACTIVE = "Active";
export const NAMESPACE_TERMINATING = "Terminating";

/** The spec.finalizers entry every namespace is created with (api.FinalizerKubernetes); only Finalize removes it. */
export const FINALIZER_KUBERNETES = "kubernetes";
