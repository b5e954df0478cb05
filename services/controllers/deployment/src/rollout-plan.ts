import { resolveFenceposts } from "./int-or-percent.js";

/** A ReplicaSet of the deployment, as far as rolling goes. */
export interface ReplicaSetView {
  readonly name: string;
  /** deployment.kubernetes.io/revision */
  readonly revision: number;
  /** spec.replicas */
  readonly replicas: number;
  /** status.replicas: pods that exist */
  readonly currentReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  /** status.terminatingReplicas: pods being deleted that still run */
  readonly terminatingReplicas?: number;
}

export interface RolloutSpec {
  readonly replicas: number;
  readonly strategy: "RollingUpdate" | "Recreate";
  /** IntOrString, as the API holds it: "1" or "25%". */
  readonly maxSurge: string;
  readonly maxUnavailable: string;
  readonly paused: boolean;
  readonly revisionHistoryLimit: number;
}

export interface RolloutStep {
  /** New spec.replicas, by ReplicaSet name; only the ones that change. */
  readonly scale: ReadonlyMap<string, number>;
  /** Old ReplicaSets past revisionHistoryLimit, with no replicas left: delete them. */
  readonly prune: readonly string[];
}

const sum = (rss: readonly ReplicaSetView[], f: (rs: ReplicaSetView) => number) => rss.reduce((n, rs) => n + f(rs), 0);

/**
 * One step of a rollout towards `newRS` (the ReplicaSet whose template is the deployment's), from the
 * current counts: what the Kubernetes deployment controller's rolloutRolling / rolloutRecreate / sync
 * would scale. Each step keeps the bounds of the strategy; the controller repeats it as pods change.
 */
export function planRollout(spec: RolloutSpec, newRS: ReplicaSetView, olds: readonly ReplicaSetView[]): RolloutStep {
  const scale = new Map<string, number>();
  const set = (rs: ReplicaSetView, replicas: number) => {
    if (replicas !== rs.replicas) scale.set(rs.name, replicas);
  };
  // Oldest first: those go first when scaling down.
  const oldest = [...olds].sort((a, b) => a.revision - b.revision);

  if (spec.paused) {
    scaleOnly(spec, newRS, oldest, set);
  } else if (spec.strategy === "Recreate") {
    for (const rs of oldest) set(rs, 0);
    // The new pods start only once every old pod is gone, terminating ones included (rolloutRecreate's oldPodsRunning).
    if (sum(oldest, (rs) => rs.currentReplicas + (rs.terminatingReplicas ?? 0)) === 0) set(newRS, spec.replicas);
  } else {
    rollRolling(spec, newRS, oldest, set);
  }
  return { scale, prune: prune(spec, oldest, scale) };
}

/** Paused: follow a change of replicas, but move nothing between old and new. */
function scaleOnly(spec: RolloutSpec, newRS: ReplicaSetView, oldest: readonly ReplicaSetView[], set: (rs: ReplicaSetView, n: number) => void): void {
  const active = [...oldest, newRS].filter((rs) => rs.replicas > 0);
  if (active.length <= 1) {
    set(active[0] ?? newRS, spec.replicas);
    return;
  }
  let delta = spec.replicas - sum(active, (rs) => rs.replicas);
  if (delta > 0) set(newRS, newRS.replicas + delta);
  for (const rs of active) {
    if (delta >= 0) break;
    const cut = Math.min(rs.replicas, -delta);
    set(rs, rs.replicas - cut);
    delta += cut;
  }
}

function rollRolling(spec: RolloutSpec, newRS: ReplicaSetView, oldest: readonly ReplicaSetView[], set: (rs: ReplicaSetView, n: number) => void): void {
  const { surge, unavailable } = resolveFenceposts(spec.maxSurge, spec.maxUnavailable, spec.replicas);
  const all = [...oldest, newRS];
  const maxTotal = spec.replicas + surge;

  // Scale up the new ReplicaSet within the surge (or down, when replicas were lowered).
  let newReplicas = newRS.replicas;
  const total = sum(all, (rs) => rs.replicas);
  if (newReplicas > spec.replicas) newReplicas = spec.replicas;
  else if (total < maxTotal) newReplicas += Math.max(0, Math.min(maxTotal - total, spec.replicas - newReplicas));
  set(newRS, newReplicas);

  // Scale down old ones, never below replicas − maxUnavailable available pods.
  const minAvailable = spec.replicas - unavailable;
  const newUnavailable = newRS.replicas - newRS.availableReplicas;
  let budget = sum(all, (rs) => rs.replicas) - minAvailable - newUnavailable;
  const remaining = new Map(oldest.map((rs) => [rs.name, rs.replicas]));
  // First the old pods that are not available anyway: losing them costs no availability.
  for (const rs of oldest) {
    if (budget <= 0) break;
    const unhealthy = Math.min(budget, remaining.get(rs.name)! - rs.availableReplicas);
    if (unhealthy <= 0) continue;
    remaining.set(rs.name, remaining.get(rs.name)! - unhealthy);
    budget -= unhealthy;
  }
  // Then available ones, as far as the available total allows.
  let surplus = sum(all, (rs) => rs.availableReplicas) - minAvailable;
  for (const rs of oldest) {
    if (surplus <= 0) break;
    const cut = Math.min(remaining.get(rs.name)!, surplus);
    remaining.set(rs.name, remaining.get(rs.name)! - cut);
    surplus -= cut;
  }
  for (const rs of oldest) set(rs, remaining.get(rs.name)!);
}

function prune(spec: RolloutSpec, oldest: readonly ReplicaSetView[], scale: ReadonlyMap<string, number>): string[] {
  const idle = oldest.filter((rs) => (scale.get(rs.name) ?? rs.replicas) === 0 && rs.currentReplicas === 0);
  const excess = idle.length - spec.revisionHistoryLimit;
  return excess > 0 ? idle.slice(0, excess).map((rs) => rs.name) : [];
}
