import { labelSelectorMatches, ReplicaSet, ReplicationController, type OwnerReference } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import type { ReplicaOwner } from "./replica-plan.js";

/** A ReplicaSet or ReplicationController read from its JSON: the planning view plus what the controller writes. */
export interface ReplicaOwnerObject extends ReplicaOwner {
  readonly namespace: string;
  readonly name: string;
  readonly generation: number;
  /** spec.template, as stored: the pods' metadata and spec come from it. */
  readonly template: JsonObject;
}

/** How one of the two kinds is read; everything else about keeping replicas is shared. */
export interface ReplicaKind {
  readonly kind: "ReplicaSet" | "ReplicationController";
  read(json: JsonObject): ReplicaOwnerObject;
}

function ownerRef(kind: string, apiVersion: string, name: string, uid: string): OwnerReference {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

function common(json: JsonObject) {
  const metadata = (json["metadata"] ?? {}) as JsonObject;
  const spec = (json["spec"] ?? {}) as JsonObject;
  return {
    namespace: String(metadata["namespace"] ?? ""),
    generation: Number(metadata["generation"] ?? 0),
    deleting: metadata["deletionTimestamp"] !== undefined,
    template: (spec["template"] ?? {}) as JsonObject,
  };
}

export const replicaSetKind: ReplicaKind = {
  kind: "ReplicaSet",
  read(json) {
    const rs = ReplicaSet.fromJSON(json);
    const meta = rs.metadata!;
    return {
      ...common(json),
      name: meta.name,
      ref: ownerRef("ReplicaSet", "apps/v1", meta.name, meta.uid),
      replicas: rs.spec?.replicas ?? 1,
      minReadySeconds: rs.spec?.minReadySeconds ?? 0,
      selects: (labels) => labelSelectorMatches(rs.spec?.selector, labels),
      templateLabels: rs.spec?.template?.metadata?.labels ?? {},
    };
  },
};

export const replicationControllerKind: ReplicaKind = {
  kind: "ReplicationController",
  read(json) {
    const rc = ReplicationController.fromJSON(json);
    const meta = rc.metadata!;
    const templateLabels = rc.spec?.template?.metadata?.labels ?? {};
    // A ReplicationController's selector is a plain map; unset, it is the template's labels.
    const selector = rc.spec && Object.keys(rc.spec.selector).length > 0 ? rc.spec.selector : templateLabels;
    return {
      ...common(json),
      name: meta.name,
      ref: ownerRef("ReplicationController", "v1", meta.name, meta.uid),
      replicas: rc.spec?.replicas ?? 1,
      minReadySeconds: rc.spec?.minReadySeconds ?? 0,
      selects: (labels) => Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v),
      templateLabels,
    };
  },
};
