export * from "./gen/capstan/v1/core.js";
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
  WatchRequest,
  WatchEvent,
  BindRequest,
  LogsRequest,
  LogChunk,
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
  wrapObject,
  unwrapObject,
  objectKind,
  objectMeta,
  objectKey,
  toApiObject,
  fromApiObject,
  selectableFieldValue,
} from "./kinds.js";
export type { KindMap, KindName, KindInfo, AnyKindInfo, KindedMessage, ObjectField, NameRule } from "./kinds.js";
export { decodeManifest } from "./manifest.js";
export type { DecodedManifest } from "./manifest.js";
export { validateObject, validateObjectMeta, DEFAULT_MAX_OBJECT_BYTES } from "./validation.js";
export type { ValidationOptions } from "./validation.js";
export {
  applyDefaults,
  defaultPod,
  defaultNamespace,
  defaultNode,
  defaultPullPolicy,
  DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
  DEFAULT_SCHEDULER_NAME,
  DEFAULT_TERMINATION_MESSAGE_PATH,
} from "./defaults.js";
export { podRequests, nodeAllocatable, podQOSClass } from "./pod-resources.js";
export type { PodResources, NodeResources, QOSClass } from "./pod-resources.js";
