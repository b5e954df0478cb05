// Over 400 lines on purpose: the views of every kind services read, with their JSON types, in one place so each field is spelled once.
/**
 * One typed, cheap view of stored objects. A stored object is Kubernetes JSON (the gateway validated
 * and defaulted it), so services read it with plain property reads instead of a protobuf decode or a
 * hand-written path getter: `metaOf(o).name`, `podView(o).nodeName`. A view holds only the object;
 * each getter reads one member when asked and answers the Kubernetes zero value ("" / 0 / empty) when
 * it is absent. The shapes are the stored JSON's (podIP, hostIP, quantities as strings or numbers),
 * which is where they differ from the generated messages (podIp, hostIp).
 */
import type { JsonObject } from "@capstan/apimachinery";

export type { JsonObject };

/** A quantity as stored: "500m", "1Gi", or a plain number. */
export type QuantityJson = string | number;
export type ResourceListJson = Readonly<Record<string, QuantityJson>>;
/** An IntOrString as stored: 3 or "25%". */
export type IntOrStringJson = number | string;

export interface OwnerReferenceJson {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface ConditionJson {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
  readonly lastProbeTime?: string;
  readonly lastHeartbeatTime?: string;
  readonly lastUpdateTime?: string;
}

export interface TolerationJson {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
  readonly tolerationSeconds?: number;
}

export interface TaintJson {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
  readonly timeAdded?: string;
}

export interface ContainerPortJson {
  readonly name?: string;
  readonly containerPort: number;
  readonly hostPort?: number;
  readonly hostIP?: string;
  readonly protocol?: string;
}

export interface ContainerJson {
  readonly name: string;
  readonly image?: string;
  readonly ports?: readonly ContainerPortJson[];
  readonly resources?: { readonly requests?: ResourceListJson; readonly limits?: ResourceListJson };
  /** Only on init containers: Always makes one a sidecar. */
  readonly restartPolicy?: string;
  readonly [field: string]: unknown;
}

export interface ContainerStateJson {
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  readonly running?: { readonly startedAt?: string };
  readonly terminated?: {
    readonly reason?: string;
    readonly message?: string;
    readonly exitCode?: number;
    readonly signal?: number;
    readonly startedAt?: string;
    readonly finishedAt?: string;
  };
}

export interface ContainerStatusJson {
  readonly name: string;
  readonly ready?: boolean;
  readonly restartCount?: number;
  readonly started?: boolean;
  readonly image?: string;
  readonly imageID?: string;
  readonly containerID?: string;
  readonly state?: ContainerStateJson;
  readonly lastState?: ContainerStateJson;
}

export interface VolumeJson {
  readonly name: string;
  readonly [source: string]: unknown;
}

const EMPTY: JsonObject = Object.freeze({});
const NONE: readonly never[] = Object.freeze([]);
// An empty object is every string map at once.
const NO_STRINGS: Readonly<Record<string, string>> = EMPTY as Readonly<Record<string, string>>;

/** The member if it is a JSON object (not an array), else undefined. */
export function objectOf(v: unknown): JsonObject | undefined {
  // A non-array object is a JSON object by construction: stored objects are parsed JSON.
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

/** The member if it is an array, else one shared empty array (no allocation). */
export function arrayOf<T = unknown>(v: unknown): readonly T[] {
  // The element type is the caller's claim about validated stored JSON; an absent member is empty.
  return Array.isArray(v) ? (v as T[]) : NONE;
}

/** The member if it is a string, else "". */
export function stringOf(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The member if it is a number, else undefined. */
function numberOrUndefined(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}

/** A string map as stored (labels, nodeSelector): the object itself, or one shared empty map. */
function stringMapOf(v: unknown): Readonly<Record<string, string>> {
  // The gateway validates these maps to hold strings only.
  return (objectOf(v) as Readonly<Record<string, string>> | undefined) ?? NO_STRINGS;
}

/**
 * The member object to edit in place, set to a new empty one when absent: for a copy being built up
 * (a manifest, an object read for update), never for a cached object.
 */
export function childObject(parent: JsonObject, key: string): JsonObject {
  const existing = objectOf(parent[key]);
  if (existing) return existing;
  const made: JsonObject = {};
  parent[key] = made;
  return made;
}

/** The `spec` / `status` / `metadata` member of an object, or a shared empty object. */
export function specOf(o: unknown): JsonObject {
  return objectOf(objectOf(o)?.["spec"]) ?? EMPTY;
}
export function statusOf(o: unknown): JsonObject {
  return objectOf(objectOf(o)?.["status"]) ?? EMPTY;
}

/** metadata, read as stored. */
export class ObjectMetaView {
  constructor(readonly json: JsonObject) {}
  get name(): string {
    return stringOf(this.json["name"]);
  }
  get namespace(): string {
    return stringOf(this.json["namespace"]);
  }
  get uid(): string {
    return stringOf(this.json["uid"]);
  }
  get generateName(): string {
    return stringOf(this.json["generateName"]);
  }
  get resourceVersion(): string {
    return stringOf(this.json["resourceVersion"]);
  }
  get generation(): number {
    return numberOrUndefined(this.json["generation"]) ?? 0;
  }
  get creationTimestamp(): string {
    return stringOf(this.json["creationTimestamp"]);
  }
  /** undefined unless the object is being deleted. */
  get deletionTimestamp(): string | undefined {
    return typeof this.json["deletionTimestamp"] === "string" && this.json["deletionTimestamp"] !== "" ? this.json["deletionTimestamp"] : undefined;
  }
  get deletionGracePeriodSeconds(): number | undefined {
    return numberOrUndefined(this.json["deletionGracePeriodSeconds"]);
  }
  get labels(): Readonly<Record<string, string>> {
    return stringMapOf(this.json["labels"]);
  }
  get annotations(): Readonly<Record<string, string>> {
    return stringMapOf(this.json["annotations"]);
  }
  get ownerReferences(): readonly OwnerReferenceJson[] {
    return arrayOf<OwnerReferenceJson>(this.json["ownerReferences"]);
  }
  get finalizers(): readonly string[] {
    return arrayOf<string>(this.json["finalizers"]);
  }
  /** The owner reference with controller: true, if any. */
  get controllerRef(): OwnerReferenceJson | undefined {
    return this.ownerReferences.find((r) => r.controller === true);
  }
}

/** An object's metadata (an empty view when it has none). */
export function metaOf(o: unknown): ObjectMetaView {
  return new ObjectMetaView(objectOf(objectOf(o)?.["metadata"]) ?? EMPTY);
}

/** `namespace/name`, the key caches and queues use. */
export function keyOf(o: unknown): string {
  const m = objectOf(objectOf(o)?.["metadata"]) ?? EMPTY;
  return `${stringOf(m["namespace"])}/${stringOf(m["name"])}`;
}

/** What every view shares: the object itself and its metadata. */
class ObjectView {
  constructor(readonly json: JsonObject) {}
  get metadata(): ObjectMetaView {
    return metaOf(this.json);
  }
  get spec(): JsonObject {
    return objectOf(this.json["spec"]) ?? EMPTY;
  }
  get status(): JsonObject {
    return objectOf(this.json["status"]) ?? EMPTY;
  }
  /** The condition of this type in status.conditions, if any. */
  condition(type: string): ConditionJson | undefined {
    return arrayOf<ConditionJson>(this.status["conditions"]).find((c) => c.type === type);
  }
  get conditions(): readonly ConditionJson[] {
    return arrayOf<ConditionJson>(this.status["conditions"]);
  }
}

export class PodView extends ObjectView {
  get nodeName(): string {
    return stringOf(this.spec["nodeName"]);
  }
  get schedulerName(): string {
    return stringOf(this.spec["schedulerName"]);
  }
  get nodeSelector(): Readonly<Record<string, string>> {
    return stringMapOf(this.spec["nodeSelector"]);
  }
  get tolerations(): readonly TolerationJson[] {
    return arrayOf<TolerationJson>(this.spec["tolerations"]);
  }
  get containers(): readonly ContainerJson[] {
    return arrayOf<ContainerJson>(this.spec["containers"]);
  }
  get initContainers(): readonly ContainerJson[] {
    return arrayOf<ContainerJson>(this.spec["initContainers"]);
  }
  /** The init containers with restartPolicy Always: native sidecars, which keep running beside the containers. */
  get sidecarNames(): ReadonlySet<string> {
    return new Set(this.initContainers.filter((c) => c.restartPolicy === "Always").map((c) => c.name));
  }
  get volumes(): readonly VolumeJson[] {
    return arrayOf<VolumeJson>(this.spec["volumes"]);
  }
  get overhead(): ResourceListJson | undefined {
    return objectOf(this.spec["overhead"]) as ResourceListJson | undefined; // quantities, as validated
  }
  /** spec.priority, 0 when unset. */
  get priority(): number {
    return numberOrUndefined(this.spec["priority"]) ?? 0;
  }
  get preemptionPolicy(): string {
    return stringOf(this.spec["preemptionPolicy"]);
  }
  get schedulingGates(): readonly { readonly name: string }[] {
    return arrayOf<{ readonly name: string }>(this.spec["schedulingGates"]);
  }
  get restartPolicy(): string {
    return stringOf(this.spec["restartPolicy"]);
  }
  get terminationGracePeriodSeconds(): number | undefined {
    return numberOrUndefined(this.spec["terminationGracePeriodSeconds"]);
  }
  get affinity(): JsonObject | undefined {
    return objectOf(this.spec["affinity"]);
  }
  get topologySpreadConstraints(): readonly unknown[] {
    return arrayOf(this.spec["topologySpreadConstraints"]);
  }
  get phase(): string {
    return stringOf(this.status["phase"]);
  }
  get podIP(): string {
    return stringOf(this.status["podIP"]);
  }
  get hostIP(): string {
    return stringOf(this.status["hostIP"]);
  }
  get nominatedNodeName(): string {
    return stringOf(this.status["nominatedNodeName"]);
  }
  get containerStatuses(): readonly ContainerStatusJson[] {
    return arrayOf<ContainerStatusJson>(this.status["containerStatuses"]);
  }

  get initContainerStatuses(): readonly ContainerStatusJson[] {
    return arrayOf<ContainerStatusJson>(this.status["initContainerStatuses"]);
  }
  /** Succeeded or Failed: the pod will not run again. */
  get isTerminal(): boolean {
    const phase = this.status["phase"];
    return phase === "Succeeded" || phase === "Failed";
  }
}

export function podView(o: JsonObject): PodView {
  return new PodView(o);
}

export interface NodeImageJson {
  readonly names?: readonly string[];
  readonly sizeBytes?: number;
}

export class NodeView extends ObjectView {
  get unschedulable(): boolean {
    return this.spec["unschedulable"] === true;
  }
  get taints(): readonly TaintJson[] {
    return arrayOf<TaintJson>(this.spec["taints"]);
  }
  get allocatable(): ResourceListJson | undefined {
    return objectOf(this.status["allocatable"]) as ResourceListJson | undefined; // quantities, as validated
  }
  get capacity(): ResourceListJson | undefined {
    return objectOf(this.status["capacity"]) as ResourceListJson | undefined; // quantities, as validated
  }
  get images(): readonly NodeImageJson[] {
    return arrayOf<NodeImageJson>(this.status["images"]);
  }
  /** The Ready condition is True. */
  get isReady(): boolean {
    return this.condition("Ready")?.status === "True";
  }
}

export function nodeView(o: JsonObject): NodeView {
  return new NodeView(o);
}

export interface ServicePortJson {
  readonly name?: string;
  readonly protocol?: string;
  readonly port: number;
  readonly targetPort?: IntOrStringJson;
  readonly nodePort?: number;
}

export class ServiceView extends ObjectView {
  get type(): string {
    return stringOf(this.spec["type"]);
  }
  get clusterIP(): string {
    return stringOf(this.spec["clusterIP"]);
  }
  get selector(): Readonly<Record<string, string>> | undefined {
    return objectOf(this.spec["selector"]) ? stringMapOf(this.spec["selector"]) : undefined;
  }
  get ports(): readonly ServicePortJson[] {
    return arrayOf<ServicePortJson>(this.spec["ports"]);
  }
}

export function serviceView(o: JsonObject): ServiceView {
  return new ServiceView(o);
}

export interface EndpointJson {
  readonly addresses: readonly string[];
  readonly conditions?: { readonly ready?: boolean; readonly serving?: boolean; readonly terminating?: boolean };
  readonly nodeName?: string;
  readonly hostname?: string;
  readonly targetRef?: { readonly kind?: string; readonly namespace?: string; readonly name?: string; readonly uid?: string };
}

export interface EndpointPortJson {
  readonly name?: string;
  readonly protocol?: string;
  readonly port?: number;
}

export class EndpointSliceView extends ObjectView {
  get addressType(): string {
    return stringOf(this.json["addressType"]);
  }
  get endpoints(): readonly EndpointJson[] {
    return arrayOf<EndpointJson>(this.json["endpoints"]);
  }
  get ports(): readonly EndpointPortJson[] {
    return arrayOf<EndpointPortJson>(this.json["ports"]);
  }
}

export function endpointSliceView(o: JsonObject): EndpointSliceView {
  return new EndpointSliceView(o);
}

/** ReplicaSets, ReplicationControllers and Deployments: replicas, selector, template, counts. */
export class WorkloadView extends ObjectView {
  /** spec.replicas; undefined when unset (the API defaults it to 1). */
  get replicas(): number | undefined {
    return numberOrUndefined(this.spec["replicas"]);
  }
  get selector(): JsonObject | undefined {
    return objectOf(this.spec["selector"]);
  }
  get template(): JsonObject | undefined {
    return objectOf(this.spec["template"]);
  }
  get minReadySeconds(): number {
    return numberOrUndefined(this.spec["minReadySeconds"]) ?? 0;
  }
  get paused(): boolean {
    return this.spec["paused"] === true;
  }
  get statusReplicas(): number {
    return numberOrUndefined(this.status["replicas"]) ?? 0;
  }
  get readyReplicas(): number {
    return numberOrUndefined(this.status["readyReplicas"]) ?? 0;
  }
  get availableReplicas(): number {
    return numberOrUndefined(this.status["availableReplicas"]) ?? 0;
  }
  get updatedReplicas(): number {
    return numberOrUndefined(this.status["updatedReplicas"]) ?? 0;
  }
  get observedGeneration(): number {
    return numberOrUndefined(this.status["observedGeneration"]) ?? 0;
  }
}

export function workloadView(o: JsonObject): WorkloadView {
  return new WorkloadView(o);
}
