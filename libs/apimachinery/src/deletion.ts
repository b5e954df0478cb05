/**
 * How a delete treats the object's dependents (metav1.DeletionPropagation): those whose
 * metadata.ownerReferences name it. The garbage collector carries it out.
 */
export type DeletionPropagation = "Orphan" | "Background" | "Foreground";

export const DELETION_PROPAGATIONS: readonly DeletionPropagation[] = ["Orphan", "Background", "Foreground"];

export function isDeletionPropagation(value: string): value is DeletionPropagation {
  return (DELETION_PROPAGATIONS as readonly string[]).includes(value);
}

/** Set by a delete with Orphan: the garbage collector removes the dependents' references, then this finalizer. */
export const FINALIZER_ORPHAN_DEPENDENTS = "orphan";

/** Set by a delete with Foreground: the garbage collector deletes the dependents, and removes this finalizer once no blocking one remains. */
export const FINALIZER_DELETE_DEPENDENTS = "foregroundDeletion";
