
export { controllerRefOf, metadataOf, namespacedKey, objectKey, splitObjectKey } from "./object-key.js";
export type { ObjectMeta, OwnerReference } from "./object-key.js";

export { NAMESPACE_INDEX, OWNER_UID_INDEX, ObjectCache } from "./object-cache.js";
export type { IndexFunc } from "./object-cache.js";

export { startReflector } from "./reflector.js";
export type { ReflectorOptions } from "./reflector.js";
export { Informer, createInformer } from "./informer.js";
export type { InformerOptions, ListWatch, ResourceEventHandler } from "./informer.js";

export {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  createDefaultControllerRateLimiter,
} from "./rate-limiter.js";
export type { BucketRateLimiterOptions, ExponentialRateLimiterOptions, RateLimiter } from "./rate-limiter.js";

export { createWorkQueue } from "./work-queue.js";
export type { WorkQueue, WorkQueueOptions } from "./work-queue.js";

export { TerminalError, isTerminalError } from "./reconciler.js";
export type { ReconcileResult, Reconciler } from "./reconciler.js";

export { ControllerBuilder, controller, controllerOwnerKey, ownKey } from "./controller.js";
export type { Controller, ControllerOptions, KeysOf } from "./controller.js";

export { createLeaderElector, leaseBucketName } from "./leader-elector.js";
export type {
  LeaderElection,
  LeaderElectionConfig,
  LeaderElector,
  LeaderElectorOptions,
  LeaseRecord,
  StoppedLeadingReason,
} from "./leader-elector.js";

export { runControllerProcess, leadUntilLost } from "./controller-process.js";
export type { ControllerContext, LeadOptions } from "./controller-process.js";

export {
  CONTROLLER_REVISION_HASH_LABEL,
  DEFAULT_REVISION_HISTORY_LIMIT,
  controllerRevisionName,
  equalRevision,
  findEqualRevisions,
  hashControllerRevision,
  newControllerRevision,
  nextRevision,
  revisionNumber,
  revisionsToTruncate,
  sortControllerRevisions,
  syncRevisions,
} from "./history.js";
export type { HistoryClient, RevisionOwner, RevisionSync } from "./history.js";

export { deleteIfUid, deletePod, revisionOf } from "./writes.js";
export type { DeleteOptions, DeleteTarget, Recorder } from "./writes.js";

export { canonicalJson, SAFE_ENCODE_ALPHABET } from "./canonical.js";
