export * from "./gen/capstan/v1/core.js";
export {
  ReplicaSet,
  ReplicaSetSpec,
  ReplicaSetStatus,
  ReplicaSetCondition,
  Deployment,
  DeploymentSpec,
  DeploymentStatus,
  DeploymentCondition,
  DeploymentStrategy,
  RollingUpdateDeployment,
  ControllerRevision,
  StatefulSet,
  StatefulSetSpec,
  StatefulSetStatus,
  DaemonSet,
  DaemonSetSpec,
  DaemonSetStatus,
  DaemonSetCondition,
  DaemonSetUpdateStrategy,
  RollingUpdateDaemonSet,
} from "./gen/capstan/v1/apps.js";
export { Job, JobSpec, JobStatus, JobCondition, JobTemplateSpec } from "./gen/capstan/v1/batch.js";
export { EndpointSlice, Endpoint, EndpointConditions, EndpointSlicePort } from "./gen/capstan/v1/discovery.js";
export { LabelSelector, LabelSelectorRequirement } from "./gen/capstan/v1/meta.js";
export { PriorityClass } from "./gen/capstan/v1/scheduling.js";
export { LimitRange, LimitRangeItem, LimitRangeSpec, ResourceQuota, ResourceQuotaSpec, ResourceQuotaStatus } from "./gen/capstan/v1/core.js";
export { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from "./gen/capstan/v1/policy.js";
export type { ObjectMeta, OwnerReference, ObjectReference, LocalObjectReference } from "./gen/capstan/v1/meta.js";
export {
  Object as ApiObject,
  CreateRequest,
  GetRequest,
  ListRequest,
  ListResponse,
  UpdateRequest,
  Preconditions,
  DeleteRequest,
  DeleteResponse,
  EvictRequest,
  WatchRequest,
  WatchEvent,
  HistoryRequest,
  HistoryEvent,
  HistoryResponse,
  BindRequest,
  BindBatchRequest,
  BindBatchResponse,
  BindResult,
  LogsRequest,
  LogChunk,
  ExecRequest,
  ExecStart,
  TerminalSize,
  ExecResponse,
  ExecExit,
  GatewayClient,
  GatewayService,
} from "./gen/capstan/v1/gateway.js";
export type { GatewayServer } from "./gen/capstan/v1/gateway.js";

export {
  supportedKinds,
  isSupportedKind,
  findKind,
  kindInfo,
  unsupportedKindError,
  resolveResourceName,
  inCategoryAll,
  categoryAllKinds,
  printerOf,
  wrapObject,
  storedToApiObject,
  unwrapObject,
  objectKind,
  objectMeta,
  objectKey,
  fromApiObject,
  toKubernetesJSON,
  selectableFieldValue,
} from "./kinds.js";
export type { KindMap, KindName, KindInfo, AnyKindInfo, KindedMessage, ObjectField, NameRule } from "./kinds.js";
export { decodeManifest, toApiObject } from "./manifest.js";
export type { DecodedManifest } from "./manifest.js";
export { validateObject, validateObjectMeta, validateStatus } from "./validation.js";
export { applyDefaults } from "./defaults.js";
export type { DefaultingOptions } from "./defaults.js";
export type { KindStrategy, AnyKindStrategy, AdmissionContext, Admitted, DeletionStrategy, KindAdmission } from "./kinds/kind-strategy.js";
export type { KindPrinter, KindDescriber, DescribeLookup } from "./kinds/kind-printer.js";
export { NONE, valueAt, textOr, countOf, itemsAt, listWithMore, selectorText, mapSelectorText } from "./printing/cells.js";
export { DescribeWriter } from "./printing/describe-writer.js";
export { defaultPrinter, formatTable, printerColumns, printerRow } from "./printing/table.js";
export type { TableOptions } from "./printing/table.js";
export { podTemplateText } from "./kinds/pod/describe.js";
export { eventInterval } from "./kinds/event/printer.js";
export { DEFAULT_CONTAINER_ANNOTATION, findOrDefaultContainer } from "./kinds/pod/exec-container.js";
export type { ExecContainer } from "./kinds/pod/exec-container.js";
export { EXEC_PROTOCOL, ExecFrameReader, execFrame } from "./exec-frames.js";
export { changesNothing, decideBind, decideCreate, decideDelete, decideFinalize, decideUpdate, decideUpdateStatus, inActiveNamespace, namespaceKey } from "./object-decisions.js";
export type { DeleteOptions } from "./object-decisions.js";
export { ObjectRegistry } from "./object-registry.js";
export type { ApplyRequest, BindingRequest, CallContext, ObjectRegistryOptions, ObjectStore, StoreListFilter, WriteOptions } from "./object-registry.js";
export { objectSelection, selected } from "./object-selection.js";
export type { ObjectSelection } from "./object-selection.js";
export { ensureSystemObjects } from "./system-objects.js";
export { CLUSTER_IP_NONE, DEFAULT_LOAD_BALANCER_ADDRESS, DEFAULT_NODE_PORT_RANGE, createServiceAllocator } from "./kinds/service/service-allocation.js";
export type { ServiceAllocationConfig, ServiceAllocator } from "./kinds/service/service-allocation.js";
export { isGlobalDefault } from "./kinds/priority-class/priority-admission.js";
export {
  defaultPod,
  defaultPullPolicy,
  DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
  DEFAULT_SCHEDULER_NAME,
  DEFAULT_TERMINATION_MESSAGE_PATH,
  DEFAULT_TOLERATION_SECONDS,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_UNREACHABLE,
} from "./kinds/pod/defaults.js";
export { MIRROR_POD_ANNOTATION } from "./kinds/pod/pod-lifecycle.js";
export { isAvailable, readySince } from "./kinds/pod/pod-readiness.js";
export { budgetsSelecting, podsSelectedBy, withDisruptionAllowed } from "./kinds/pod-disruption-budget/eviction.js";
export { defaultNamespace } from "./kinds/namespace/strategy.js";
export { defaultNode } from "./kinds/node/strategy.js";
export { defaultReplicaSet, DEFAULT_REPLICAS } from "./kinds/replica-set/strategy.js";
export {
  defaultDeployment,
  DEFAULT_MAX_SURGE,
  DEFAULT_MAX_UNAVAILABLE,
  DEFAULT_REVISION_HISTORY_LIMIT,
  DEFAULT_PROGRESS_DEADLINE_SECONDS,
} from "./kinds/deployment/strategy.js";
export { defaultDaemonSet, DEFAULT_DAEMON_SET_MAX_SURGE, DEFAULT_DAEMON_SET_MAX_UNAVAILABLE } from "./kinds/daemon-set/strategy.js";
export { defaultReplicationController } from "./kinds/replication-controller/strategy.js";
export { defaultService } from "./kinds/service/strategy.js";
export { defaultEndpoints } from "./kinds/endpoints/strategy.js";
export { defaultEndpointSlice, LABEL_SERVICE_NAME } from "./kinds/endpoint-slice/strategy.js";
export { defaultPriorityClass, HIGHEST_USER_DEFINABLE_PRIORITY } from "./kinds/priority-class/strategy.js";
export { isSystemPriorityClass, systemPriorityClasses } from "./kinds/priority-class/system-priority-classes.js";
export { defaultPersistentVolume } from "./kinds/persistent-volume/strategy.js";
export { defaultPersistentVolumeClaim } from "./kinds/persistent-volume-claim/strategy.js";
export { MAX_DATA_BYTES, validateConfigMapKey } from "./kinds/config-map/config-map-key.js";
export { resourceInUnits, splitFieldPath } from "./downward-api.js";
export { podRequests, nodeAllocatable, podQOSClass } from "./pod-resources.js";
export type { PodResources, NodeResources, QOSClass } from "./pod-resources.js";
export { labelSelectorMatches, labelSelectorToString, labelSelectorAsSelector } from "./label-selector.js";
export { isIntOrStringInt, percentOf, scaledValueFromIntOrPercent } from "./int-or-string.js";
export { FINALIZER_KUBERNETES, NAMESPACE_ACTIVE, NAMESPACE_TERMINATING, SYSTEM_NAMESPACES } from "./kinds/namespace/lifecycle.js";
export { CLUSTER_DNS_OFFSET, DEFAULT_SERVICE_CIDR, LOOPBACK_CIDR, cidrWithin, clusterDNSIP, formatIPv4, parseCIDR, parseIPv4 } from "./service-cidr.js";
export type { IPv4CIDR } from "./service-cidr.js";
export { PREEMPT_LOWER_PRIORITY, PREEMPT_NEVER, validateNodeSelectorRequirement } from "./scheduling-validation.js";
export {
  READ_WRITE_ONCE,
  READ_ONLY_MANY,
  READ_WRITE_MANY,
  READ_WRITE_ONCE_POD,
  RECLAIM_RETAIN,
  VOLUME_MODE_FILESYSTEM,
  VOLUME_PENDING,
  VOLUME_AVAILABLE,
  VOLUME_BOUND,
  VOLUME_RELEASED,
  CLAIM_PENDING,
  CLAIM_BOUND,
  RESOURCE_STORAGE,
} from "./volume-validation.js";
export { DeadlineExceededError, GatewayUnreachableError, fromServiceError, toGrpcError } from "./grpc-status.js";
export type { GrpcErrorStatus } from "./grpc-status.js";
export {
  metaOf,
  keyOf,
  objectOf,
  arrayOf,
  childObject,
  stringOf,
  specOf,
  statusOf,
  podView,
  nodeView,
  serviceView,
  endpointSliceView,
  workloadView,
  ObjectMetaView,
  PodView,
  NodeView,
  ServiceView,
  EndpointSliceView,
  WorkloadView,
} from "./object-view.js";
export type {
  JsonObject,
  QuantityJson,
  ResourceListJson,
  IntOrStringJson,
  OwnerReferenceJson,
  ConditionJson,
  TolerationJson,
  TaintJson,
  ContainerJson,
  ContainerPortJson,
  ContainerStatusJson,
  ContainerStateJson,
  VolumeJson,
  NodeImageJson,
  ServicePortJson,
  EndpointJson,
  EndpointPortJson,
} from "./object-view.js";
export { CONTROLLER_UID_LABEL, DEFAULT_BACKOFF_LIMIT, JOB_NAME_LABEL, JOB_COMPLETION_INDEX_ANNOTATION, defaultJobSpec, validateJobSpec } from "./kinds/job/strategy.js";
export { CronJob, CronJobSpec, CronJobStatus } from "./gen/capstan/v1/batch.js";
export { parseCronSchedule, isKnownTimeZone } from "./kinds/cron-job/schedule.js";
export { jobFromCronJob } from "./kinds/cron-job/job-template.js";
export type { JobFromCronJobOptions } from "./kinds/cron-job/job-template.js";
export type { CronSchedule, ParsedSchedule } from "./kinds/cron-job/schedule.js";
export { StorageClass, TopologySelectorTerm, TopologySelectorLabelRequirement } from "./gen/capstan/v1/storage.js";
export {
  BINDING_IMMEDIATE,
  BINDING_WAIT_FOR_FIRST_CONSUMER,
  RECLAIM_DELETE,
  IS_DEFAULT_CLASS_ANNOTATION,
  SELECTED_NODE_ANNOTATION,
  PROVISIONED_BY_ANNOTATION,
  LOCAL_PATH_PROVISIONER,
  LOCAL_PATH_CLASS,
  isDefaultStorageClass,
  topologyAllows,
} from "./kinds/storage-class/storage-classes.js";
export { defaultStorageClass } from "./kinds/storage-class/strategy.js";
export { openApiV2 } from "./openapi/openapi-v2.js";
export { openApiV3, openApiV3Discovery } from "./openapi/openapi-v3.js";
export { strategicMergePatch } from "./patch/strategic-merge.js";
export { forbiddenKeyError } from "./patch/forbidden-key.js";
export { PATCH_META_BY_KIND, PATCH_META_BY_TYPE, listTypeOf, patchMetaFor } from "./patch/patch-meta.js";
export type { FieldPatchMeta, ListType, PatchStrategy, TypePatchMeta } from "./patch/patch-meta.js";
export { ApplyConflictError, applyConflictCauses, isApplyConflictError, applyConflictMessage, serverSideApply, updateManagedFields } from "./patch/server-side-apply.js";
export type { ApplyConflict, ApplyOptions, ApplyResult, ManagedFieldsEntry, ManagedFieldsOperation } from "./patch/server-side-apply.js";
export { gatewayFileDescriptorSet } from "./proto-descriptors.js";
