/**
 * What the API does with one kind, in one registration — Kubernetes' pkg/registry/<group>/<kind>/strategy.go:
 * its identity (apiVersion, scope, names, protobuf message), the fields a selector may name, defaulting,
 * validation on create, update and status writes, how it is prepared for a create or an update, what a
 * delete does to it, and its admission (decisions that read other objects in the write's own commit).
 * The gateway's write path is kind-agnostic: it asks the kind's strategy at each step.
 */
import type { Decide, FieldError, JsonObject, ObjectKey } from "@capstan/apimachinery";
import type { MessageFns } from "../gen/capstan/v1/core.js";
import type { Object as ApiObject } from "../gen/capstan/v1/gateway.js";
import type { KindMap, KindName } from "./kind-map.js";
import type { ServiceAllocator } from "./service/service-allocation.js";
import type { KindDescriber, KindPrinter } from "./kind-printer.js";
import type { CountedKind } from "./resource-quota/quota-usage.js";

/** The field of the gateway `Object` that holds a kind: `pod` for Pod. */
export type ObjectField = keyof ApiObject;

/** The rule metadata.name follows. */
export type NameRule = "DNS1123Label" | "DNS1123Subdomain";

export type { JsonObject };

/** What a server may choose about defaulting; the defaults are Kubernetes'. */
export interface DefaultingOptions {
  /** tolerationSeconds of the not-ready and unreachable tolerations every pod gets. */
  readonly defaultTolerationSeconds?: number;
}

export interface KindStrategy<K extends KindName = KindName> {
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

  /** Kubernetes' SetDefaults_<Kind>: a new message with the fields a user may leave out filled in. */
  defaults?(message: KindMap[K], opts: DefaultingOptions): KindMap[K];
  /**
   * Rules of the object as it will be stored, each error at its field path (metadata is checked for every
   * kind). `message` is defaulted; `written` is as decoded, for rules that must judge what the user wrote
   * (defaulting copies a container's limits into its requests). Neither may be changed.
   */
  validate?(message: KindMap[K], written: KindMap[K]): FieldError[];
  /** Rules of a status written through UpdateStatus. */
  validateStatus?(message: KindMap[K]): FieldError[];
  /** The object a create stores, after defaulting (a namespace starts Active with its finalizer). */
  prepareForCreate?(object: JsonObject): JsonObject;
  /** The object an update stores, given the current one (a namespace keeps its spec.finalizers). */
  prepareForUpdate?(requested: JsonObject, current: JsonObject): JsonObject;
  /** Rules of an update against the object it replaces (immutable fields): the first error, or none. */
  validateUpdate?(key: ObjectKey, after: JsonObject, before: JsonObject): Error | undefined;
  /** What a delete does to it; unset: it goes at once unless finalizers hold it. */
  readonly deletion?: DeletionStrategy;
  /** The Finalize verb (a namespace's finalize subresource): the object with the finalizers `requested` names. */
  finalize?(current: JsonObject, requested: JsonObject): JsonObject;
  /** Admission: decisions that read other objects in the write's own commit. */
  readonly admission?: KindAdmission;
  /**
   * Its create and update count the namespace's objects (a ResourceQuota's used): they wait for the
   * namespace's writes in flight, and the namespace's new writes wait for them.
   */
  readonly countsNamespace?: boolean;
  /** Its table for `capctl get`; unset: kubectl's default NAME, AGE. */
  readonly printer?: KindPrinter;
  /** Its sections for `capctl describe`; unset: a generic dump of metadata and the rest. */
  readonly describe?: KindDescriber;
}

export interface DeletionStrategy {
  /** Why an object of this name may never be deleted (a system namespace); undefined when it may. */
  forbidden?(name: string): string | undefined;
  /** How long it stays terminating before it goes (a pod a node runs); 0 or unset: at once. */
  gracePeriodSeconds?(object: JsonObject, requested: number | undefined): number;
  /** Whether something besides metadata.finalizers holds it (a namespace's spec.finalizers). */
  isHeld?(object: JsonObject): boolean;
  /** The object as marked for deletion, when it does not go at once (a namespace turns Terminating). */
  markTerminating?(object: JsonObject): JsonObject;
}

/** What a write's admission runs in the commit, and the objects it reads in the same snapshot. */
export interface Admitted {
  readonly decide: Decide;
  readonly reads: readonly ObjectKey[];
}

/** What a server gives admission: settings, and what it knows beyond the write's own snapshot. */
export interface AdmissionContext {
  /** The global default PriorityClass's name as this server last saw it; the write reads that class to confirm. */
  defaultPriorityClass(): Promise<string | undefined>;
  /** After a PriorityClass write: the next defaultPriorityClass() looks again. */
  priorityClassesChanged(): void;
  /** The default StorageClass's name as this server last saw it (the newest of several); a claim create reads it to confirm. */
  defaultStorageClass(): Promise<string | undefined>;
  /** After a StorageClass write: the next defaultStorageClass() looks again. */
  storageClassesChanged(): void;
  /** The names of a namespace's ResourceQuotas as this server last saw them; a write reads each to confirm. */
  resourceQuotas(namespace: string): Promise<readonly string[]>;
  /** After a ResourceQuota write: the next resourceQuotas() looks again. */
  resourceQuotasChanged(): void;
  /** The names of a namespace's LimitRanges as this server last saw them; a pod create reads each to confirm. */
  limitRanges(namespace: string): Promise<readonly string[]>;
  /** After a LimitRange write: the next limitRanges() looks again. */
  limitRangesChanged(): void;
  /** The keys of a namespace's objects of these kinds now, for a write that reads them all in its commit. */
  namespaceObjects(namespace: string, kinds: readonly string[]): Promise<ObjectKey[]>;
  /** Every namespaced kind, as quota counts it. */
  readonly countedKinds: readonly CountedKind[];
  readonly serviceAllocator: ServiceAllocator;
  /** A fresh uid, for records admission writes beside the object. */
  newUid(): string;
}

/**
 * Kubernetes' admission plugins for one kind: each wraps the verb's decision with one that reads other
 * objects (a PriorityClass, the address ranges) in the same commit, so the check and the write are atomic.
 */
export interface KindAdmission {
  create?(key: ObjectKey, object: JsonObject, decide: (object: JsonObject) => Decide, ctx: AdmissionContext): Admitted | Promise<Admitted>;
  /** `decide` takes the object to store; admission may adjust the request given the current object. */
  update?(key: ObjectKey, requested: JsonObject, decide: (requested: JsonObject) => Decide, ctx: AdmissionContext): Admitted | Promise<Admitted>;
  delete?(key: ObjectKey, decide: Decide, ctx: AdmissionContext): Admitted;
  /** After a write of this kind committed. */
  committed?(ctx: AdmissionContext): void;
}

/** The strategy of some kind: switching on `kind` narrows `messageFns` to that kind's message. */
export type AnyKindStrategy = { [K in KindName]: KindStrategy<K> }[KindName];

/** A kind's selectable fields from one getter each, in the order given. */
export function fieldsOf<T>(getters: Readonly<Record<string, (m: T) => string>>): {
  selectableFields: readonly string[];
  fieldValue(message: T, field: string): string | undefined;
} {
  return {
    selectableFields: Object.keys(getters),
    fieldValue: (message, field) => (Object.hasOwn(getters, field) ? getters[field]?.(message) : undefined),
  };
}
