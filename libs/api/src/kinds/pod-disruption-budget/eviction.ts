/**
 * The eviction subresource's rules (Kubernetes' pkg/registry/core/pod/storage/eviction.go): which budget a
 * pod's eviction answers to, and whether that budget lets it go now. Pure, so the decision can run inside
 * the commit that deletes the pod and counts the disruption on the budget, atomically.
 */
import { rfc3339Seconds, TooManyRequestsError, type JsonObject } from "@capstan/apimachinery";
import { Pod } from "../../gen/capstan/v1/core.js";
import { Condition } from "../../gen/capstan/v1/meta.js";
import { PodDisruptionBudget, PodDisruptionBudgetStatus } from "../../gen/capstan/v1/policy.js";
import { labelSelectorAsSelector, labelSelectorMatches } from "../../label-selector.js";
import { readySince } from "../pod/pod-readiness.js";

export const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";
/** Budget condition (policy/v1 DisruptionAllowedCondition) and its reasons. */
export const DISRUPTION_ALLOWED = "DisruptionAllowed";
export const SUFFICIENT_PODS = "SufficientPods";
export const INSUFFICIENT_PODS = "InsufficientPods";

/**
 * A pod already gone from service, or never in it: terminal, pending or already terminating. Its
 * eviction is a plain delete (canIgnorePDB).
 */
export function evictionIgnoresBudgets(pod: JsonObject): boolean {
  const p = Pod.fromJSON(pod);
  const phase = p.status?.phase ?? "";
  return phase === "Succeeded" || phase === "Failed" || phase === "Pending" || phase === "" || Boolean(p.metadata?.deletionTimestamp);
}

/** Of a budget's namespace's pods, those it selects. */
export function podsSelectedBy(budget: JsonObject, pods: readonly JsonObject[]): JsonObject[] {
  const selector = labelSelectorAsSelector(PodDisruptionBudget.fromJSON(budget).spec?.selector);
  return pods.filter((p) => selector.matches(Pod.fromJSON(p).metadata?.labels ?? {}));
}

/** Of the pod's namespace's budgets, those that select it. */
export function budgetsSelecting(pod: JsonObject, budgets: readonly JsonObject[]): JsonObject[] {
  const labels = Pod.fromJSON(pod).metadata?.labels ?? {};
  return budgets.filter((b) => labelSelectorMatches(PodDisruptionBudget.fromJSON(b).spec?.selector, labels));
}

/**
 * What evicting `pod` does to the budget that selects it: the budget's status after it (one disruption
 * fewer allowed, the pod among its disrupted pods), `undefined` when the pod may go without counting
 * (an unready pod the budget does not need), or the error that refuses it for now.
 */
export function budgetAfterEviction(pod: JsonObject, budget: JsonObject, now: Date): { status: JsonObject | undefined } | { error: Error } {
  const pdb = PodDisruptionBudget.fromJSON(budget);
  const status = pdb.status ?? PodDisruptionBudgetStatus.create();
  const [currentHealthy = 0, desiredHealthy = 0, disruptionsAllowed = 0] = [status.currentHealthy, status.desiredHealthy, status.disruptionsAllowed];
  const name = pdb.metadata?.name ?? "";
  if (readySince(Pod.fromJSON(pod)) === undefined) {
    // An unready pod adds nothing the budget counts on: it goes if the budget is met anyway, or always.
    if (pdb.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow") return { status: undefined };
    if (currentHealthy >= desiredHealthy && desiredHealthy > 0) return { status: undefined };
  }
  if (status.observedGeneration < (pdb.metadata?.generation ?? 0)) {
    return { error: new TooManyRequestsError(EVICTION_REFUSED, [{ type: "DisruptionBudget", message: `The disruption budget ${name} is still being processed by the server.` }], 10) };
  }
  if (disruptionsAllowed <= 0) {
    return {
      error: new TooManyRequestsError(EVICTION_REFUSED, [
        { type: "DisruptionBudget", message: `The disruption budget ${name} needs ${desiredHealthy} healthy pods and has ${currentHealthy} currently` },
      ]),
    };
  }
  const allowed = disruptionsAllowed - 1;
  const podName = Pod.fromJSON(pod).metadata?.name ?? "";
  const next: PodDisruptionBudgetStatus = {
    ...status,
    disruptionsAllowed: allowed,
    // The disruption controller leaves the pod out of currentHealthy until it sees it go.
    disruptedPods: { ...status.disruptedPods, [podName]: rfc3339Seconds(now) },
    conditions: allowed === 0 ? withDisruptionAllowed(status.conditions, false, status.observedGeneration, now) : status.conditions,
  };
  return { status: PodDisruptionBudgetStatus.toJSON(next) as JsonObject };
}

/** The budget's DisruptionAllowed condition set as `allowed` says (meta.SetStatusCondition: the time moves only on a change). */
export function withDisruptionAllowed(conditions: readonly Condition[], allowed: boolean, observedGeneration: number, now: Date): Condition[] {
  const status = allowed ? "True" : "False";
  const before = conditions.find((c) => c.type === DISRUPTION_ALLOWED);
  const condition: Condition = {
    type: DISRUPTION_ALLOWED,
    status,
    observedGeneration,
    lastTransitionTime: before?.status === status ? before.lastTransitionTime : rfc3339Seconds(now),
    reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS,
    message: "",
  };
  return [...conditions.filter((c) => c.type !== DISRUPTION_ALLOWED), condition];
}
