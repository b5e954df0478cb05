/** A StatefulSet read from its JSON: what the controller plans with and what it writes from. */
import { labelSelectorMatches, metaOf, StatefulSet, workloadView, type JsonObject } from "@capstan/api";
import { DEFAULT_REVISION_HISTORY_LIMIT, type RevisionOwner } from "@capstan/controller-runtime";
import type { OwnerReference } from "@capstan/controller-runtime";

export interface StatefulSetView extends RevisionOwner {
  readonly uid: string;
  readonly generation: number;
  readonly deleting: boolean;
  readonly replicas: number;
  /** The first ordinal (spec.ordinals.start). */
  readonly start: number;
  readonly serviceName: string;
  /** OrderedReady: one pod at a time, each after the one before is Ready. */
  readonly ordered: boolean;
  readonly updateStrategy: "RollingUpdate" | "OnDelete";
  /** Ordinals below it keep the current revision. */
  readonly partition: number;
  readonly maxUnavailable: number;
  readonly minReadySeconds: number;
  readonly revisionHistoryLimit: number;
  readonly whenDeleted: "Retain" | "Delete";
  readonly whenScaled: "Retain" | "Delete";
  readonly collisionCount: number;
  readonly currentRevision: string;
  /** spec.template as stored. */
  readonly template: JsonObject;
  /** spec.volumeClaimTemplates as stored. */
  readonly claimTemplates: readonly JsonObject[];
  readonly selector: { readonly matchLabels: Readonly<Record<string, string>> };
  selects(labels: Readonly<Record<string, string>>): boolean;
  readonly status: JsonObject;
}

/** maxUnavailable as a count of replicas: a percentage rounds up, as the StatefulSet controller's; at least 1. */
function unavailableCount(value: string | undefined, replicas: number): number {
  if (value === undefined) return 1;
  const n = value.endsWith("%") ? Math.ceil((Number(value.slice(0, -1)) * replicas) / 100) : Number(value);
  return Math.max(1, Number.isFinite(n) ? n : 1);
}

export function readStatefulSet(json: JsonObject): StatefulSetView {
  const sts = StatefulSet.fromJSON(json);
  const meta = sts.metadata!;
  const spec = sts.spec;
  const replicas = spec?.replicas ?? 1;
  const ref: OwnerReference = { apiVersion: "apps/v1", kind: "StatefulSet", name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true };
  const view = workloadView(json);
  return {
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    generation: meta.generation,
    deleting: meta.deletionTimestamp !== undefined,
    ref,
    templateLabels: spec?.template?.metadata?.labels ?? {},
    replicas,
    start: spec?.ordinals?.start ?? 0,
    serviceName: spec?.serviceName ?? "",
    ordered: (spec?.podManagementPolicy || "OrderedReady") === "OrderedReady",
    updateStrategy: spec?.updateStrategy?.type === "OnDelete" ? "OnDelete" : "RollingUpdate",
    partition: spec?.updateStrategy?.rollingUpdate?.partition ?? 0,
    maxUnavailable: unavailableCount(spec?.updateStrategy?.rollingUpdate?.maxUnavailable, replicas),
    minReadySeconds: spec?.minReadySeconds ?? 0,
    revisionHistoryLimit: spec?.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT,
    whenDeleted: spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete" ? "Delete" : "Retain",
    whenScaled: spec?.persistentVolumeClaimRetentionPolicy?.whenScaled === "Delete" ? "Delete" : "Retain",
    collisionCount: sts.status?.collisionCount ?? 0,
    currentRevision: sts.status?.currentRevision ?? "",
    template: view.template ?? {},
    claimTemplates: ((json["spec"] as JsonObject | undefined)?.["volumeClaimTemplates"] as JsonObject[] | undefined) ?? [],
    selector: { matchLabels: spec?.selector?.matchLabels ?? {} },
    selects: (labels) => labelSelectorMatches(spec?.selector, labels),
    status: (json["status"] as JsonObject | undefined) ?? {},
  };
}

/** What a ControllerRevision of the set holds: its template, replacing the whole (the StatefulSet's getPatch). */
export function revisionData(set: StatefulSetView): JsonObject {
  return { spec: { template: { ...set.template, $patch: "replace" } } };
}

/** The template a revision holds. */
export function templateOfRevision(revision: JsonObject): JsonObject {
  const spec = (revision["data"] as JsonObject | undefined)?.["spec"] as JsonObject | undefined;
  const { $patch: _patch, ...template } = (spec?.["template"] as JsonObject | undefined) ?? {};
  return template;
}

export const nameOf = (o: JsonObject): string => metaOf(o).name;
