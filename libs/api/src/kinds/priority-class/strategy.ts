/**
 * PriorityClass: its identity, defaults and rules (Kubernetes' pkg/registry/scheduling/priorityclass/strategy.go,
 * pkg/apis/scheduling/validation ValidatePriorityClass).
 */
import { field, type FieldError } from "@capstan/apimachinery";
import { PriorityClass } from "../../gen/capstan/v1/scheduling.js";
import { PREEMPT_LOWER_PRIORITY, validatePreemptionPolicy } from "../../scheduling-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { priorityClassPrinter } from "./printer.js";
import { priorityClassAdmission, priorityClassDeletion } from "./priority-admission.js";
import { systemPriorityClasses } from "./system-priority-classes.js";

const { forbidden } = field;

/** Kubernetes keeps values above one billion for the system's own classes. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
export const SYSTEM_PRIORITY_CLASS_PREFIX = "system-";


export const priorityClassStrategy: KindStrategy<"PriorityClass"> = {
  kind: "PriorityClass",
  apiVersion: "scheduling.k8s.io/v1",
  group: "scheduling.k8s.io",
  namespaced: false,
  plural: "priorityclasses",
  singular: "priorityclass",
  shortNames: ["pc"],
  objectField: "priorityClass",
  messageFns: PriorityClass,
  protoTypeName: ".capstan.v1.PriorityClass",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: false,
  ...fieldsOf<PriorityClass>({
    "metadata.name": (pc) => pc.metadata?.name ?? "",
  }),

  defaults: defaultPriorityClass,
  validate: validatePriorityClass,
  admission: priorityClassAdmission,
  deletion: priorityClassDeletion,

  printer: priorityClassPrinter,
};

/** A defaulted copy of a PriorityClass: it preempts lower priorities unless it says Never. */
export function defaultPriorityClass(pc: PriorityClass): PriorityClass {
  const out = PriorityClass.fromPartial(pc);
  out.preemptionPolicy ??= PREEMPT_LOWER_PRIORITY;
  return out;
}

/** ValidatePriorityClass: user classes stay at or below one billion; system- names are the system's. */
function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  const name = pc.metadata?.name ?? "";
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const builtIn = systemPriorityClasses.find((c) => c.name === name);
    if (!builtIn) errs.push(forbidden("metadata.name", `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only`));
    else if (pc.value !== builtIn.value) errs.push(forbidden("value", `value of ${name} must be ${builtIn.value}`));
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden("value", `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  errs.push(...validatePreemptionPolicy(pc.preemptionPolicy, "preemptionPolicy"));
  return errs;
}
