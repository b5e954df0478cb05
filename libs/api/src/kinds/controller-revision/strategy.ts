/**
 * ControllerRevision: its identity and rules (Kubernetes' pkg/registry/apps/controllerrevision/strategy.go,
 * ValidateControllerRevision): a snapshot a StatefulSet or DaemonSet keeps of its template.
 */
import { isDeepStrictEqual } from "node:util";
import { field, InvalidError, type FieldError, type ObjectKey } from "@capstan/apimachinery";
import { ControllerRevision } from "../../gen/capstan/v1/apps.js";
import { nonNegative } from "../../field-validation.js";
import { fieldsOf, type JsonObject, type KindStrategy } from "../kind-strategy.js";
import { controllerRevisionPrinter } from "./printer.js";

export const controllerRevisionStrategy: KindStrategy<"ControllerRevision"> = {
  kind: "ControllerRevision",
  apiVersion: "apps/v1",
  group: "apps",
  namespaced: true,
  plural: "controllerrevisions",
  singular: "controllerrevision",
  shortNames: [],
  objectField: "controllerRevision",
  messageFns: ControllerRevision,
  protoTypeName: ".capstan.v1.ControllerRevision",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: false,
  ...fieldsOf<ControllerRevision>({
    "metadata.name": (cr) => cr.metadata?.name ?? "",
    "metadata.namespace": (cr) => cr.metadata?.namespace ?? "",
  }),

  validate: validateControllerRevision,
  validateUpdate: immutableData,

  printer: controllerRevisionPrinter,
};

function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errs: FieldError[] = [...nonNegative("revision", cr.revision)];
  if (cr.data === undefined) errs.push(field.required("data"));
  return errs;
}

/** ValidateControllerRevisionUpdate: a revision's data is what it was; only its number may change. */
function immutableData(key: ObjectKey, after: JsonObject, before: JsonObject): Error | undefined {
  if (isDeepStrictEqual(after["data"], before["data"])) return undefined;
  return new InvalidError(`ControllerRevision "${key.name}"`, [field.invalid("data", after["data"] ?? null, "field is immutable")]);
}
