/**
 * PodDisruptionBudget (policy/v1): its identity and rules (Kubernetes' pkg/registry/policy/poddisruptionbudget/
 * strategy.go, pkg/apis/policy/validation ValidatePodDisruptionBudget). Its status is the disruption
 * controller's and the eviction path's to write.
 */
import { field, validateLabelSelector, type FieldError } from "@capstan/apimachinery";
import { PodDisruptionBudget, type PodDisruptionBudgetSpec, type PodDisruptionBudgetStatus } from "../../gen/capstan/v1/policy.js";
import { nonNegative } from "../../field-validation.js";
import { fieldsOf, type KindStrategy } from "../kind-strategy.js";
import { validateIntOrPercent, validateNotMoreThan100Percent } from "../deployment/strategy.js";
import { podDisruptionBudgetDescriber, podDisruptionBudgetPrinter } from "./printer.js";

const { invalid, notSupported } = field;

export const UNHEALTHY_POD_EVICTION_POLICIES = ["AlwaysAllow", "IfHealthyBudget"];

export const podDisruptionBudgetStrategy: KindStrategy<"PodDisruptionBudget"> = {
  kind: "PodDisruptionBudget",
  apiVersion: "policy/v1",
  group: "policy",
  namespaced: true,
  plural: "poddisruptionbudgets",
  singular: "poddisruptionbudget",
  shortNames: ["pdb"],
  objectField: "podDisruptionBudget",
  messageFns: PodDisruptionBudget,
  protoTypeName: ".capstan.v1.PodDisruptionBudget",
  nameRule: "DNS1123Subdomain",
  createClearsStatus: true,
  ...fieldsOf<PodDisruptionBudget>({
    "metadata.name": (pdb) => pdb.metadata?.name ?? "",
    "metadata.namespace": (pdb) => pdb.metadata?.namespace ?? "",
  }),

  validate: (pdb) => validatePodDisruptionBudgetSpec(pdb.spec, "spec"),
  validateStatus: (pdb) => validatePodDisruptionBudgetStatus(pdb.status, "status"),

  printer: podDisruptionBudgetPrinter,
  describe: podDisruptionBudgetDescriber,
};

function validatePodDisruptionBudgetSpec(spec: PodDisruptionBudgetSpec | undefined, path: string): FieldError[] {
  if (!spec) return [];
  const errs: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errs.push(invalid(path, { minAvailable: spec.minAvailable, maxUnavailable: spec.maxUnavailable }, "minAvailable and maxUnavailable cannot be both set"));
  }
  for (const [name, value] of [["minAvailable", spec.minAvailable], ["maxUnavailable", spec.maxUnavailable]] as const) {
    errs.push(...validateIntOrPercent(value, `${path}.${name}`), ...validateNotMoreThan100Percent(value, `${path}.${name}`));
  }
  errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !UNHEALTHY_POD_EVICTION_POLICIES.includes(policy)) {
    errs.push(notSupported(`${path}.unhealthyPodEvictionPolicy`, policy, UNHEALTHY_POD_EVICTION_POLICIES));
  }
  return errs;
}

/** ValidatePodDisruptionBudgetStatusUpdate: counts are never negative. */
function validatePodDisruptionBudgetStatus(status: PodDisruptionBudgetStatus | undefined, path: string): FieldError[] {
  if (!status) return [];
  return [
    ...nonNegative(`${path}.disruptionsAllowed`, status.disruptionsAllowed),
    ...nonNegative(`${path}.currentHealthy`, status.currentHealthy),
    ...nonNegative(`${path}.desiredHealthy`, status.desiredHealthy),
    ...nonNegative(`${path}.expectedPods`, status.expectedPods),
  ];
}
