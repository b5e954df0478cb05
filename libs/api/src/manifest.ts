/**
 * Strict decoding of Kubernetes JSON (a manifest, already parsed from YAML or JSON) into a typed object.
 * It walks the protobuf descriptors, so it knows every field the API has: an unknown field or a value of
 * the wrong JSON type is an error, never dropped or coerced, and every error is reported at once.
 */
import { InvalidError, field, type FieldError } from "@capstan/apimachinery";
import type { Object as ApiObject } from "./gen/capstan/v1/gateway.js";
import { isIntOrStringInt } from "./int-or-string.js";
import { findKind, fromApiObject, unsupportedKindError, wrapObject, type KindName } from "./kinds.js";
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
} from "./schema.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A value as an error message shows it: scalars in full, containers by their shape only. */
function shown(v: unknown): string {
  if (Array.isArray(v)) return "[...]";
  if (isPlainObject(v)) return "{...}";
  return field.formatValue(v);
}

function wrongType(path: string, v: unknown, rule: string): FieldError {
  return { path, message: `Invalid value ${shown(v)}: ${rule}` };
}

/** Each method answers the normalized value, or undefined after recording why it cannot be decoded. */
class Decoder {
  readonly errors: FieldError[] = [];

  message(schema: MessageSchema, value: unknown, path: string): unknown {
    if (!isPlainObject(value)) {
      this.errors.push(wrongType(path, value, "must be an object"));
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const fieldPath = field.child(path, key);
      const f = schema.fields.get(key);
      if (!f) {
        this.errors.push({ path: fieldPath, message: "unknown field" });
        continue;
      }
      // null is "unset" in Kubernetes JSON (`creationTimestamp: null`); undefined is how code says it.
      if (v === null || v === undefined) continue;
      const decoded = this.field(f, v, fieldPath);
      if (decoded !== undefined) out[key] = decoded;
    }
    return out;
  }

  private field(f: FieldSchema, value: unknown, path: string): unknown {
    if (f.mapValue) return this.map(f.mapValue, value, path);
    if (!f.repeated) return this.single(f, value, path);
    if (!Array.isArray(value)) {
      this.errors.push(wrongType(path, value, "must be an array"));
      return undefined;
    }
    return value.map((item, i) => this.single(f, item, field.index(path, i)));
  }

  private map(valueSchema: FieldSchema, value: unknown, path: string): unknown {
    if (!isPlainObject(value)) {
      this.errors.push(wrongType(path, value, "must be an object"));
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      // A map entry left empty in YAML (`key:`) decodes to the zero value, as in Kubernetes.
      const item = v === null && valueSchema.type === TYPE_STRING ? (valueSchema.quantity ? "0" : "") : v;
      out[key] = this.single(valueSchema, item, field.key(path, key));
    }
    return out;
  }

  private single(f: FieldSchema, v: unknown, path: string): unknown {
    switch (f.type) {
      case TYPE_STRING:
        if (f.intOrString) return this.intOrString(path, v);
        if (typeof v === "string") return v;
        if (f.quantity && typeof v === "number" && Number.isFinite(v)) return String(v);
        return this.fail(path, v, f.quantity ? "must be a quantity (a string such as \"100m\" or \"1Gi\", or a number)" : "must be a string");
      case TYPE_BOOL:
        return typeof v === "boolean" ? v : this.fail(path, v, "must be a boolean");
      case TYPE_INT32:
      case TYPE_SINT32:
      case TYPE_SFIXED32:
        return this.integer(path, v, INT32_MIN, INT32_MAX, false);
      case TYPE_UINT32:
      case TYPE_FIXED32:
        return this.integer(path, v, 0, 2 ** 32 - 1, false);
      case TYPE_INT64:
      case TYPE_SINT64:
      case TYPE_SFIXED64:
        return this.integer(path, v, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
      case TYPE_UINT64:
      case TYPE_FIXED64:
        return this.integer(path, v, 0, Number.MAX_SAFE_INTEGER, true);
      case TYPE_DOUBLE:
      case TYPE_FLOAT:
        return typeof v === "number" ? v : this.fail(path, v, "must be a number");
      case TYPE_BYTES:
        // Standard padded base64, as Kubernetes reads []byte: Buffer would read a malformed value as a shorter one.
        return typeof v === "string" && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v) ? v : this.fail(path, v, "must be a base64-encoded string");
      case TYPE_ENUM:
        return typeof v === "string" || Number.isInteger(v) ? v : this.fail(path, v, "must be an enum name");
      case TYPE_MESSAGE:
        if (f.typeName === STRUCT) return isPlainObject(v) ? v : this.fail(path, v, "must be an object");
        return this.message(schemaOf(f.typeName), v, path);
      default:
        throw new Error(`unsupported protobuf field type ${f.type} at ${path}`);
    }
  }

  /** An integer (kept in decimal) or a string that is not one: `1` or `"25%"`, never `"1"`. */
  private intOrString(path: string, v: unknown): unknown {
    if (typeof v === "number") {
      const n = this.integer(path, v, INT32_MIN, INT32_MAX, false);
      return n === undefined ? undefined : String(n);
    }
    if (typeof v !== "string") return this.fail(path, v, "must be an integer or a string");
    if (isIntOrStringInt(v)) return this.fail(path, v, `must be an integer or a string that is not a number (write ${v} without quotes)`);
    return v;
  }

  /** 64-bit integers may also be written as decimal strings, as protobuf JSON writes them. */
  private integer(path: string, v: unknown, min: number, max: number, acceptString: boolean): unknown {
    let n: number;
    if (typeof v === "number") n = v;
    else if (acceptString && typeof v === "string" && /^-?[0-9]+$/.test(v)) n = Number(v);
    else return this.fail(path, v, "must be an integer");
    if (!Number.isInteger(n)) return this.fail(path, v, "must be an integer");
    if (n < min || n > max) return this.fail(path, v, `must be an integer between ${min} and ${max}`);
    return n;
  }

  private fail(path: string, v: unknown, rule: string): undefined {
    this.errors.push(wrongType(path, v, rule));
    return undefined;
  }
}

export interface DecodedManifest {
  readonly kind: KindName;
  readonly apiObject: ApiObject;
  /** The object as Kubernetes JSON, normalized: quantities as strings, 64-bit integers as numbers, nulls gone. */
  readonly json: Record<string, unknown>;
}

function subjectOf(kind: string, json: Record<string, unknown>): string {
  const meta = json["metadata"];
  const name = isPlainObject(meta) ? (typeof meta["name"] === "string" && meta["name"] ? meta["name"] : meta["generateName"]) : undefined;
  const what = kind || "object";
  return typeof name === "string" && name !== "" ? `${what} ${JSON.stringify(name)}` : what;
}

/**
 * Decodes one Kubernetes object strictly. Throws one InvalidError (subject like `Pod "web"`) listing
 * every problem: missing or unsupported kind, an apiVersion the kind is not served at, unknown fields,
 * and values of the wrong JSON type.
 */
export function decodeManifest(json: unknown): DecodedManifest {
  const { kind, apiObject } = decodeStrictly(json, true);
  return { kind, apiObject, json: fromApiObject(apiObject).json };
}

/**
 * Kubernetes JSON to the typed object, as strictly as a manifest: an unknown or misspelt field is an
 * error, never silently dropped (services convert their own JSON with this too, so a field they spell
 * wrong fails their tests instead of vanishing).
 */
export function toApiObject(json: unknown): ApiObject {
  return decodeStrictly(json, false).apiObject;
}

/** `requireApiVersion`: a user's manifest must say it; code may leave it to the kind. */
function decodeStrictly(json: unknown, requireApiVersion: boolean): { kind: KindName; apiObject: ApiObject } {
  if (!isPlainObject(json)) throw new InvalidError("object", [wrongType("(root)", json, "must be an object")]);
  const kind = json["kind"];
  const apiVersion = json["apiVersion"];
  const errors: FieldError[] = [];

  if (apiVersion === undefined || apiVersion === null || apiVersion === "") {
    if (requireApiVersion) errors.push(field.required("apiVersion"));
  } else if (typeof apiVersion !== "string") errors.push(wrongType("apiVersion", apiVersion, "must be a string"));
  if (kind === undefined || kind === null || kind === "") errors.push(field.required("kind"));
  else if (typeof kind !== "string") errors.push(wrongType("kind", kind, "must be a string"));

  const info = typeof kind === "string" ? findKind(kind) : undefined;
  const subject = subjectOf(typeof kind === "string" ? kind : "", json);
  if (!info) {
    if (typeof kind === "string" && kind !== "") errors.push(unsupportedKindError(kind));
    throw new InvalidError(subject, errors);
  }
  if (typeof apiVersion === "string" && apiVersion !== "" && apiVersion !== info.apiVersion) {
    errors.push(field.notSupported("apiVersion", apiVersion, [info.apiVersion]));
  }

  const decoder = new Decoder();
  const normalized = decoder.message(schemaOf(info.protoTypeName), json, "");
  errors.push(...decoder.errors.filter((e) => e.path !== "apiVersion" && e.path !== "kind"));
  if (errors.length > 0) throw new InvalidError(subject, errors);

  return { kind: info.kind, apiObject: wrapObject(info.kind, info.messageFns.fromJSON(normalized)) };
}
