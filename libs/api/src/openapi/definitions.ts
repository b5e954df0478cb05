/**
 * The schema definitions of the OpenAPI documents, generated from the protobuf descriptors the strict
 * decoder walks (schema.ts), named as Kubernetes names them (io.k8s.api.core.v1.Pod), in the JSON
 * Schema dialect both swagger 2.0 and OpenAPI 3.0 read; only how a reference is written differs.
 */
import { supportedKinds, type AnyKindInfo } from "../kinds.js";
import {
  schemaOf,
  STRUCT,
  TYPE_BOOL,
  TYPE_BYTES,
  TYPE_DOUBLE,
  TYPE_ENUM,
  TYPE_FIXED32,
  TYPE_FIXED64,
  TYPE_FLOAT,
  TYPE_INT32,
  TYPE_INT64,
  TYPE_MESSAGE,
  TYPE_SFIXED32,
  TYPE_SFIXED64,
  TYPE_SINT32,
  TYPE_SINT64,
  TYPE_STRING,
  TYPE_UINT32,
  TYPE_UINT64,
  type FieldSchema,
  type MessageSchema,
} from "../schema.js";
import { INT_OR_STRING, LIST_META, metaDefinitions, QUANTITY, RAW_EXTENSION } from "./meta-definitions.js";
import { fieldPatchMeta, patchMetaOfType } from "../patch/patch-meta.js";
import { requiredFields } from "./required-fields.js";

/** A JSON Schema object of an OpenAPI document. */
export type JsonSchema = { [key: string]: unknown };

/** How a document writes a reference to one of its definitions. */
export interface Dialect {
  /** "#/definitions/" (swagger 2.0) or "#/components/schemas/" (OpenAPI 3). */
  readonly refPrefix: string;
  /**
   * A reference that carries its own description or x-kubernetes extensions: OpenAPI 3 ignores a $ref's
   * siblings, so it wraps it in allOf.
   */
  annotatedRef(ref: string, annotations: JsonSchema): JsonSchema;
  /**
   * A scalar JSON may write as any of `types` (a Quantity: "string" or "number"): swagger 2.0 names the
   * first, as Kubernetes' OpenAPISchemaType; OpenAPI 3 lists them all in oneOf, as its OpenAPIV3OneOfTypes.
   */
  oneOfTypes(types: readonly [string, ...string[]]): JsonSchema;
}

/** Kubernetes' x-kubernetes-group-version-kind entry. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** The Kubernetes package of the messages each .proto file declares. */
const packageByFile: Readonly<Record<string, string>> = {
  "capstan/v1/meta.proto": "io.k8s.apimachinery.pkg.apis.meta.v1",
  "capstan/v1/core.proto": "io.k8s.api.core.v1",
  "capstan/v1/apps.proto": "io.k8s.api.apps.v1",
  "capstan/v1/batch.proto": "io.k8s.api.batch.v1",
  "capstan/v1/discovery.proto": "io.k8s.api.discovery.v1",
  "capstan/v1/scheduling.proto": "io.k8s.api.scheduling.v1",
  "capstan/v1/storage.proto": "io.k8s.api.storage.v1",
  "capstan/v1/policy.proto": "io.k8s.api.policy.v1",
};

/** Messages Kubernetes keeps in another package than their file's, or under another name. */
const kubernetesNames: Readonly<Record<string, string>> = {
  ".capstan.v1.ObjectReference": "io.k8s.api.core.v1.ObjectReference",
  ".capstan.v1.LocalObjectReference": "io.k8s.api.core.v1.LocalObjectReference",
  ".capstan.v1.TopologySelectorTerm": "io.k8s.api.core.v1.TopologySelectorTerm",
  ".capstan.v1.TopologySelectorLabelRequirement": "io.k8s.api.core.v1.TopologySelectorLabelRequirement",
  ".capstan.v1.EndpointSlicePort": "io.k8s.api.discovery.v1.EndpointPort",
};

// Kubernetes' descriptions of the fields every object has, for the kinds whose proto leaves them bare.
const API_VERSION_DESCRIPTION =
  "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
const KIND_DESCRIPTION =
  "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
const METADATA_DESCRIPTION = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const objectFieldDescriptions: Readonly<Record<string, string>> = {
  apiVersion: API_VERSION_DESCRIPTION,
  kind: KIND_DESCRIPTION,
  metadata: METADATA_DESCRIPTION,
};

/** The Kubernetes definition name of a message: ".capstan.v1.Pod" → "io.k8s.api.core.v1.Pod". */
export function definitionName(fullName: string): string {
  const renamed = kubernetesNames[fullName];
  if (renamed) return renamed;
  const pkg = packageByFile[schemaOf(fullName).file];
  if (!pkg) throw new Error(`no Kubernetes package for ${fullName} (${schemaOf(fullName).file})`);
  return `${pkg}.${fullName.slice(fullName.lastIndexOf(".") + 1)}`;
}

/** The group and version of a kind, split from its apiVersion. */
export function groupVersionKind(kind: AnyKindInfo): GroupVersionKind {
  return { group: kind.group, version: kind.apiVersion.slice(kind.apiVersion.lastIndexOf("/") + 1), kind: kind.kind };
}

/** The definition name of a kind's list: io.k8s.api.core.v1.PodList. */
export function listDefinitionName(kind: AnyKindInfo): string {
  return `${definitionName(kind.protoTypeName)}List`;
}

function ref(dialect: Dialect, name: string): JsonSchema {
  return { $ref: `${dialect.refPrefix}${name}` };
}

/** The schema of one value of a field (an array's item, a map's value, or the field itself). */
function valueSchema(f: FieldSchema, dialect: Dialect): JsonSchema {
  if (f.quantity) return ref(dialect, QUANTITY);
  if (f.intOrString) return ref(dialect, INT_OR_STRING);
  switch (f.type) {
    case TYPE_STRING:
    case TYPE_ENUM:
      return { type: "string" };
    case TYPE_BOOL:
      return { type: "boolean" };
    case TYPE_INT32:
    case TYPE_SINT32:
    case TYPE_SFIXED32:
      return { type: "integer", format: "int32" };
    case TYPE_UINT32:
    case TYPE_FIXED32:
    case TYPE_INT64:
    case TYPE_SINT64:
    case TYPE_SFIXED64:
    case TYPE_UINT64:
    case TYPE_FIXED64:
      return { type: "integer", format: "int64" };
    case TYPE_DOUBLE:
      return { type: "number", format: "double" };
    case TYPE_FLOAT:
      return { type: "number", format: "float" };
    case TYPE_BYTES:
      return { type: "string", format: "byte" };
    case TYPE_MESSAGE:
      return ref(dialect, f.typeName === STRUCT ? RAW_EXTENSION : definitionName(f.typeName));
    default:
      throw new Error(`unsupported protobuf field type ${f.type} of ${f.jsonName}`);
  }
}

function fieldSchema(f: FieldSchema, annotations: JsonSchema, dialect: Dialect): JsonSchema {
  let schema: JsonSchema;
  if (f.mapValue) schema = { type: "object", additionalProperties: valueSchema(f.mapValue, dialect) };
  else if (f.repeated) schema = { type: "array", items: valueSchema(f, dialect) };
  else schema = valueSchema(f, dialect);
  if (Object.keys(annotations).length === 0) return schema;
  return typeof schema["$ref"] === "string" ? dialect.annotatedRef(schema["$ref"], annotations) : { ...annotations, ...schema };
}

/**
 * A field's description and its strategic-merge-patch extensions, from the same table the server's
 * PATCH reads, so kubectl computes a patch the server merges the same way.
 */
function fieldAnnotations(message: MessageSchema, f: FieldSchema, isKind: boolean): JsonSchema {
  const description = f.description || (isKind ? (objectFieldDescriptions[f.jsonName] ?? "") : "");
  const patch = fieldPatchMeta(patchMetaOfType(message.fullName.slice(message.fullName.lastIndexOf(".") + 1)), f.jsonName);
  return {
    ...(description ? { description } : {}),
    ...(patch?.patchMergeKey ? { "x-kubernetes-patch-merge-key": patch.patchMergeKey } : {}),
    ...(patch?.patchStrategy ? { "x-kubernetes-patch-strategy": patch.patchStrategy } : {}),
  };
}

function messageDefinition(message: MessageSchema, dialect: Dialect, gvk: GroupVersionKind | undefined): JsonSchema {
  const properties: JsonSchema = {};
  for (const f of message.fields.values()) properties[f.jsonName] = fieldSchema(f, fieldAnnotations(message, f, gvk !== undefined), dialect);
  const required = requiredFields.get(message.fullName);
  for (const name of required ?? []) {
    if (!message.fields.has(name)) throw new Error(`required field ${name} is not a field of ${message.fullName}`);
  }
  return {
    ...(message.description ? { description: message.description } : {}),
    type: "object",
    ...(required ? { required: [...required] } : {}),
    properties,
    ...(gvk ? { "x-kubernetes-group-version-kind": [gvk] } : {}),
  };
}

function listDefinition(kind: AnyKindInfo, dialect: Dialect): JsonSchema {
  const gvk = groupVersionKind(kind);
  return {
    description: `${kind.kind}List is a list of ${kind.kind} objects.`,
    type: "object",
    required: ["items"],
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: "string" },
      items: { description: `List of ${kind.plural}.`, type: "array", items: ref(dialect, definitionName(kind.protoTypeName)) },
      kind: { description: KIND_DESCRIPTION, type: "string" },
      metadata: dialect.annotatedRef(`${dialect.refPrefix}${LIST_META}`, {
        description: "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      }),
    },
    "x-kubernetes-group-version-kind": [{ ...gvk, kind: `${kind.kind}List` }],
  };
}

/**
 * Every definition the documents refer to: each supported kind, its list, every message reachable from
 * them, and the apimachinery types (ObjectMeta's siblings: ListMeta, Status, DeleteOptions, Quantity, …).
 */
export function definitions(dialect: Dialect): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = { ...metaDefinitions(dialect) };
  const gvkByMessage = new Map(supportedKinds().map((k) => [k.protoTypeName, groupVersionKind(k)]));
  const visit = (fullName: string): void => {
    const name = definitionName(fullName);
    if (Object.hasOwn(out, name)) return;
    const message = schemaOf(fullName);
    out[name] = messageDefinition(message, dialect, gvkByMessage.get(fullName));
    for (const f of message.fields.values()) {
      const value = f.mapValue ?? f;
      if (value.type === TYPE_MESSAGE && value.typeName !== STRUCT) visit(value.typeName);
    }
  };
  for (const kind of supportedKinds()) {
    visit(kind.protoTypeName);
    out[listDefinitionName(kind)] = listDefinition(kind, dialect);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
