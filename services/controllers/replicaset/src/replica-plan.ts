import { isAvailable, readySince, type OwnerReference, type Pod } from "@capstan/api";
import { deletionOrder, isActive, isTerminating } from "./pod-ranking.js";

/** A ReplicaSet or ReplicationController, as far as keeping replicas goes. */
export interface ReplicaOwner {
  /** What its pods carry in metadata.ownerReferences (controller: true). */
  readonly ref: OwnerReference;
  readonly replicas: number;
  readonly minReadySeconds: number;
  readonly selects: (labels: Readonly<Record<string, string>>) => boolean;
  readonly templateLabels: Readonly<Record<string, string>>;
  /** Being deleted: it adopts nothing and creates nothing. */
  readonly deleting: boolean;
  /** Its status counts terminatingReplicas (a ReplicaSet's does, as Kubernetes 1.33; a ReplicationController's has no such field). */
  readonly reportsTerminating?: boolean;
}

export interface ReplicaStatus {
  readonly replicas: number;
  readonly fullyLabeledReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  /** Pods being deleted that have not stopped yet; only for owners that report it (ReplicaSets). */
  readonly terminatingReplicas?: number;
}

export interface ReplicaPlan {
  /** Orphans it selects: they get its controller reference. */
  readonly adopt: Pod[];
  /** Pods it controls but no longer selects: they lose its reference. */
  readonly release: Pod[];
  /** How many pods to create from the template. */
  readonly create: number;
  /** Surplus pods, cheapest loss first. */
  readonly remove: Pod[];
  readonly status: ReplicaStatus;
  /** When the next ready pod turns available, so the status is recomputed then. */
  readonly recheckAfterMs?: number;
}

function controllerOf(pod: Pod): OwnerReference | undefined {
  return pod.metadata?.ownerReferences.find((r) => r.controller === true);
}

/**
 * What keeping `owner.replicas` pods takes, from its pods and its namespace's orphans (pods another
 * controller owns are ignored): claim (adopt matching orphans, release what no longer matches), then
 * create or delete the difference. Pure; the controller carries it out.
 */
export function planReplicas(owner: ReplicaOwner, candidates: readonly Pod[], now: Date): ReplicaPlan {
  const adopt: Pod[] = [];
  const release: Pod[] = [];
  const owned: Pod[] = [];
  for (const pod of candidates) {
    const labels = pod.metadata?.labels ?? {};
    const controller = controllerOf(pod);
    if (controller?.uid === owner.ref.uid) {
      if (owner.selects(labels)) owned.push(pod);
      else release.push(pod);
    } else if (!controller && !owner.deleting && !pod.metadata?.deletionTimestamp && owner.selects(labels)) {
      adopt.push(pod);
      owned.push(pod);
    }
  }
  const active = owned.filter(isActive);
  const diff = active.length - owner.replicas;
  const create = owner.deleting || diff >= 0 ? 0 : -diff;
  const remove = diff > 0 ? [...active].sort(deletionOrder).slice(0, diff) : [];

  const ready = active.filter((p) => readySince(p) !== undefined);
  const available = ready.filter((p) => isAvailable(p, owner.minReadySeconds, now));
  const status: ReplicaStatus = {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => Object.entries(owner.templateLabels).every(([k, v]) => p.metadata?.labels[k] === v)).length,
    readyReplicas: ready.length,
    availableReplicas: available.length,
    ...(owner.reportsTerminating ? { terminatingReplicas: owned.filter(isTerminating).length } : {}),
  };
  const becomesAvailable = ready
    .filter((p) => !available.includes(p))
    .map((p) => readySince(p)!.getTime() + owner.minReadySeconds * 1000 - now.getTime());
  const plan: ReplicaPlan = { adopt, release, create, remove, status };
  return becomesAvailable.length > 0 ? { ...plan, recheckAfterMs: Math.max(0, Math.min(...becomesAvailable)) } : plan;
}
