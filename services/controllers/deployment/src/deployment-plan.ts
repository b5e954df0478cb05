import { Deployment, ReplicaSet, objectOf, statusOf } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { newReplicaSet, REVISION_ANNOTATION, templateOf, withChange, type ReplicaSetChange } from "./deployment-replica-set.js";
import { deploymentStatus, isComplete, sameStatus, type DeploymentStatusView } from "./deployment-status.js";
import { sameTemplate } from "./pod-template-hash.js";
import { planRollout, type ReplicaSetView, type RolloutSpec } from "./rollout-plan.js";

/** What one sync of a Deployment writes, in this order. */
export interface DeploymentPlan {
  /** The ReplicaSet of a template that none runs yet, with no replicas: `changes` scales it. */
  readonly create?: JsonObject;
  /** A rollback's new revision first, then the rollout step's replicas, the current ReplicaSet first. */
  readonly changes: readonly ReplicaSetChange[];
  /** Old ReplicaSets past revisionHistoryLimit with no pods left: delete them. */
  readonly prune: readonly string[];
  /** The status once the rest is written; absent when it would not change. */
  readonly status?: DeploymentStatusView;
  /** Look again then, even if nothing changes: when the progress deadline would pass. */
  readonly requeueAfterMs?: number;
}

const NOTHING: DeploymentPlan = { changes: [], prune: [] };

const NO_REPLICA_SET: ReplicaSetView = { name: "", revision: 0, replicas: 0, currentReplicas: 0, readyReplicas: 0, availableReplicas: 0 };

/**
 * One sync of a Deployment, from it and the ReplicaSets that list it as an owner: finds or creates the
 * ReplicaSet of its template (rollback = an older one becomes current again, with the next revision;
 * paused = a template change waits for resume), scales them by planRollout, prunes history, and
 * computes the status. Pure; the controller carries it out.
 */
export function planDeployment(deployment: JsonObject, replicaSets: readonly JsonObject[], now: Date): DeploymentPlan {
  const d = Deployment.fromJSON(deployment);
  const meta = d.metadata!;
  if (meta.deletionTimestamp) return NOTHING;
  const spec = rolloutSpec(d);
  const owned = replicaSets.filter((json) => isControlledBy(json, meta.uid)).map((json) => ({ json, view: viewOf(json) }));
  const maxRevision = Math.max(0, ...owned.map((o) => o.view.revision));

  let current = owned.find((o) => sameTemplate(templateOf(o.json), templateOf(deployment)))?.json;
  // Paused with a changed template, no ReplicaSet runs the template yet: none of the pods is updated.
  const templateRuns = current !== undefined;
  const changes: ReplicaSetChange[] = [];
  let create: JsonObject | undefined;
  if (!current && spec.paused) {
    // A template change waits for resume; meanwhile the newest ReplicaSet stands for the deployment.
    current = owned.find((o) => o.view.revision === maxRevision)?.json;
    if (!current) return NOTHING;
  } else if (!current) {
    current = create = newReplicaSet(deployment, d, maxRevision + 1);
  } else if (viewOf(current).revision < maxRevision && !spec.paused) {
    // Back to an older template (rollout undo): it becomes the newest revision again.
    changes.push({ name: viewOf(current).name, revision: maxRevision + 1 });
  }
  const currentName = viewOf(current).name;
  const olds = owned.filter((o) => o.view.name !== currentName).map((o) => o.view);

  const step = planRollout(spec, viewOf(changes.reduce(withChange, current)), olds);
  for (const name of [currentName, ...olds.map((o) => o.name)]) {
    const replicas = step.scale.get(name);
    if (replicas !== undefined) changes.push({ name, replicas });
  }

  // The current ReplicaSet as the cache will hold it after these writes.
  const newRS = viewOf(changes.filter((c) => c.name === currentName).reduce(withChange, current));
  const oldViews = olds.map((o) => ({ ...o, replicas: step.scale.get(o.name) ?? o.replicas }));
  // The stored status is the one this controller wrote: a DeploymentStatusView in Kubernetes JSON.
  const previous = objectOf(deployment["status"]) as DeploymentStatusView | undefined;
  const progressDeadlineSeconds = d.spec?.progressDeadlineSeconds ?? 600;
  const status = deploymentStatus({
    spec: { ...spec, progressDeadlineSeconds },
    generation: meta.generation,
    newRS: templateRuns ? newRS : NO_REPLICA_SET,
    olds: templateRuns ? oldViews : [newRS, ...oldViews],
    previous,
    acted: create !== undefined || changes.length > 0,
    now,
  });
  const stored = statusOf(deployment);
  const toWrite = { ...stored, ...status };
  const plan: DeploymentPlan = { ...(create ? { create } : {}), changes, prune: step.prune, ...(sameStatus(stored, toWrite) ? {} : { status: toWrite }) };
  if (spec.paused || isComplete({ spec, newRS, olds: oldViews })) return plan;
  // Look again when the progress deadline would pass, so ProgressDeadlineExceeded shows without other changes.
  const progressing = status.conditions.find((c) => c.type === "Progressing");
  const deadline = Date.parse(progressing?.lastUpdateTime ?? "") + progressDeadlineSeconds * 1000;
  return Number.isFinite(deadline) ? { ...plan, requeueAfterMs: Math.max(1000, deadline - now.getTime() + 100) } : plan;
}

function isControlledBy(json: JsonObject, uid: string): boolean {
  return ReplicaSet.fromJSON(json).metadata!.ownerReferences.some((r) => r.controller === true && r.uid === uid);
}

/** A ReplicaSet as far as rolling goes. */
export function viewOf(json: JsonObject): ReplicaSetView {
  const rs = ReplicaSet.fromJSON(json);
  const meta = rs.metadata!;
  return {
    name: meta.name,
    revision: Number(meta.annotations[REVISION_ANNOTATION] ?? 0),
    replicas: rs.spec?.replicas ?? 0,
    currentReplicas: rs.status?.replicas ?? 0,
    readyReplicas: rs.status?.readyReplicas ?? 0,
    terminatingReplicas: rs.status?.terminatingReplicas ?? 0,
    // Right after a scale-down the status still counts pods being deleted; never count more
    // available pods than the set is meant to keep, or the next step would cut too deep.
    availableReplicas: Math.min(rs.status?.availableReplicas ?? 0, rs.spec?.replicas ?? 0),
  };
}

function rolloutSpec(d: Deployment): RolloutSpec {
  const spec = d.spec;
  const strategy = spec?.strategy?.type === "Recreate" ? "Recreate" : "RollingUpdate";
  return {
    replicas: spec?.replicas ?? 1,
    strategy,
    maxSurge: spec?.strategy?.rollingUpdate?.maxSurge ?? "25%",
    maxUnavailable: spec?.strategy?.rollingUpdate?.maxUnavailable ?? "25%",
    paused: spec?.paused ?? false,
    revisionHistoryLimit: spec?.revisionHistoryLimit ?? 10,
  };
}
