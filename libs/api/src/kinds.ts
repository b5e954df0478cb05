/**
 * The kind registry: for every supported kind, its Kubernetes identity (apiVersion, scope, resource
 * names for the CLI), its protobuf identity (message, fully-qualified type name, field of the gateway's
 * `Object`), and the field selectors a list or watch may use on it. Everything that turns a kind name
 * into behaviour looks here, so adding a kind is one entry.
 */
import { InvalidError, type FieldError, type ObjectKey } from "@capstan/apimachinery";
import { Deployment, ReplicaSet } from "./gen/capstan/v1/apps.js";
import {
  Endpoints,
  Event,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ReplicationController,
  Service,
  type MessageFns,
} from "./gen/capstan/v1/core.js";
import { EndpointSlice } from "./gen/capstan/v1/discovery.js";
import type { Object as ApiObject } from "./gen/capstan/v1/gateway.js";
import { ObjectMeta } from "./gen/capstan/v1/meta.js";
import { PriorityClass } from "./gen/capstan/v1/scheduling.js";
import { restoreIntOrStrings } from "./schema.js";

export interface KindMap {
  Namespace: Namespace;
  Pod: Pod;
  Node: Node;
  ReplicaSet: ReplicaSet;
  Deployment: Deployment;
  ReplicationController: ReplicationController;
  Service: Service;
  Endpoints: Endpoints;
  EndpointSlice: EndpointSlice;
  Event: Event;
  PriorityClass: PriorityClass;
  PersistentVolume: PersistentVolume;
  PersistentVolumeClaim: PersistentVolumeClaim;
}
export type KindName = keyof KindMap;

/** The field of the gateway `Object` that holds a kind: `pod` for Pod. */
export type ObjectField = keyof ApiObject;

/** The rule metadata.name follows. */
export type NameRule = "DNS1123Label" | "DNS1123Subdomain";

export interface KindInfo<K extends KindName = KindName> {
  readonly kind: K;
  readonly apiVersion: string;
  /** The API group: "" for the core group (apiVersion v1), "apps" for apps/v1, "discovery.k8s.io". */
  readonly group: string;
  readonly namespaced: boolean;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly objectField: ObjectField;
  readonly messageFns: MessageFns<KindMap[K]>;
  /** ".capstan.v1.Pod" */
  readonly protoTypeName: string;
  readonly nameRule: NameRule;
  /** Status is the controllers' to write: a create starts without one, as Kubernetes' PrepareForCreate. */
  readonly createClearsStatus: boolean;
  /** Field selector labels accepted for this kind, in the order they are listed to users. */
  readonly selectableFields: readonly string[];
  /** A selectable field's value on an object of this kind; "" for an unset string, as Kubernetes. */
  fieldValue(message: KindMap[K], field: string): string | undefined;
}

/** The entry of some kind: switching on `kind` narrows `messageFns` to that kind's message. */
export type AnyKindInfo = { [K in KindName]: KindInfo<K> }[KindName];

/** A typed object together with its kind, narrowed by `kind`. */
export type KindedMessage = { [K in KindName]: { readonly kind: K; readonly message: KindMap[K] } }[KindName];

function fieldsOf<T>(getters: Readonly<Record<string, (m: T) => string>>): {
  selectableFields: readonly string[];
  fieldValue(message: T, field: string): string | undefined;
} {
  return {
    selectableFields: Object.keys(getters),
    fieldValue: (message, field) => (Object.hasOwn(getters, field) ? getters[field]?.(message) : undefined),
  };
}

const registry: { readonly [K in KindName]: KindInfo<K> } = {
  Namespace: {
    kind: "Namespace",
    apiVersion: "v1",
    group: "",
    namespaced: false,
    plural: "namespaces",
    singular: "namespace",
    shortNames: ["ns"],
    objectField: "namespace",
    messageFns: Namespace,
    protoTypeName: ".capstan.v1.Namespace",
    nameRule: "DNS1123Label",
    createClearsStatus: false,
    ...fieldsOf<Namespace>({
      "metadata.name": (ns) => ns.metadata?.name ?? "",
      "status.phase": (ns) => ns.status?.phase ?? "",
    }),
  },
  Pod: {
    kind: "Pod",
    apiVersion: "v1",
    group: "",
    namespaced: true,
    plural: "pods",
    singular: "pod",
    shortNames: ["po"],
    objectField: "pod",
    messageFns: Pod,
    protoTypeName: ".capstan.v1.Pod",
    // Kubernetes names pods by DNS subdomain (ValidatePodName), so "web.v1" from a Kubernetes manifest is valid.
    nameRule: "DNS1123Subdomain",
    createClearsStatus: true,
    ...fieldsOf<Pod>({
      "metadata.name": (p) => p.metadata?.name ?? "",
      "metadata.namespace": (p) => p.metadata?.namespace ?? "",
      "spec.nodeName": (p) => p.spec?.nodeName ?? "",
      "spec.restartPolicy": (p) => p.spec?.restartPolicy ?? "",
      "spec.schedulerName": (p) => p.spec?.schedulerName ?? "",
      "spec.serviceAccountName": (p) => p.spec?.serviceAccountName ?? "",
      "status.phase": (p) => p.status?.phase ?? "",
      "status.podIP": (p) => p.status?.podIp ?? "",
    }),
  },
  Node: {
    kind: "Node",
    apiVersion: "v1",
    group: "",
    namespaced: false,
    plural: "nodes",
    singular: "node",
    shortNames: ["no"],
    objectField: "node",
    messageFns: Node,
    protoTypeName: ".capstan.v1.Node",
    nameRule: "DNS1123Subdomain",
    createClearsStatus: false,
    ...fieldsOf<Node>({
      "metadata.name": (n) => n.metadata?.name ?? "",
      "spec.unschedulable": (n) => String(n.spec?.unschedulable ?? false),
    }),
  },
  ReplicaSet: {
    kind: "ReplicaSet",
    apiVersion: "apps/v1",
    group: "apps",
    namespaced: true,
    plural: "replicasets",
    singular: "replicaset",
    shortNames: ["rs"],
    objectField: "replicaSet",
    messageFns: ReplicaSet,
    protoTypeName: ".capstan.v1.ReplicaSet",
    nameRule: "DNS1123Subdomain",
    createClearsStatus: true,
    ...fieldsOf<ReplicaSet>({
      "metadata.name": (rs) => rs.metadata?.name ?? "",
      "metadata.namespace": (rs) => rs.metadata?.namespace ?? "",
      "status.replicas": (rs) => String(rs.status?.replicas ?? 0),
    }),
  },
  Deployment: {
    kind: "Deployment",
    apiVersion: "apps/v1",
    group: "apps",
    namespaced: true,
    plural: "deployments",
    singular: "deployment",
    shortNames: ["deploy"],
    objectField: "deployment",
    messageFns: Deployment,
    protoTypeName: ".capstan.v1.Deployment",
    nameRule: "DNS1123Subdomain",
    createClearsStatus: true,
    ...fieldsOf<Deployment>({
      "metadata.name": (d) => d.metadata?.name ?? "",
      "metadata.namespace": (d) => d.metadata?.namespace ?? "",
    }),
  },
  ReplicationController: {
    kind: "ReplicationController",
    apiVersion: "v1",
    group: "",
    namespaced: true,
    plural: "replicationcontrollers",
    singular: "replicationcontroller",
    shortNames: ["rc"],
    objectField: "replicationController",
    messageFns: ReplicationController,
    protoTypeName: ".capstan.v1.ReplicationController",
    nameRule: "DNS1123Subdomain",
    createClearsStatus: true,
    ...fieldsOf<ReplicationController>({
      "metadata.name": (rc) => rc.metadata?.name ?? "",
      "metadata.namespace": (rc) => rc.metadata?.namespace ?? "",
      "status.replicas": (rc) => String(rc.status?.replicas ?? 0),
    }),
  },
  Service: {
    kind: "Service",
    apiVersion: "v1",
    group: "",
    namespaced: true,
    plural: "services",
    singular: "service",
    shortNames: ["svc"],
    objectField: "service",
    messageFns: Service,
    protoTypeName: ".capstan.v1.Service",
    // Services are DNS labels (ValidateServiceName), since their name is a label of svc.ns.svc.cluster.local.
    nameRule: "DNS1123Label",
    // status.loadBalancer is written by the gateway (or a load balancer controller), never taken from a create.
    createClearsStatus: true,
    ...fieldsOf<Service>({
      "metadata.name": (s) => s.metadata?.name ?? "",
      "metadata.namespace": (s) => s.metadata?.namespace ?? "",
      "spec.clusterIP": (s) => s.spec?.clusterIp ?? "",
      "spec.type": (s) => s.spec?.type ?? "",
    }),
  },
  Endpoints: {
    kind: "Endpoints",
    apiVersion: "v1",
    group: "",
    namespaced: true,
    plural: "endpoints",
    singular: "endpoints",
    shortNames: ["ep"],
    objectField: "endpoints",
    messageFns: Endpoints,
    protoTypeName: ".capstan.v1.Endpoints",
    nameRule: "DNS1123Subdomain",
    createClearsStatus: false,
    ...fieldsOf<Endpoints>({
      "metadata.name": (e) => e.metadata?.name ?? "",
      "metadata.namespace": (e) => e.metadata?.namespace ?? "",
    }),
  },
  EndpointSlice: {
    kind: "EndpointSlice",
    apiVersion: "discovery.k8s.io/v1",
    group: "discovery.k8s.io",
    namespaced: true,
    plural: "endpointslices",
    singular: "endpointslice",
    shortNames: [],
    objectField: "endpointSlice",
    messageFns: EndpointSlice,
    protoTypeName: ".capstan.v1.EndpointSlice",
    nameRule: "DNS1123Subdomain",
    createClearsStatus: false,
    ...fieldsOf<EndpointSlice>({
      "metadata.name": (e) => e.metadata?.name ?? "",
      "metadata.namespace": (e) => e.metadata?.namespace ?? "",
      addressType: (e) => e.addressType,
    }),
  },
  Event: {
    kind: "Event",
    apiVersion: "v1",
    group: "",
    namespaced: true,
    plural: "events",
    singular: "event",
    shortNames: ["ev"],
    objectField: "event",
    messageFns: Event,
    protoTypeName: ".capstan.v1.Event",
    nameRule: "DNS1123Subdomain",
    createClearsStatus: false,
    ...fieldsOf<Event>({
      "metadata.name": (e) => e.metadata?.name ?? "",
      "metadata.namespace": (e) => e.metadata?.namespace ?? "",
      "involvedObject.kind": (e) => e.involvedObject?.kind ?? "",
      "involvedObject.namespace": (e) => e.involvedObject?.namespace ?? "",
      "involvedObject.name": (e) => e.involvedObject?.name ?? "",
      "involvedObject.uid": (e) => e.involvedObject?.uid ?? "",
      "involvedObject.apiVersion": (e) => e.involvedObject?.apiVersion ?? "",
      "involvedObject.resourceVersion": (e) => e.involvedObject?.resourceVersion ?? "",
      "involvedObject.fieldPath": (e) => e.involvedObject?.fieldPath ?? "",
      reason: (e) => e.reason,
      reportingComponent: (e) => e.reportingComponent,
      source: (e) => e.source?.component ?? "",
      type: (e) => e.type,
    }),
  },
  PriorityClass: {
    kind: "PriorityClass",
    apiVersion: "scheduling.k8s.io/v1",
    group: "scheduling.k8s.io",
    namespaced: false,
    plural: "priorityclasses",
    singular: "priorityclass",
    shortNames: ["pc"],
    objectField: "priorityClass",
    messageFns: PriorityClass,
    protoTypeName: ".capstan.v1.PriorityClass",
    nameRule: "DNS1123Subdomain",
    createClearsStatus: false,
    ...fieldsOf<PriorityClass>({
      "metadata.name": (pc) => pc.metadata?.name ?? "",
    }),
  },
  PersistentVolume: {
    kind: "PersistentVolume",
    apiVersion: "v1",
    group: "",
    namespaced: false,
    plural: "persistentvolumes",
    singular: "persistentvolume",
    shortNames: ["pv"],
    objectField: "persistentVolume",
    messageFns: PersistentVolume,
    protoTypeName: ".capstan.v1.PersistentVolume",
    nameRule: "DNS1123Subdomain",
    // A new volume starts Pending (Kubernetes' PrepareForCreate); the pv-binder makes it Available.
    createClearsStatus: true,
    ...fieldsOf<PersistentVolume>({
      "metadata.name": (pv) => pv.metadata?.name ?? "",
    }),
  },
  PersistentVolumeClaim: {
    kind: "PersistentVolumeClaim",
    apiVersion: "v1",
    group: "",
    namespaced: true,
    plural: "persistentvolumeclaims",
    singular: "persistentvolumeclaim",
    shortNames: ["pvc"],
    objectField: "persistentVolumeClaim",
    messageFns: PersistentVolumeClaim,
    protoTypeName: ".capstan.v1.PersistentVolumeClaim",
    nameRule: "DNS1123Subdomain",
    createClearsStatus: true,
    ...fieldsOf<PersistentVolumeClaim>({
      "metadata.name": (pvc) => pvc.metadata?.name ?? "",
      "metadata.namespace": (pvc) => pvc.metadata?.namespace ?? "",
    }),
  },
};

const kindNames = Object.keys(registry) as KindName[];
const objectFields = kindNames.map((k) => registry[k].objectField);

/** Every supported kind, in the order they matter. */
export function supportedKinds(): readonly AnyKindInfo[] {
  return kindNames.map((k) => registry[k]);
}

export function isSupportedKind(kind: string): kind is KindName {
  return Object.hasOwn(registry, kind);
}

export function findKind(kind: string): AnyKindInfo | undefined {
  return isSupportedKind(kind) ? registry[kind] : undefined;
}

/** The message a kind outside the registry gets, at path `kind`. */
export function unsupportedKindError(kind: string): FieldError {
  const supported = kindNames.map((k) => JSON.stringify(k)).join(", ");
  return { path: "kind", message: `Unsupported value ${JSON.stringify(kind)}: supported kinds are ${supported}` };
}

/** The registry entry of a kind; throws InvalidError for a kind Capstan does not serve. */
export function kindInfo<K extends KindName>(kind: K): KindInfo<K>;
export function kindInfo(kind: string): AnyKindInfo;
export function kindInfo(kind: string): AnyKindInfo {
  const info = findKind(kind);
  if (!info) throw new InvalidError("object", [unsupportedKindError(kind)]);
  return info;
}

/** What a user may type for a kind on the command line: `pods`, `pod`, `po`, `Pod` → Pod. */
export function resolveResourceName(name: string): KindName {
  const lower = name.toLowerCase();
  for (const k of kindNames) {
    const info = registry[k];
    if (info.plural === lower || info.singular === lower || info.kind.toLowerCase() === lower || info.shortNames.includes(lower)) {
      return k;
    }
  }
  const supported = kindNames.map((k) => JSON.stringify(registry[k].plural)).join(", ");
  throw new InvalidError(`resource type ${JSON.stringify(name)}`, [
    { path: "resource", message: `Unsupported value ${JSON.stringify(name)}: supported resource types are ${supported}` },
  ]);
}

/** A typed object in the gateway `Object` envelope. */
export function wrapObject<K extends KindName>(kind: K, message: KindMap[K]): ApiObject {
  return { [registry[kind].objectField]: message };
}

/**
 * JSON the store already holds (decoded strictly when it was written) into the envelope, without
 * checking it again: the gateway's answers and watch events, a hot path. Anything else goes through
 * toApiObject.
 */
export function storedToApiObject(json: Record<string, unknown>): ApiObject {
  const info = kindInfo(String(json["kind"]));
  return { [info.objectField]: info.messageFns.fromJSON(json) };
}

/** The kind and typed object inside an envelope; throws InvalidError unless exactly one field is set. */
export function unwrapObject(obj: ApiObject): KindedMessage {
  let found: KindedMessage | undefined;
  let count = 0;
  for (const k of kindNames) {
    const message = obj[registry[k].objectField];
    if (message === undefined || message === null) continue;
    count++;
    found = { kind: k, message } as KindedMessage;
  }
  if (count !== 1 || found === undefined) {
    const fields = objectFields.join(", ");
    throw new InvalidError("object", [
      count === 0
        ? { path: "object", message: `Required value: one of ${fields} must be set` }
        : { path: "object", message: `Forbidden: only one of ${fields} may be set` },
    ]);
  }
  return found;
}

export function objectKind(obj: ApiObject): KindName {
  return unwrapObject(obj).kind;
}

/** The object's metadata; an empty ObjectMeta when it has none. */
export function objectMeta(obj: ApiObject): ObjectMeta {
  return unwrapObject(obj).message.metadata ?? ObjectMeta.create();
}

export function objectKey(obj: ApiObject): ObjectKey {
  const { kind, message } = unwrapObject(obj);
  return { kind, namespace: message.metadata?.namespace ?? "", name: message.metadata?.name ?? "" };
}


/**
 * A typed object as Kubernetes JSON: protobuf JSON, with IntOrString integers as numbers (`maxSurge: 1`).
 * apiVersion and kind are as the message has them.
 */
export function toKubernetesJSON<K extends KindName>(kind: K, message: KindMap[K]): Record<string, unknown> {
  const info = registry[kind] as KindInfo;
  const json = info.messageFns.toJSON(message) as Record<string, unknown>;
  restoreIntOrStrings(info.protoTypeName, json);
  return json;
}

/** The envelope as Kubernetes JSON, with apiVersion and kind always filled in. */
export function fromApiObject(obj: ApiObject): { kind: KindName; json: Record<string, unknown> } {
  const { kind, message } = unwrapObject(obj);
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = toKubernetesJSON(kind, message);
  return { kind, json: { apiVersion: registry[kind].apiVersion, kind, ...rest } };
}

/** A selectable field's value on an object, for field selectors; undefined for fields its kind lacks. */
export function selectableFieldValue(obj: ApiObject, field: string): string | undefined {
  const { kind, message } = unwrapObject(obj);
  return (registry[kind] as KindInfo).fieldValue(message, field);
}
