/**
 * What one reconcile of a StatefulSet does, as a pure function of the set, its pods and claims, and its
 * revisions: Kubernetes' updateStatefulSet (stateful_set_control.go). Ordinals [start, start+replicas)
 * are kept: a missing one is created (claims first), a failed one replaced; OrderedReady does one at a
 * time, in order, each after the ones below are Running, Ready and available; pods above the range are
 * deleted highest first; a RollingUpdate then deletes outdated pods highest first, down to the partition,
 * within maxUnavailable, and the next reconcile creates them at the update revision.
 */
import { isAvailable, type JsonObject, type Pod } from "@capstan/api";
import { isRunningAndReady, isTerminating, readyRecheckMs } from "./pod-health.js";
import { claimName, newClaim, newStatefulPod, ordinalOf, revisionOfPod } from "./stateful-pod.js";
import type { StatefulSetView } from "./stateful-set.js";
import { metaOf } from "@capstan/api";

export interface RevisionTemplate {
  readonly name: string;
  readonly template: JsonObject;
}

export interface StatefulSetState {
  readonly set: StatefulSetView;
  /** The pods the set controls. */
  readonly pods: readonly Pod[];
  /** Names of the claims that exist in the set's namespace. */
  readonly claims: ReadonlySet<string>;
  readonly current: RevisionTemplate;
  readonly update: RevisionTemplate;
  readonly now: Date;
}

export interface StatefulSetStatusCounts {
  readonly replicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly currentReplicas: number;
  readonly updatedReplicas: number;
  readonly currentRevision: string;
  readonly updateRevision: string;
}

export interface StatefulSetPlan {
  /** Claims to create, before the pods. */
  readonly createClaims: JsonObject[];
  readonly createPods: JsonObject[];
  readonly deletePods: Pod[];
  /**
   * Claims of condemned pods under whenScaled: Delete, each to be owned by its pod before the pod goes,
   * so the garbage collector deletes the claim after it (the StatefulSet controller's updateClaimOwnerRefForSetAndPod).
   */
  readonly claimsOwnedByPod: { readonly claim: string; readonly pod: Pod }[];
  readonly status: StatefulSetStatusCounts;
  /** When a ready pod becomes available (minReadySeconds), the set is looked at again. */
  readonly recheckAfterMs?: number;
}

const isFinished = (pod: Pod) => ["Failed", "Succeeded"].includes(pod.status?.phase ?? "");

export function planStatefulSet(state: StatefulSetState): StatefulSetPlan {
  const { set, now } = state;
  const end = set.start + set.replicas;
  const replicas = new Map<number, Pod>();
  const condemned: { ordinal: number; pod: Pod }[] = [];
  for (const pod of state.pods) {
    const ordinal = ordinalOf(set, pod.metadata?.name ?? "");
    if (ordinal === undefined) continue;
    if (ordinal >= set.start && ordinal < end) replicas.set(ordinal, pod);
    else condemned.push({ ordinal, pod });
  }
  condemned.sort((a, b) => b.ordinal - a.ordinal);

  const createClaims: JsonObject[] = [];
  const createPods: JsonObject[] = [];
  const deletePods: Pod[] = [];
  const claimsOwnedByPod: { claim: string; pod: Pod }[] = [];
  let recheckAfterMs: number | undefined;
  const healthy = (pod: Pod) => {
    if (!isRunningAndReady(pod) || isTerminating(pod)) return false;
    if (isAvailable(pod, set.minReadySeconds, now)) return true;
    const wait = readyRecheckMs(pod, set.minReadySeconds, now);
    recheckAfterMs = recheckAfterMs === undefined ? wait : Math.min(recheckAfterMs, wait);
    return false;
  };
  const missingClaims = (ordinal: number) =>
    set.claimTemplates.filter((t) => !state.claims.has(claimName(metaOf(t).name, set, ordinal))).map((t) => newClaim(set, t, ordinal));
  /** newVersionedStatefulSetPod: below the partition a pod is made at the current revision. */
  const versioned = (ordinal: number) => {
    const atCurrent = set.updateStrategy === "RollingUpdate" && ordinal - set.start < set.partition;
    const revision = atCurrent ? state.current : state.update;
    return newStatefulPod(set, revision.template, revision.name, ordinal);
  };

  const plan = (): void => {
    if (set.deleting) return;
    for (let ordinal = set.start; ordinal < end; ordinal++) {
      const pod = replicas.get(ordinal);
      if (pod && isFinished(pod) && !isTerminating(pod)) {
        deletePods.push(pod);
        if (set.ordered) return;
        continue;
      }
      if (!pod) {
        createClaims.push(...missingClaims(ordinal));
        createPods.push(versioned(ordinal));
        if (set.ordered) return;
        continue;
      }
      createClaims.push(...missingClaims(ordinal));
      if (!healthy(pod) && set.ordered) return;
    }

    for (const { pod } of condemned) {
      if (isTerminating(pod)) {
        if (set.ordered) return;
        continue;
      }
      deletePods.push(pod);
      if (set.ordered) return;
    }

    if (set.updateStrategy !== "RollingUpdate") return;
    let unavailable = [...replicas.values()].filter((p) => !healthy(p)).length + (set.replicas - replicas.size);
    for (let ordinal = end - 1; ordinal >= set.start + set.partition; ordinal--) {
      const pod = replicas.get(ordinal);
      if (!pod || isTerminating(pod) || revisionOfPod(pod) === state.update.name) continue;
      if (unavailable >= set.maxUnavailable) return;
      if (deletePods.includes(pod)) continue;
      deletePods.push(pod);
      if (healthy(pod)) unavailable++;
    }
  };
  plan();
  if (set.whenScaled === "Delete") {
    for (const pod of deletePods) {
      const ordinal = ordinalOf(set, pod.metadata?.name ?? "");
      if (ordinal === undefined || ordinal < end) continue;
      for (const t of set.claimTemplates) {
        const claim = claimName(metaOf(t).name, set, ordinal);
        if (state.claims.has(claim)) claimsOwnedByPod.push({ claim, pod });
      }
    }
  }

  return { createClaims, createPods, deletePods, claimsOwnedByPod, status: statusOf(state), ...(recheckAfterMs !== undefined ? { recheckAfterMs } : {}) };
}

/** computeReplicaStatus, and completeRollingUpdate: once every pod is updated and ready, the update revision is current. */
function statusOf({ set, pods, current, update, now }: StatefulSetState): StatefulSetStatusCounts {
  let replicas = 0, readyReplicas = 0, availableReplicas = 0, currentReplicas = 0, updatedReplicas = 0;
  for (const pod of pods) {
    if (ordinalOf(set, pod.metadata?.name ?? "") === undefined) continue;
    replicas++;
    if (isRunningAndReady(pod)) {
      readyReplicas++;
      if (isAvailable(pod, set.minReadySeconds, now)) availableReplicas++;
    }
    if (!isTerminating(pod)) {
      if (revisionOfPod(pod) === current.name) currentReplicas++;
      if (revisionOfPod(pod) === update.name) updatedReplicas++;
    }
  }
  const complete = set.updateStrategy === "RollingUpdate" && updatedReplicas === replicas && readyReplicas === replicas;
  return {
    replicas,
    readyReplicas,
    availableReplicas,
    currentReplicas: complete ? updatedReplicas : currentReplicas,
    updatedReplicas,
    currentRevision: complete ? update.name : current.name,
    updateRevision: update.name,
  };
}
