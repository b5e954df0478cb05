/**
 * A PodDisruptionBudget's status from the pods it selects (Kubernetes' pkg/controller/disruption: trySync,
 * getExpectedPodCount, countHealthyPods, buildDisruptedPodMap, updatePdbStatus): how many pods are
 * expected, how many must stay healthy, how many are, and so how many disruptions are allowed now.
 */
import { isIntOrStringInt, Pod, PodDisruptionBudget, PodDisruptionBudgetStatus, readySince, scaledValueFromIntOrPercent, withDisruptionAllowed } from "@capstan/api";
import type { JsonObject } from "@capstan/apimachinery";

/** How long an evicted pod counts as going before the controller takes it for not deleted (DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** The owner a pod's controller reference names. */
export interface ControllerRef {
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

/** The desired replicas of the controller a pod belongs to, or undefined when it has no scale (Kubernetes' finders). */
export type ScaleOf = (namespace: string, ref: ControllerRef) => { readonly uid: string; readonly replicas: number } | undefined;

export interface BudgetComputation {
  /** The status to write. */
  readonly status: PodDisruptionBudgetStatus;
  /** When a disrupted pod's grace runs out and the count must be taken again; undefined when none is pending. */
  readonly recheckAtMs: number | undefined;
  /** Why the budget allows nothing for a reason other than too few pods (a pod whose controller has no scale). */
  readonly failure: string | undefined;
}

/** The budget's status now, given the pods of its namespace that it selects. */
export function budgetStatus(budget: JsonObject, pods: readonly JsonObject[], scaleOf: ScaleOf, now: Date): BudgetComputation {
  const pdb = PodDisruptionBudget.fromJSON(budget);
  const generation = pdb.metadata?.generation ?? 0;
  const previous = pdb.status ?? PodDisruptionBudgetStatus.create();
  const selected = pods.map((p) => Pod.fromJSON(p));
  let failure: string | undefined;
  let expected = 0;
  let desiredHealthy = 0;
  try {
    ({ expected, desiredHealthy } = expectedPodCount(pdb, selected, scaleOf));
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  const { disrupted, recheckAtMs } = stillDisrupted(selected, previous.disruptedPods, now);
  const currentHealthy = failure === undefined ? countHealthy(selected, disrupted, now) : (previous.currentHealthy ?? 0);
  // No expected pods is the safe answer for a budget whose pods just appeared: it allows nothing yet.
  const allowed = failure === undefined && expected > 0 ? Math.max(0, currentHealthy - desiredHealthy) : 0;
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    disruptedPods: disrupted,
    disruptionsAllowed: allowed,
    currentHealthy,
    desiredHealthy: failure === undefined ? desiredHealthy : previous.desiredHealthy,
    expectedPods: failure === undefined ? expected : previous.expectedPods,
    conditions: withDisruptionAllowed(previous.conditions, allowed > 0, generation, now).map((c) =>
      failure !== undefined && c.type === "DisruptionAllowed" ? { ...c, reason: "SyncFailed", message: failure } : c,
    ),
  };
  return { status, recheckAtMs, failure };
}

/** getExpectedPodCount: maxUnavailable and a percentage minAvailable count against the controllers' scale. */
function expectedPodCount(pdb: PodDisruptionBudget, pods: readonly Pod[], scaleOf: ScaleOf): { expected: number; desiredHealthy: number } {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined) {
    const expected = expectedScale(pods, scaleOf);
    return { expected, desiredHealthy: Math.max(0, expected - scaledValueFromIntOrPercent(maxUnavailable, expected, true)) };
  }
  if (minAvailable !== undefined && isIntOrStringInt(minAvailable)) return { expected: pods.length, desiredHealthy: Number(minAvailable) };
  if (minAvailable !== undefined) {
    const expected = expectedScale(pods, scaleOf);
    return { expected, desiredHealthy: scaledValueFromIntOrPercent(minAvailable, expected, true) };
  }
  return { expected: pods.length, desiredHealthy: 0 };
}

/** getExpectedScale: the sum of the desired replicas of the pods' controllers, each counted once. */
function expectedScale(pods: readonly Pod[], scaleOf: ScaleOf): number {
  const replicasByController = new Map<string, number>();
  for (const pod of pods) {
    const ref = pod.metadata?.ownerReferences.find((r) => r.controller === true);
    // Kubernetes leaves a pod without a controller out of the expected count (and says so in an event).
    if (!ref || replicasByController.has(ref.uid)) continue;
    const scale = scaleOf(pod.metadata?.namespace ?? "", { kind: ref.kind, name: ref.name, uid: ref.uid });
    if (!scale) throw new Error(`found no controllers for pod "${pod.metadata?.name ?? ""}"`);
    replicasByController.set(ref.uid, scale.replicas);
  }
  return [...replicasByController.values()].reduce((sum, n) => sum + n, 0);
}

/** buildDisruptedPodMap: evicted pods still expected to go, and when the first of them stops being expected. */
function stillDisrupted(pods: readonly Pod[], disruptedPods: Readonly<Record<string, string>>, now: Date): { disrupted: Record<string, string>; recheckAtMs: number | undefined } {
  const disrupted: Record<string, string> = {};
  let recheckAtMs: number | undefined;
  for (const pod of pods) {
    const name = pod.metadata?.name ?? "";
    const since = disruptedPods[name];
    if (pod.metadata?.deletionTimestamp || since === undefined) continue;
    const expectedGoneMs = Date.parse(since) + DELETION_TIMEOUT_MS;
    if (expectedGoneMs < now.getTime()) continue;
    disrupted[name] = since;
    recheckAtMs = Math.min(recheckAtMs ?? Infinity, expectedGoneMs);
  }
  return { disrupted, recheckAtMs };
}

/** countHealthyPods: Ready, not terminating, and not just evicted. */
function countHealthy(pods: readonly Pod[], disrupted: Readonly<Record<string, string>>, now: Date): number {
  return pods.filter((pod) => {
    if (pod.metadata?.deletionTimestamp) return false;
    const since = disrupted[pod.metadata?.name ?? ""];
    if (since !== undefined && Date.parse(since) + DELETION_TIMEOUT_MS > now.getTime()) return false;
    return readySince(pod) !== undefined;
  }).length;
}

/** Whether writing `next` would change the status the budget shows (its conditions' times aside when unchanged). */
export function budgetStatusChanged(budget: JsonObject, next: PodDisruptionBudgetStatus): boolean {
  const before = PodDisruptionBudgetStatus.toJSON(PodDisruptionBudget.fromJSON(budget).status ?? PodDisruptionBudgetStatus.create());
  return JSON.stringify(before) !== JSON.stringify(PodDisruptionBudgetStatus.toJSON(next));
}
