/**
 * Validation of what steers scheduling — a pod's affinity, topology spread constraints, preemption policy,
 * scheduling gates — with Kubernetes' rules and wording (pkg/apis/core/validation ValidateAffinity /
 * validateTopologySpreadConstraints). PriorityClass's own rules are in kinds/priority-class.
 */
import {
  field,
  validateDNS1123Label,
  validateLabelSelector,
  validateQualifiedName,
  type FieldError,
} from "@capstan/apimachinery";
import type {
  Affinity,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodAffinityTerm,
  PodSchedulingGate,
  PreferredSchedulingTerm,
  TopologySpreadConstraint,
  WeightedPodAffinityTerm,
} from "./gen/capstan/v1/core.js";
import { messages } from "./field-validation.js";

const { required, invalid, notSupported, duplicate, forbidden } = field;

export const PREEMPT_LOWER_PRIORITY = "PreemptLowerPriority";
export const PREEMPT_NEVER = "Never";
export const preemptionPolicies = [PREEMPT_LOWER_PRIORITY, PREEMPT_NEVER];
const scheduleActions = ["DoNotSchedule", "ScheduleAnyway"];
const inclusionPolicies = ["Honor", "Ignore"];
/** The only node field a matchFields requirement may name. */
const nodeFieldSelectorKeys = ["metadata.name"];

function validateWeight(weight: number, path: string): FieldError[] {
  return weight <= 0 || weight > 100 ? [invalid(path, weight, "must be in the range 1-100")] : [];
}

function validateTopologyKey(key: string, path: string): FieldError[] {
  return key === "" ? [required(path, "can not be empty")] : messages(path, key, validateQualifiedName(key));
}

// ---- affinity ----

export function validateAffinity(affinity: Affinity | undefined, path: string): FieldError[] {
  if (!affinity) return [];
  const errs: FieldError[] = [];
  const node = affinity.nodeAffinity;
  if (node) {
    const nodePath = `${path}.nodeAffinity`;
    if (node.requiredDuringSchedulingIgnoredDuringExecution) {
      errs.push(...validateNodeSelector(node.requiredDuringSchedulingIgnoredDuringExecution, `${nodePath}.requiredDuringSchedulingIgnoredDuringExecution`));
    }
    node.preferredDuringSchedulingIgnoredDuringExecution.forEach((term, i) =>
      errs.push(...validatePreferredSchedulingTerm(term, `${nodePath}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`)),
    );
  }
  for (const [name, podAffinity] of [["podAffinity", affinity.podAffinity], ["podAntiAffinity", affinity.podAntiAffinity]] as const) {
    if (!podAffinity) continue;
    const p = `${path}.${name}`;
    podAffinity.requiredDuringSchedulingIgnoredDuringExecution.forEach((term, i) =>
      errs.push(...validatePodAffinityTerm(term, `${p}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`)),
    );
    podAffinity.preferredDuringSchedulingIgnoredDuringExecution.forEach((term, i) =>
      errs.push(...validateWeightedPodAffinityTerm(term, `${p}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`)),
    );
  }
  return errs;
}

export function validateNodeSelector(selector: NodeSelector, path: string): FieldError[] {
  const termsPath = `${path}.nodeSelectorTerms`;
  if (selector.nodeSelectorTerms.length === 0) return [required(termsPath, "must have at least one node selector term")];
  return selector.nodeSelectorTerms.flatMap((term, i) => validateNodeSelectorTerm(term, `${termsPath}[${i}]`));
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, path: string): FieldError[] {
  return [
    ...term.matchExpressions.flatMap((r, i) => validateNodeSelectorRequirement(r, `${path}.matchExpressions[${i}]`)),
    ...term.matchFields.flatMap((r, i) => validateNodeFieldSelectorRequirement(r, `${path}.matchFields[${i}]`)),
  ];
}

/** ValidateNodeSelectorRequirement: the operator decides how many values there must be. */
export function validateNodeSelectorRequirement(r: NodeSelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (r.operator) {
    case "In":
    case "NotIn":
      if (r.values.length === 0) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (r.values.length > 0) errs.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case "Gt":
    case "Lt":
      if (r.values.length !== 1) errs.push(required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(`${path}.operator`, r.operator, "not a valid selector operator"));
  }
  errs.push(...messages(`${path}.key`, r.key, validateQualifiedName(r.key)));
  return errs;
}

function validateNodeFieldSelectorRequirement(r: NodeSelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (r.operator === "In" || r.operator === "NotIn") {
    if (r.values.length !== 1) errs.push(required(`${path}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    errs.push(invalid(`${path}.operator`, r.operator, "not a valid selector operator"));
  }
  if (!nodeFieldSelectorKeys.includes(r.key)) errs.push(notSupported(`${path}.key`, r.key, nodeFieldSelectorKeys));
  return errs;
}

function validatePreferredSchedulingTerm(term: PreferredSchedulingTerm, path: string): FieldError[] {
  const errs = validateWeight(term.weight, `${path}.weight`);
  if (term.preference) errs.push(...validateNodeSelectorTerm(term.preference, `${path}.preference`));
  return errs;
}

function validatePodAffinityTerm(term: PodAffinityTerm, path: string): FieldError[] {
  return [
    ...validateLabelSelector(term.labelSelector, `${path}.labelSelector`),
    ...validateLabelSelector(term.namespaceSelector, `${path}.namespaceSelector`),
    ...term.namespaces.flatMap((ns, i) => messages(`${path}.namespaces[${i}]`, ns, validateDNS1123Label(ns))),
    ...validateTopologyKey(term.topologyKey, `${path}.topologyKey`),
  ];
}

function validateWeightedPodAffinityTerm(term: WeightedPodAffinityTerm, path: string): FieldError[] {
  const errs = validateWeight(term.weight, `${path}.weight`);
  if (!term.podAffinityTerm) errs.push(required(`${path}.podAffinityTerm`));
  else errs.push(...validatePodAffinityTerm(term.podAffinityTerm, `${path}.podAffinityTerm`));
  return errs;
}

// ---- topology spread ----

export function validateTopologySpreadConstraints(constraints: readonly TopologySpreadConstraint[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  constraints.forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (c.maxSkew <= 0) errs.push(invalid(`${p}.maxSkew`, c.maxSkew, "must be greater than zero"));
    errs.push(...validateTopologyKey(c.topologyKey, `${p}.topologyKey`));
    if (!scheduleActions.includes(c.whenUnsatisfiable)) errs.push(notSupported(`${p}.whenUnsatisfiable`, c.whenUnsatisfiable, scheduleActions));
    const pair = `{${c.topologyKey}, ${c.whenUnsatisfiable}}`;
    if (seen.has(pair)) errs.push(duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, pair));
    seen.add(pair);
    if (c.minDomains !== undefined) {
      if (c.minDomains <= 0) errs.push(invalid(`${p}.minDomains`, c.minDomains, "must be greater than zero"));
      else if (c.whenUnsatisfiable !== "DoNotSchedule") {
        errs.push(invalid(`${p}.minDomains`, c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable}`));
      }
    }
    for (const [name, policy] of [["nodeAffinityPolicy", c.nodeAffinityPolicy], ["nodeTaintsPolicy", c.nodeTaintsPolicy]] as const) {
      if (policy !== undefined && !inclusionPolicies.includes(policy)) errs.push(notSupported(`${p}.${name}`, policy, inclusionPolicies));
    }
    errs.push(...validateLabelSelector(c.labelSelector, `${p}.labelSelector`));
    const selectorKeys = new Set([...Object.keys(c.labelSelector?.matchLabels ?? {}), ...(c.labelSelector?.matchExpressions ?? []).map((e) => e.key)]);
    c.matchLabelKeys.forEach((key, j) => {
      const keyPath = `${p}.matchLabelKeys[${j}]`;
      errs.push(...messages(keyPath, key, validateQualifiedName(key)));
      if (selectorKeys.has(key)) errs.push(invalid(keyPath, key, "exists in both matchLabelKeys and labelSelector"));
    });
  });
  return errs;
}

// ---- priority, gates ----

export function validatePreemptionPolicy(policy: string | undefined, path: string): FieldError[] {
  return policy !== undefined && !preemptionPolicies.includes(policy) ? [notSupported(path, policy, preemptionPolicies)] : [];
}

export function validateSchedulingGates(gates: readonly PodSchedulingGate[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  gates.forEach((g, i) => {
    const p = `${path}[${i}]`;
    errs.push(...messages(`${p}.name`, g.name, validateQualifiedName(g.name)));
    if (seen.has(g.name)) errs.push(duplicate(p, g.name));
    seen.add(g.name);
  });
  return errs;
}
