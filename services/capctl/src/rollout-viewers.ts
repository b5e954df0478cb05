/**
 * Where a rollout stands, by kind, as kubectl's status viewers say it (rollout_status.go): the
 * DeploymentStatusViewer, the StatefulSetStatusViewer and the DaemonSetStatusViewer.
 */
import { arrayOf, metaOf, objectOf, specOf, statusOf, type JsonObject } from "@capstan/api";
import type { Json } from "./printers.js";

/** Where a rollout stands, as kubectl's DeploymentStatusViewer says it; a failed one is a value, not a throw. */
export type RolloutStatus =
  | { readonly phase: "Waiting"; readonly message: string }
  | { readonly phase: "Complete"; readonly message: string }
  | { readonly phase: "Failed"; readonly message: string };

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

/**
 * A Deployment's rollout: waiting until the controller has seen the latest spec, every replica is
 * updated, no old replica is left and every updated one is available; failed once Progressing says
 * ProgressDeadlineExceeded.
 */
export function deploymentRolloutStatus(deployment: Json): RolloutStatus {
  const meta = metaOf(deployment).json;
  const spec = specOf(deployment);
  const status = statusOf(deployment);
  const name = String(meta["name"] ?? "");
  if (num(meta["generation"]) > num(status["observedGeneration"])) {
    return { phase: "Waiting", message: "Waiting for deployment spec update to be observed..." };
  }
  const progressing = arrayOf<JsonObject>(status["conditions"]).find((c) => c["type"] === "Progressing");
  if (progressing?.["reason"] === "ProgressDeadlineExceeded") return { phase: "Failed", message: `deployment "${name}" exceeded its progress deadline` };
  const waiting = (what: string): RolloutStatus => ({ phase: "Waiting", message: `Waiting for deployment "${name}" rollout to finish: ${what}...` });
  const [replicas, updated, total, available] = [spec["replicas"], status["updatedReplicas"], status["replicas"], status["availableReplicas"]].map(num) as [number, number, number, number];
  if (typeof spec["replicas"] === "number" && updated < replicas) return waiting(`${updated} out of ${replicas} new replicas have been updated`);
  if (total > updated) return waiting(`${total - updated} old replicas are pending termination`);
  if (available < updated) return waiting(`${available} of ${updated} updated replicas are available`);
  return { phase: "Complete", message: `deployment "${name}" successfully rolled out` };
}

/**
 * A StatefulSet's rollout (StatefulSetStatusViewer): RollingUpdate only; waiting until the controller has
 * seen the latest spec and every replica is ready, then until the partitioned pods or all pods are at
 * the update revision.
 */
export function statefulSetRolloutStatus(sts: Json): RolloutStatus {
  const meta = metaOf(sts).json;
  const spec = specOf(sts);
  const status = statusOf(sts);
  const strategy = objectOfStrategy(spec);
  if (strategy.type !== undefined && strategy.type !== "RollingUpdate") {
    return { phase: "Failed", message: "rollout status is only available for RollingUpdate strategy type" };
  }
  if (num(status["observedGeneration"]) === 0 || num(meta["generation"]) > num(status["observedGeneration"])) {
    return { phase: "Waiting", message: "Waiting for statefulset spec update to be observed..." };
  }
  const replicas = num(spec["replicas"]);
  if (typeof spec["replicas"] === "number" && num(status["readyReplicas"]) < replicas) {
    return { phase: "Waiting", message: `Waiting for ${replicas - num(status["readyReplicas"])} pods to be ready...` };
  }
  const partition = strategy.partition;
  if (partition > 0) {
    if (num(status["updatedReplicas"]) < replicas - partition) {
      return { phase: "Waiting", message: `Waiting for partitioned roll out to finish: ${num(status["updatedReplicas"])} out of ${replicas - partition} new pods have been updated...` };
    }
    return { phase: "Complete", message: `partitioned roll out complete: ${num(status["updatedReplicas"])} new pods have been updated...` };
  }
  if (status["updateRevision"] !== status["currentRevision"]) {
    return { phase: "Waiting", message: `waiting for statefulset rolling update to complete ${num(status["updatedReplicas"])} pods at revision ${String(status["updateRevision"])}...` };
  }
  return { phase: "Complete", message: `statefulset rolling update complete ${num(status["currentReplicas"])} pods at revision ${String(status["currentRevision"])}...` };
}

function objectOfStrategy(spec: JsonObject): { type: string | undefined; partition: number } {
  const strategy = (spec["updateStrategy"] ?? {}) as JsonObject;
  const rollingUpdate = (strategy["rollingUpdate"] ?? {}) as JsonObject;
  return { type: typeof strategy["type"] === "string" ? strategy["type"] : undefined, partition: num(rollingUpdate["partition"]) };
}

/**
 * A DaemonSet's rollout (DaemonSetStatusViewer): RollingUpdate only; waiting until the controller has
 * seen the latest spec, every desired node runs an updated pod, and every one is available.
 */
export function daemonSetRolloutStatus(ds: Json): RolloutStatus {
  const meta = metaOf(ds).json;
  const name = String(meta["name"] ?? "");
  const strategy = objectOf(specOf(ds)["updateStrategy"])?.["type"];
  if (strategy !== "RollingUpdate") return { phase: "Failed", message: "rollout status is only available for RollingUpdate strategy type" };
  const status = statusOf(ds);
  if (num(meta["generation"]) > num(status["observedGeneration"])) return { phase: "Waiting", message: "Waiting for daemon set spec update to be observed..." };
  const [desired, updated, available] = [status["desiredNumberScheduled"], status["updatedNumberScheduled"], status["numberAvailable"]].map(num) as [number, number, number];
  const waiting = (what: string): RolloutStatus => ({ phase: "Waiting", message: `Waiting for daemon set "${name}" rollout to finish: ${what}...` });
  if (updated < desired) return waiting(`${updated} out of ${desired} new pods have been updated`);
  if (available < desired) return waiting(`${available} of ${desired} updated pods are available`);
  return { phase: "Complete", message: `daemon set "${name}" successfully rolled out` };
}
