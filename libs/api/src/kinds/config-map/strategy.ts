/** ConfigMap: its identity and rules (Kubernetes' pkg/registry/core/configmap/strategy.go, ValidateConfigMap). */
import { field, InvalidError, type FieldError, type ObjectKey } from "@capstan/apimachinery";
import { ConfigMap } from "../../gen/capstan/v1/core.js";
import { fieldsOf, type JsonObject, type KindStrategy } from "../kind-strategy.js";
import { configMapDescriber } from "./describe.js";
import { configMapPrinter } from "./printer.js";
import { dataTooLong, immutableWhenSet, sameValues, validateDataKeys, valueBytes } from "./config-map-key.js";

export const configMapStrategy: KindStrategy<"ConfigMap"> = {
  kind: "ConfigMap",
  apiVersion: "v1",
  group: "",
  namespaced: true,
  plural: "configmaps",
  singular: "configmap",
  shortNames: ["cm"],
  objectField: "configMap",
  messageFns: ConfigMap,
  protoTypeName: ".capstan.v1.ConfigMap",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: false,
  ...fieldsOf<ConfigMap>({
    "metadata.name": (cm) => cm.metadata?.name ?? "",
    "metadata.namespace": (cm) => cm.metadata?.namespace ?? "",
  }),

  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,

  printer: configMapPrinter,
  describe: configMapDescriber,
};

/** Valid keys, none in both data and binaryData, and at most 1 MiB of values in all. */
function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = [...validateDataKeys("data", Object.keys(cm.data)), ...validateDataKeys("binaryData", Object.keys(cm.binaryData))];
  for (const key of Object.keys(cm.data)) {
    if (Object.hasOwn(cm.binaryData, key)) errs.push(field.invalid(field.key("data", key), key, "duplicate of key present in binaryData"));
  }
  const total = [...Object.values(cm.data), ...Object.values(cm.binaryData)].reduce((n, v) => n + valueBytes(v), 0);
  // The limit is the whole object's, over both maps: Kubernetes names no field ("[]").
  errs.push(...dataTooLong("[]", total));
  return errs;
}

/** ValidateConfigMapUpdate: once immutable, data and binaryData stay as they are, and so does immutable. */
function validateConfigMapUpdate(key: ObjectKey, after: JsonObject, before: JsonObject): Error | undefined {
  const was = ConfigMap.fromJSON(before);
  if (was.immutable !== true) return undefined;
  const now = ConfigMap.fromJSON(after);
  const errs: FieldError[] = [];
  if (now.immutable !== true) errs.push(immutableWhenSet("immutable"));
  if (!sameValues(now.data, was.data)) errs.push(immutableWhenSet("data"));
  if (!sameValues(now.binaryData, was.binaryData)) errs.push(immutableWhenSet("binaryData"));
  return errs.length > 0 ? new InvalidError(`ConfigMap "${key.name}"`, errs) : undefined;
}
