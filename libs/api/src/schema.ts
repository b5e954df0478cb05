/**
 * The API's message schemas, read from the protobuf descriptors, and the fields whose JSON differs from
 * plain protobuf JSON because Kubernetes spells them so: quantities (`cpu: 2` or `"100m"`, kept as
 * strings) and IntOrString (`maxSurge: 1` or `"25%"`, kept as strings, an integer in decimal).
 * The strict decoder reads them; Kubernetes JSON is written back with IntOrString integers as numbers.
 */
import type { DescriptorProto, FieldDescriptorProto, FileDescriptorProto } from "ts-proto-descriptors";
import { protoMetadata as appsProto } from "./gen/capstan/v1/apps.js";
import { protoMetadata as batchProto } from "./gen/capstan/v1/batch.js";
import { protoMetadata as coreProto } from "./gen/capstan/v1/core.js";
import { protoMetadata as discoveryProto } from "./gen/capstan/v1/discovery.js";
import { protoMetadata as metaProto } from "./gen/capstan/v1/meta.js";
import { protoMetadata as policyProto } from "./gen/capstan/v1/policy.js";
import { protoMetadata as schedulingProto } from "./gen/capstan/v1/scheduling.js";
import { protoMetadata as storageProto } from "./gen/capstan/v1/storage.js";
import { isIntOrStringInt } from "./int-or-string.js";

// google.protobuf.FieldDescriptorProto.Type and .Label; ts-proto-descriptors is CommonJS, so only its types are imported.
export const TYPE_DOUBLE = 1, TYPE_FLOAT = 2, TYPE_INT64 = 3, TYPE_UINT64 = 4, TYPE_INT32 = 5, TYPE_FIXED64 = 6, TYPE_FIXED32 = 7;
export const TYPE_BOOL = 8, TYPE_STRING = 9, TYPE_MESSAGE = 11, TYPE_BYTES = 12, TYPE_UINT32 = 13, TYPE_ENUM = 14;
export const TYPE_SFIXED32 = 15, TYPE_SFIXED64 = 16, TYPE_SINT32 = 17, TYPE_SINT64 = 18;
const LABEL_REPEATED = 3;

/** google.protobuf.Struct: any JSON object (Kubernetes' RawExtension), taken as written, never walked. */
export const STRUCT = ".google.protobuf.Struct";

/**
 * Fields that hold Kubernetes quantities as strings. Kubernetes also accepts a JSON number there
 * (`cpu: 2`), so they take either and are stored as the string.
 */
const quantityFields = new Set([
  ".capstan.v1.ResourceRequirements.requests",
  ".capstan.v1.ResourceRequirements.limits",
  ".capstan.v1.NodeStatus.capacity",
  ".capstan.v1.NodeStatus.allocatable",
  ".capstan.v1.EmptyDirVolumeSource.sizeLimit",
  ".capstan.v1.PodSpec.overhead",
  ".capstan.v1.PersistentVolumeSpec.capacity",
  ".capstan.v1.VolumeResourceRequirements.requests",
  ".capstan.v1.VolumeResourceRequirements.limits",
  ".capstan.v1.PersistentVolumeClaimStatus.capacity",
]);

/**
 * Fields of Kubernetes' IntOrString type. JSON holds an integer or a string; the message holds a string,
 * the integer in decimal, and the JSON written back has the integer as a number again.
 */
const intOrStringFields = new Set([
  ".capstan.v1.HTTPGetAction.port",
  ".capstan.v1.TCPSocketAction.port",
  ".capstan.v1.RollingUpdateDeployment.maxUnavailable",
  ".capstan.v1.RollingUpdateDeployment.maxSurge",
  ".capstan.v1.RollingUpdateStatefulSetStrategy.maxUnavailable",
  ".capstan.v1.RollingUpdateDaemonSet.maxUnavailable",
  ".capstan.v1.RollingUpdateDaemonSet.maxSurge",
  ".capstan.v1.ServicePort.targetPort",
  ".capstan.v1.PodDisruptionBudgetSpec.minAvailable",
  ".capstan.v1.PodDisruptionBudgetSpec.maxUnavailable",
]);

export interface FieldSchema {
  readonly jsonName: string;
  /** The field's leading comment in the .proto, one paragraph per blank-line-separated block; "" when none. */
  readonly description: string;
  readonly type: number;
  readonly typeName: string;
  readonly repeated: boolean;
  readonly quantity: boolean;
  readonly intOrString: boolean;
  /** For a map field, its value's schema; keys are strings. */
  readonly mapValue: FieldSchema | undefined;
}

export interface MessageSchema {
  readonly fullName: string;
  /** The .proto file that declares it: "capstan/v1/apps.proto". */
  readonly file: string;
  /** The message's leading comment in the .proto; "" when none. */
  readonly description: string;
  readonly fields: ReadonlyMap<string, FieldSchema>;
}

interface IndexedMessage {
  readonly descriptor: DescriptorProto;
  readonly file: string;
  readonly description: string;
  /** Leading comments of its fields, by field number. */
  readonly fieldDescriptions: ReadonlyMap<number, string>;
}

// DescriptorProto field numbers in a SourceCodeInfo location path: FileDescriptorProto.message_type = 4,
// DescriptorProto.field = 2, DescriptorProto.nested_type = 3.
const PATH_MESSAGE_TYPE = 4, PATH_FIELD = 2, PATH_NESTED_TYPE = 3;

/** A section heading of a .proto ("// ---- Deployment ----"): it titles the file's next messages, not one. */
const sectionHeading = /^-{2,}.*-{2,}$/;

/** A proto comment as prose: its lines joined, blank lines kept as paragraph breaks, section headings dropped. */
function commentText(comment: string | undefined): string {
  if (!comment) return "";
  return comment
    .split(/\n\s*\n/)
    .map((paragraph) =>
      paragraph
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !sectionHeading.test(line))
        .join(" "),
    )
    .filter(Boolean)
    .join("\n\n");
}

function indexDescriptors(files: readonly FileDescriptorProto[]): Map<string, IndexedMessage> {
  const byName = new Map<string, IndexedMessage>();
  for (const f of files) {
    const comments = new Map<string, string>();
    for (const loc of f.sourceCodeInfo?.location ?? []) comments.set(loc.path.join("."), commentText(loc.leadingComments));
    const visit = (prefix: string, messages: readonly DescriptorProto[], path: readonly number[]): void => {
      messages.forEach((m, i) => {
        const name = `${prefix}.${m.name}`;
        const at = [...path, i];
        const fieldDescriptions = new Map<number, string>();
        m.field.forEach((field, j) => fieldDescriptions.set(field.number, comments.get([...at, PATH_FIELD, j].join(".")) ?? ""));
        byName.set(name, { descriptor: m, file: f.name, description: comments.get(at.join(".")) ?? "", fieldDescriptions });
        visit(name, m.nestedType, [...at, PATH_NESTED_TYPE]);
      });
    };
    visit(f.package ? `.${f.package}` : "", f.messageType, [PATH_MESSAGE_TYPE]);
  }
  return byName;
}

const descriptors = indexDescriptors([metaProto.fileDescriptor, coreProto.fileDescriptor, appsProto.fileDescriptor, batchProto.fileDescriptor, discoveryProto.fileDescriptor, schedulingProto.fileDescriptor, storageProto.fileDescriptor, policyProto.fileDescriptor]);
const schemas = new Map<string, MessageSchema>();

/** The schema of a message by its fully-qualified name (".capstan.v1.Pod"), fields keyed by JSON name. */
export function schemaOf(fullName: string): MessageSchema {
  const cached = schemas.get(fullName);
  if (cached) return cached;
  const indexed = descriptors.get(fullName);
  if (!indexed) throw new Error(`no descriptor for ${fullName}`);
  const fields = new Map<string, FieldSchema>();
  for (const f of indexed.descriptor.field) fields.set(f.jsonName, fieldSchema(fullName, f, indexed.fieldDescriptions.get(f.number) ?? ""));
  const schema = { fullName, file: indexed.file, description: indexed.description, fields };
  schemas.set(fullName, schema);
  return schema;
}

function fieldSchema(owner: string, f: FieldDescriptorProto, description: string): FieldSchema {
  const quantity = quantityFields.has(`${owner}.${f.jsonName}`);
  const intOrString = intOrStringFields.has(`${owner}.${f.jsonName}`);
  const entry = f.type === TYPE_MESSAGE ? descriptors.get(f.typeName)?.descriptor : undefined;
  if (f.label === LABEL_REPEATED && entry?.options?.mapEntry) {
    const value = entry.field.find((v) => v.number === 2);
    if (!value) throw new Error(`map entry ${f.typeName} has no value field`);
    return {
      jsonName: f.jsonName,
      description,
      type: TYPE_MESSAGE,
      typeName: f.typeName,
      repeated: false,
      quantity: false,
      intOrString: false,
      mapValue: { jsonName: "value", description: "", type: value.type, typeName: value.typeName, repeated: false, quantity, intOrString, mapValue: undefined },
    };
  }
  return {
    jsonName: f.jsonName,
    description,
    type: f.type,
    typeName: f.typeName,
    repeated: f.label === LABEL_REPEATED,
    quantity,
    intOrString,
    mapValue: undefined,
  };
}

const reachesCache = new Map<string, boolean>();

/** Whether a message, or one nested in it, has an IntOrString field: only those are walked on output. */
function reachesIntOrString(fullName: string, visiting = new Set<string>()): boolean {
  const cached = reachesCache.get(fullName);
  if (cached !== undefined) return cached;
  if (visiting.has(fullName)) return false;
  visiting.add(fullName);
  let found = false;
  for (const f of schemaOf(fullName).fields.values()) {
    if (f.intOrString || (f.type === TYPE_MESSAGE && !f.mapValue && f.typeName !== STRUCT && reachesIntOrString(f.typeName, visiting))) found = true;
  }
  visiting.delete(fullName);
  reachesCache.set(fullName, found);
  return found;
}

/**
 * Rewrites, in place, the IntOrString integers of a message's protobuf JSON (as ts-proto's toJSON
 * writes it: fresh objects for every message) to JSON numbers, as Kubernetes writes them.
 */
export function restoreIntOrStrings(fullName: string, json: unknown): void {
  if (typeof json !== "object" || json === null || !reachesIntOrString(fullName)) return;
  // Narrowed to a non-null object above; the message's fields are read by name.
  const obj = json as Record<string, unknown>;
  for (const f of schemaOf(fullName).fields.values()) {
    const v = obj[f.jsonName];
    if (v === undefined) continue;
    if (f.intOrString) {
      if (typeof v === "string" && isIntOrStringInt(v)) obj[f.jsonName] = Number(v);
    } else if (f.type === TYPE_MESSAGE && !f.mapValue) {
      if (Array.isArray(v)) for (const item of v) restoreIntOrStrings(f.typeName, item);
      else restoreIntOrStrings(f.typeName, v);
    }
  }
}
