/** The ReplicaSet annotation the Deployment controller numbers revisions with. */
export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

/** Why an object changed, shown by `rollout history` (kubectl's --record wrote it). */
export const CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause";

/** The label a Deployment adds to each ReplicaSet's template and selector, telling revisions apart. */
export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

/** The template annotation `rollout restart` changes, so the Deployment rolls out new pods. */
export const RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt";

/** Deployment annotations a rollback keeps, and does not copy from the ReplicaSet (kubectl's annotationsToSkip). */
export const ROLLBACK_SKIPPED_ANNOTATIONS: ReadonlySet<string> = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION_ANNOTATION,
  "deployment.kubernetes.io/revision-history",
  "deployment.kubernetes.io/desired-replicas",
  "deployment.kubernetes.io/max-replicas",
  "deprecated.deployment.rollback.to",
]);
