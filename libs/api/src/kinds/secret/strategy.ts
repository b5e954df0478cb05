/** Secret: its identity, defaults and rules (Kubernetes' pkg/registry/core/secret/strategy.go, ValidateSecret). */
import { field, InvalidError, type FieldError, type ObjectKey } from "@capstan/apimachinery";
import { Secret } from "../../gen/capstan/v1/core.js";
import { dataTooLong, immutableWhenSet, sameValues, validateDataKeys, valueBytes } from "../config-map/config-map-key.js";
import { fieldsOf, type JsonObject, type KindStrategy } from "../kind-strategy.js";
import { secretDescriber } from "./describe.js";
import { secretPrinter } from "./printer.js";

const { invalid, required } = field;

export const SECRET_TYPE_OPAQUE = "Opaque";
export const SECRET_TYPE_SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";
export const SECRET_TYPE_DOCKERCFG = "kubernetes.io/dockercfg";
export const SECRET_TYPE_DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson";
export const SECRET_TYPE_BASIC_AUTH = "kubernetes.io/basic-auth";
export const SECRET_TYPE_SSH_AUTH = "kubernetes.io/ssh-auth";
export const SECRET_TYPE_TLS = "kubernetes.io/tls";

/** The annotation a service-account-token secret names its ServiceAccount by. */
const SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name";

export const secretStrategy: KindStrategy<"Secret"> = {
  kind: "Secret",
  apiVersion: "v1",
  group: "",
  namespaced: true,
  plural: "secrets",
  singular: "secret",
  shortNames: [],
  objectField: "secret",
  messageFns: Secret,
  protoTypeName: ".capstan.v1.Secret",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: false,
  ...fieldsOf<Secret>({
    "metadata.name": (s) => s.metadata?.name ?? "",
    "metadata.namespace": (s) => s.metadata?.namespace ?? "",
    type: (s) => s.type,
  }),

  defaults: defaultSecret,
  validate: validateSecret,
  prepareForCreate: (object) => withStringDataFolded(object),
  prepareForUpdate: (requested) => withStringDataFolded(requested),
  validateUpdate: validateSecretUpdate,

  printer: secretPrinter,
  describe: secretDescriber,
};

/** core/v1 SetDefaults_Secret: Opaque. */
export function defaultSecret(secret: Secret): Secret {
  const out = Secret.fromPartial(secret);
  out.type ||= SECRET_TYPE_OPAQUE;
  return out;
}

/**
 * The secret as stored: each stringData value, UTF-8, in data under its key (replacing what data had),
 * and stringData gone — it is write-only, as Kubernetes' conversion of v1.Secret does.
 */
export function foldStringData(secret: Secret): Secret {
  const out = Secret.fromPartial(secret);
  for (const [key, value] of Object.entries(out.stringData)) out.data[key] = Buffer.from(value, "utf8");
  out.stringData = {};
  return out;
}

function withStringDataFolded(object: JsonObject): JsonObject {
  // ts-proto types toJSON as unknown; a message's JSON is an object.
  return Secret.toJSON(foldStringData(Secret.fromJSON(object))) as JsonObject;
}

/**
 * ValidateSecret, on the data the secret will hold (stringData folded in): valid keys, at most 1 MiB of
 * values, and the keys its type requires. stringData's keys are reported where the user wrote them.
 */
function validateSecret(secret: Secret): FieldError[] {
  const data = foldStringData(secret).data;
  const errs = [...validateDataKeys("data", Object.keys(secret.data)), ...validateDataKeys("stringData", Object.keys(secret.stringData))];
  errs.push(...dataTooLong("data", Object.values(data).reduce((n, v) => n + valueBytes(v), 0)));
  errs.push(...validateSecretType(secret, data));
  return errs;
}

/** The keys a typed secret must hold; other types (Opaque, one of a user's own) require none. */
function validateSecretType(secret: Secret, data: Readonly<Record<string, Buffer>>): FieldError[] {
  const has = (key: string) => Object.hasOwn(data, key);
  switch (secret.type) {
    case SECRET_TYPE_SERVICE_ACCOUNT_TOKEN:
      // The token itself is a controller's to add later; only the ServiceAccount is required.
      return secret.metadata?.annotations[SERVICE_ACCOUNT_NAME_KEY] ? [] : [required(field.key("metadata.annotations", SERVICE_ACCOUNT_NAME_KEY))];
    case SECRET_TYPE_DOCKERCFG:
      return jsonObjectAt(data, ".dockercfg");
    case SECRET_TYPE_DOCKER_CONFIG_JSON:
      return jsonObjectAt(data, ".dockerconfigjson");
    case SECRET_TYPE_BASIC_AUTH:
      // Either may be empty, but one must be there.
      return has("username") || has("password") ? [] : [required("data[username]"), required("data[password]")];
    case SECRET_TYPE_SSH_AUTH:
      return (data["ssh-privatekey"]?.length ?? 0) > 0 ? [] : [required("data[ssh-privatekey]")];
    case SECRET_TYPE_TLS:
      return [...(has("tls.crt") ? [] : [required("data[tls.crt]")]), ...(has("tls.key") ? [] : [required("data[tls.key]")])];
    default:
      return [];
  }
}

/** A docker config key: present, and a JSON object. Its contents are never shown in the message. */
function jsonObjectAt(data: Readonly<Record<string, Buffer>>, key: string): FieldError[] {
  const path = field.key("data", key);
  const value = data[key];
  if (value === undefined) return [required(path)];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString("utf8"));
  } catch (e) {
    return [invalid(path, "<secret contents redacted>", e instanceof Error ? e.message : String(e))];
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? [] : [invalid(path, "<secret contents redacted>", "must be a JSON object")];
}

/** ValidateSecretUpdate: the type never changes; once immutable, data stays as it is, and so does immutable. */
function validateSecretUpdate(key: ObjectKey, after: JsonObject, before: JsonObject): Error | undefined {
  const was = Secret.fromJSON(before);
  const now = Secret.fromJSON(after);
  const errs: FieldError[] = [];
  if (now.type !== was.type) errs.push(invalid("type", now.type, "field is immutable"));
  if (was.immutable === true) {
    if (now.immutable !== true) errs.push(immutableWhenSet("immutable"));
    if (!sameValues(now.data, was.data)) errs.push(immutableWhenSet("data"));
  }
  return errs.length > 0 ? new InvalidError(`Secret "${key.name}"`, errs) : undefined;
}
