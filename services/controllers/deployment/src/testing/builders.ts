/**
 * `aReplicaSetOf(deployment, { revision: 1, replicas: 3 })`: the ReplicaSet the Deployment controller
 * itself would have made for that template (through the real newReplicaSet), with its pods as said.
 */
import { Deployment } from "@capstan/api";
import { DeploymentBuilder } from "@capstan/api/testing";
import type { JsonObject } from "@capstan/client";
import { newReplicaSet } from "../deployment-replica-set.js";

export interface ReplicaSetState {
  readonly revision: number;
  readonly replicas: number;
  /** Pods that exist (status.replicas); `replicas` unless said. */
  readonly current?: number;
  /** Ready and available pods; `current` unless said. */
  readonly available?: number;
  /** Its controller's uid; the deployment's unless said. */
  readonly ownerUid?: string;
}

export function aReplicaSetOf(deployment: DeploymentBuilder | JsonObject, state: ReplicaSetState): JsonObject {
  const json = deployment instanceof DeploymentBuilder ? deployment.json() : deployment;
  const rs = newReplicaSet(json, Deployment.fromJSON(json), state.revision);
  const meta = rs["metadata"] as JsonObject & { ownerReferences: JsonObject[] };
  const current = state.current ?? state.replicas;
  const available = state.available ?? current;
  return {
    ...rs,
    metadata: { ...meta, uid: `uid-${String(meta["name"])}`, ownerReferences: meta.ownerReferences.map((r) => ({ ...r, uid: state.ownerUid ?? r["uid"] })) },
    spec: { ...(rs["spec"] as JsonObject), replicas: state.replicas },
    status: { replicas: current, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}
