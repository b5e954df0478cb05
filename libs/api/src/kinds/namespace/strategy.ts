/** Namespace: its identity, defaults and rules (Kubernetes' pkg/registry/core/namespace/strategy.go). */
import { validateQualifiedName, type FieldError } from "@capstan/apimachinery";
import { Namespace, NamespaceStatus } from "../../gen/capstan/v1/core.js";
import { messages } from "../../field-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { namespacePrinter } from "./printer.js";
import { finalizeNamespace, keepSpecFinalizers, namespaceDeletion, namespaceForCreate } from "./lifecycle.js";

export const namespaceStrategy: KindStrategy<"Namespace"> = {
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

  defaults: defaultNamespace,
  validate: validateNamespace,
  prepareForCreate: namespaceForCreate,
  prepareForUpdate: keepSpecFinalizers,
  finalize: finalizeNamespace,
  deletion: namespaceDeletion,

  printer: namespacePrinter,
};

/** A defaulted copy of a Namespace: Active until it is deleted. */
export function defaultNamespace(ns: Namespace): Namespace {
  const out = Namespace.fromPartial(ns);
  const status = (out.status ??= NamespaceStatus.create());
  status.phase ||= "Active";
  return out;
}

/** Every spec finalizer is a qualified name. */
function validateNamespace(ns: Namespace): FieldError[] {
  return (ns.spec?.finalizers ?? []).flatMap((f, i) => messages(`spec.finalizers[${i}]`, f, validateQualifiedName(f)));
}
