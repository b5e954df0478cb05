import { labelSelectorMatches, ReplicaSet, ReplicationController, workloadView, type LabelSelector } from "@capstan/api";
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

/** What both kinds share: a typed message with metadata, replicas, minReadySeconds and a pod template. */
interface ReplicaMessage {
  readonly metadata?: { name: string; namespace: string; uid: string; generation: number; deletionTimestamp?: string | undefined } | undefined;
  readonly spec?: { replicas?: number | undefined; minReadySeconds: number; template?: { metadata?: { labels: Record<string, string> } | undefined } | undefined } | undefined;
}

function readOwner(kind: ReplicaKind["kind"], apiVersion: string, json: JsonObject, message: ReplicaMessage, selector: LabelSelector | undefined): ReplicaOwnerObject {
  const meta = message.metadata!;
  return {
    namespace: meta.namespace,
    name: meta.name,
    generation: meta.generation,
    deleting: meta.deletionTimestamp !== undefined,
    // The stored JSON, as pods are created from it.
    template: workloadView(json).template ?? {},
    ref: { apiVersion, kind, name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true },
    replicas: message.spec?.replicas ?? 1,
    minReadySeconds: message.spec?.minReadySeconds ?? 0,
    selects: (labels) => labelSelectorMatches(selector, labels),
    templateLabels: message.spec?.template?.metadata?.labels ?? {},
  };
}

export const replicaSetKind: ReplicaKind = {
  kind: "ReplicaSet",
  read(json) {
    const rs = ReplicaSet.fromJSON(json);
    return { ...readOwner("ReplicaSet", "apps/v1", json, rs, rs.spec?.selector), reportsTerminating: true };
  },
};

export const replicationControllerKind: ReplicaKind = {
  kind: "ReplicationController",
  read(json) {
    const rc = ReplicationController.fromJSON(json);
    // A ReplicationController's selector is a plain map; unset, it is the template's labels. An
    // empty one must select nothing, where an empty LabelSelector would select everything.
    const map = rc.spec && Object.keys(rc.spec.selector).length > 0 ? rc.spec.selector : (rc.spec?.template?.metadata?.labels ?? {});
    return readOwner("ReplicationController", "v1", json, rc, Object.keys(map).length > 0 ? { matchLabels: map, matchExpressions: [] } : undefined);
  },
};
