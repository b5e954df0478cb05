import { metaOf, objectOf, specOf, workloadView, type Deployment } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { POD_TEMPLATE_HASH, podTemplateHash } from "./pod-template-hash.js";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

/** A change to one of the Deployment's ReplicaSets: its spec.replicas, or its revision (a rollback). */
export interface ReplicaSetChange {
  readonly name: string;
  readonly replicas?: number;
  readonly revision?: number;
}

export const templateOf = (json: JsonObject): JsonObject => workloadView(json).template ?? {};

/**
 * The ReplicaSet that runs the Deployment's template, at `revision`, with no replicas yet: named and
 * labelled by the template's hash, selecting by it, controlled by the Deployment.
 */
export function newReplicaSet(json: JsonObject, d: Deployment, revision: number): JsonObject {
  const meta = d.metadata!;
  const template = templateOf(json);
  const hash = podTemplateHash(template, d.status?.collisionCount ?? 0);
  const templateMeta = metaOf(template);
  const labels = { ...templateMeta.labels, [POD_TEMPLATE_HASH]: hash };
  const selector = workloadView(json).selector ?? {};
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${meta.name}-${hash}`,
      namespace: meta.namespace,
      labels,
      annotations: { ...copiedAnnotations(meta.annotations), [REVISION_ANNOTATION]: String(revision) },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas: 0,
      minReadySeconds: d.spec?.minReadySeconds ?? 0,
      selector: { ...selector, matchLabels: { ...objectOf(selector["matchLabels"]), [POD_TEMPLATE_HASH]: hash } },
      template: { ...template, metadata: { ...templateMeta.json, labels } },
    },
  };
}

/** The ReplicaSet with the change made: what the controller writes, and what it reads back after. */
export function withChange(json: JsonObject, change: ReplicaSetChange): JsonObject {
  const metadata = metaOf(json).json;
  const spec = specOf(json);
  const annotations = { ...metaOf(json).annotations, [REVISION_ANNOTATION]: String(change.revision) };
  return {
    ...json,
    metadata: change.revision !== undefined ? { ...metadata, annotations } : metadata,
    spec: change.replicas !== undefined ? { ...spec, replicas: change.replicas } : spec,
  };
}

/** Annotations a new ReplicaSet does not inherit from its Deployment (Kubernetes' skip list). */
const NOT_COPIED = new Set(["kubectl.kubernetes.io/last-applied-configuration", REVISION_ANNOTATION, "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas"]);

/** The Deployment's annotations a new ReplicaSet carries, so `rollout history` shows its change-cause. */
function copiedAnnotations(annotations: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).filter(([k]) => !NOT_COPIED.has(k)));
}
