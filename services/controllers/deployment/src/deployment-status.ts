import { isDeepStrictEqual } from "node:util";
import { arrayOf, type JsonObject } from "@capstan/api";
import { resolveFenceposts } from "./int-or-percent.js";
import type { ReplicaSetView, RolloutSpec } from "./rollout-plan.js";

export interface DeploymentCondition {
  readonly type: "Available" | "Progressing";
  readonly status: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
  readonly lastUpdateTime: string;
  readonly lastTransitionTime: string;
}

export interface DeploymentStatusView {
  readonly observedGeneration: number;
  readonly replicas: number;
  readonly updatedReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly unavailableReplicas: number;
  readonly conditions: readonly DeploymentCondition[];
}

export interface StatusInput {
  readonly spec: RolloutSpec & { readonly progressDeadlineSeconds: number };
  readonly generation: number;
  readonly newRS: ReplicaSetView;
  readonly olds: readonly ReplicaSetView[];
  readonly previous: DeploymentStatusView | undefined;
  /** The new ReplicaSet was created or scaled in this sync: the rollout moved. */
  readonly acted: boolean;
  readonly now: Date;
}

/** The rollout is done: every replica updated and available, no old pod left. */
export function isComplete(input: { readonly spec: RolloutSpec; readonly newRS: ReplicaSetView; readonly olds: readonly ReplicaSetView[] }): boolean {
  const { spec, newRS, olds } = input;
  return (
    newRS.replicas === spec.replicas &&
    newRS.currentReplicas === spec.replicas &&
    newRS.availableReplicas === spec.replicas &&
    olds.every((rs) => rs.currentReplicas === 0)
  );
}

/**
 * The status kubectl users read, with the Available and Progressing conditions: Progressing stays True
 * while the rollout moves (each move renews lastUpdateTime) and turns False with
 * ProgressDeadlineExceeded once it has not moved for progressDeadlineSeconds.
 */
export function deploymentStatus(input: StatusInput): DeploymentStatusView {
  const { spec, newRS, olds, previous, now } = input;
  const all = [newRS, ...olds];
  const total = (f: (rs: ReplicaSetView) => number) => all.reduce((n, rs) => n + f(rs), 0);
  const counts = {
    observedGeneration: input.generation,
    replicas: total((rs) => rs.currentReplicas),
    updatedReplicas: newRS.currentReplicas,
    readyReplicas: total((rs) => rs.readyReplicas),
    availableReplicas: total((rs) => rs.availableReplicas),
    unavailableReplicas: Math.max(0, spec.replicas - total((rs) => rs.availableReplicas)),
  };
  const stamp = now.toISOString();
  const condition = (type: DeploymentCondition["type"], status: DeploymentCondition["status"], reason: string, message: string, renew: boolean): DeploymentCondition => {
    const before = previous?.conditions.find((c) => c.type === type);
    const same = before?.status === status && before.reason === reason;
    return {
      type,
      status,
      reason,
      message,
      lastUpdateTime: same && !renew ? before.lastUpdateTime : stamp,
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : stamp,
    };
  };

  const { unavailable } = resolveFenceposts(spec.maxSurge, spec.maxUnavailable, spec.replicas);
  const available =
    counts.availableReplicas >= spec.replicas - unavailable
      ? condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", false)
      : condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", false);
  return { ...counts, conditions: [available, progressing(input, counts, condition)] };
}

function progressing(
  input: StatusInput,
  counts: Omit<DeploymentStatusView, "conditions">,
  condition: (type: "Progressing", status: DeploymentCondition["status"], reason: string, message: string, renew: boolean) => DeploymentCondition,
): DeploymentCondition {
  const { spec, newRS, previous, now } = input;
  const before = previous?.conditions.find((c) => c.type === "Progressing");
  if (spec.paused) return condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", false);
  if (isComplete(input)) {
    return condition("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${newRS.name}" has successfully progressed.`, false);
  }
  const moved =
    input.acted ||
    before?.reason === "DeploymentPaused" ||
    !previous ||
    counts.updatedReplicas > previous.updatedReplicas ||
    counts.readyReplicas > previous.readyReplicas ||
    counts.availableReplicas > previous.availableReplicas ||
    counts.replicas < previous.replicas;
  if (moved) return condition("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${newRS.name}" is progressing.`, true);
  const lastProgress = before ? Date.parse(before.lastUpdateTime) : now.getTime();
  if (before?.reason === "ProgressDeadlineExceeded" || now.getTime() - lastProgress > spec.progressDeadlineSeconds * 1000) {
    return condition("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${newRS.name}" has timed out progressing.`, false);
  }
  return before ?? condition("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${newRS.name}" is progressing.`, true);
}

const CONDITION_FIELDS = ["type", "status", "reason", "message", "lastUpdateTime", "lastTransitionTime"];
const COUNTS = ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "collisionCount"];

/**
 * Whether two statuses say the same, comparing counts as numbers with absent = 0 and conditions by
 * their fields only. A status read back from the API never equals the one computed byte for byte, so
 * without this every sync would write (and wake itself) again.
 */
export function sameStatus(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return isDeepStrictEqual(normalize(a), normalize(b));
}

function normalize(status: Record<string, unknown>) {
  return {
    counts: COUNTS.map((k) => Number(status[k] ?? 0)),
    conditions: arrayOf<JsonObject>(status["conditions"]).map((c) => CONDITION_FIELDS.map((k) => String(c[k] ?? ""))),
  };
}
