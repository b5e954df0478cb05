/**
 * What the API does with any kind, by name: look a kind up, resolve what a user types for it, wrap and
 * unwrap the gateway's `Object` envelope, convert to Kubernetes JSON, read a selectable field. Each kind's
 * own identity and behaviour is its strategy in kinds/<kind>/strategy.ts, listed in kinds/registry.ts.
 */
import { InvalidError, type FieldError, type ObjectKey } from "@capstan/apimachinery";
import type { Object as ApiObject } from "./gen/capstan/v1/gateway.js";
import { ObjectMeta } from "./gen/capstan/v1/meta.js";
import type { KindPrinter } from "./kinds/kind-printer.js";
import type { AnyKindStrategy, KindStrategy } from "./kinds/kind-strategy.js";
import { strategyByKind as registry } from "./kinds/registry.js";
import { defaultPrinter } from "./printing/table.js";
import { restoreIntOrStrings } from "./schema.js";

export type { NameRule, ObjectField } from "./kinds/kind-strategy.js";

export type { KindMap, KindName } from "./kinds/kind-map.js";
import type { KindMap, KindName } from "./kinds/kind-map.js";

/** A kind's registry entry: its strategy. */
export type KindInfo<K extends KindName = KindName> = KindStrategy<K>;

/** The entry of some kind: switching on `kind` narrows `messageFns` to that kind's message. */
export type AnyKindInfo = AnyKindStrategy;

/** A typed object together with its kind, narrowed by `kind`. */
export type KindedMessage = { [K in KindName]: { readonly kind: K; readonly message: KindMap[K] } }[KindName];

const kindNames = Object.keys(registry) as KindName[];
const objectFields = kindNames.map((k) => registry[k].objectField);

/** Every supported kind, in the order they matter. */
export function supportedKinds(): readonly AnyKindInfo[] {
  return kindNames.map((k) => registry[k]);
}

/** The kinds `kubectl get all` shows: the workloads and services, as Kubernetes puts them in category "all". */
const CATEGORY_ALL: ReadonlySet<string> = new Set(["Pod", "ReplicationController", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "Job", "CronJob"]);

export function inCategoryAll(kind: string): boolean {
  return CATEGORY_ALL.has(kind);
}

/** Category "all" in the order kubectl expands it from discovery: the core group's kinds, then each named group's. */
export function categoryAllKinds(): KindName[] {
  const kinds = kindNames.filter(inCategoryAll);
  const groups = [...new Set(["", ...kindNames.map((k) => registry[k].group)])];
  return groups.flatMap((group) => kinds.filter((k) => registry[k].group === group));
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

/** A kind's table: its printer, or kubectl's default (NAME, AGE); capctl's and the Kubernetes API's tables alike. */
export function printerOf(kind: string): KindPrinter {
  return kindInfo(kind).printer ?? defaultPrinter;
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
  // ts-proto types toJSON as unknown; a message's JSON is an object.
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
