import { isDeepStrictEqual } from "node:util";
import { isCapstanError } from "@capstan/apimachinery";
import { Deployment, objectMeta, ReplicaSet, toApiObject, type ApiObject } from "@capstan/api";
import type { CapstanClient, JsonObject } from "@capstan/client";
import { OWNER_UID_INDEX, splitObjectKey, type Informer, type ReconcileResult, type Reconciler } from "@capstan/controller-runtime";
import { deploymentStatus, isComplete, type DeploymentStatusView } from "./deployment-status.js";
import { POD_TEMPLATE_HASH, podTemplateHash, sameTemplate } from "./pod-template-hash.js";
import { planRollout, type ReplicaSetView, type RolloutSpec } from "./rollout-plan.js";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

const revisionOf = (o: ApiObject) => Number(objectMeta(o).resourceVersion || 0);

interface OwnedReplicaSet {
  readonly json: JsonObject;
  readonly rs: ReplicaSet;
  readonly view: ReplicaSetView;
}

function owned(json: JsonObject): OwnedReplicaSet {
  const rs = ReplicaSet.fromJSON(json);
  const meta = rs.metadata!;
  return {
    json,
    rs,
    view: {
      name: meta.name,
      revision: Number(meta.annotations[REVISION_ANNOTATION] ?? 0),
      replicas: rs.spec?.replicas ?? 0,
      currentReplicas: rs.status?.replicas ?? 0,
      readyReplicas: rs.status?.readyReplicas ?? 0,
      // Right after a scale-down the status still counts pods being deleted; never count more
      // available pods than the set is meant to keep, or the next step would cut too deep.
      availableReplicas: Math.min(rs.status?.availableReplicas ?? 0, rs.spec?.replicas ?? 0),
    },
  };
}

const templateOf = (json: JsonObject) => (((json["spec"] ?? {}) as JsonObject)["template"] ?? {}) as JsonObject;

/**
 * Rolls each Deployment towards its template through ReplicaSets: finds or creates the ReplicaSet of
 * the current template (rollback = an old one becomes current again, with the next revision), scales
 * them by planRollout, prunes history, and writes the status. Like the ReplicaSet controller, it waits
 * for its own writes to reach its cache before it returns.
 */
export class DeploymentReconciler implements Reconciler {
  constructor(
    private readonly deployments: Informer,
    private readonly replicaSets: Informer,
    private readonly client: CapstanClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.deployments.get(namespace, name);
    if (!json) return;
    const d = Deployment.fromJSON(json);
    const meta = d.metadata!;
    if (meta.deletionTimestamp) return;
    const spec = rolloutSpec(d);
    const all = this.replicaSets
      .byIndex(OWNER_UID_INDEX, meta.uid)
      .map(owned)
      .filter(({ rs }) => rs.metadata!.ownerReferences.some((r) => r.controller === true && r.uid === meta.uid));

    let current = all.find((o) => sameTemplate(templateOf(o.json), templateOf(json)));
    // Paused with a changed template, no ReplicaSet runs the template yet: none of the pods is updated.
    const templateRuns = current !== undefined;
    let acted = false;
    const maxRevision = Math.max(0, ...all.map((o) => o.view.revision));
    if (!current && spec.paused) {
      // A template change waits for resume; meanwhile the newest ReplicaSet stands for the deployment.
      current = all.find((o) => o.view.revision === maxRevision);
      if (!current) return;
    } else if (!current) {
      current = owned(await this.createReplicaSet(json, d, maxRevision + 1));
      acted = true;
    } else if (current.view.revision < maxRevision && !spec.paused) {
      // Back to an older template (rollout undo): it becomes the newest revision again.
      current = owned(await this.updateReplicaSet(current, { annotations: { [REVISION_ANNOTATION]: String(maxRevision + 1) } }));
      acted = true;
    }
    const currentName = current.view.name;
    const olds = all.filter((o) => o.view.name !== currentName);

    const step = planRollout(spec, current.view, olds.map((o) => o.view));
    for (const o of [current, ...olds]) {
      const replicas = step.scale.get(o.view.name);
      if (replicas === undefined) continue;
      const updated = owned(await this.updateReplicaSet(o, { replicas }));
      if (o === current) current = updated;
      acted = true;
    }
    for (const prunedName of step.prune) {
      await this.client.delete({ kind: "ReplicaSet", namespace, name: prunedName }).catch((e: unknown) => {
        if (!isCapstanError(e, "NotFound")) throw e;
      });
    }

    const previous = json["status"] ? (json["status"] as unknown as DeploymentStatusView) : undefined;
    const oldViews = olds.map((o) => ({ ...o.view, replicas: step.scale.get(o.view.name) ?? o.view.replicas }));
    const status = deploymentStatus({
      spec: { ...spec, progressDeadlineSeconds: d.spec?.progressDeadlineSeconds ?? 600 },
      generation: meta.generation,
      newRS: templateRuns ? current.view : NO_REPLICA_SET,
      olds: templateRuns ? oldViews : [current.view, ...oldViews],
      previous,
      acted,
      now: this.now(),
    });
    await this.writeStatus(json, status);
    if (spec.paused || isComplete({ spec, newRS: current.view, olds: oldViews })) return;
    // Look again when the progress deadline would pass, so ProgressDeadlineExceeded shows without other changes.
    const progressing = status.conditions.find((c) => c.type === "Progressing");
    const deadline = Date.parse(progressing?.lastUpdateTime ?? "") + (d.spec?.progressDeadlineSeconds ?? 600) * 1000;
    return Number.isFinite(deadline) ? { requeueAfterMs: Math.max(1000, deadline - this.now().getTime() + 100) } : undefined;
  }

  private async createReplicaSet(json: JsonObject, d: Deployment, revision: number): Promise<JsonObject> {
    const meta = d.metadata!;
    const template = templateOf(json);
    const hash = podTemplateHash(template, d.status?.collisionCount ?? 0);
    const templateMeta = (template["metadata"] ?? {}) as JsonObject;
    const labels = { ...((templateMeta["labels"] ?? {}) as Record<string, string>), [POD_TEMPLATE_HASH]: hash };
    const selector = ((json["spec"] as JsonObject)["selector"] ?? {}) as JsonObject;
    const rs = {
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
        selector: { ...selector, matchLabels: { ...((selector["matchLabels"] ?? {}) as Record<string, string>), [POD_TEMPLATE_HASH]: hash } },
        template: { ...template, metadata: { ...templateMeta, labels } },
      },
    };
    const created = await this.client.create(toApiObject(rs));
    await this.replicaSets.waitForRevision(revisionOf(created));
    return this.replicaSets.get(meta.namespace, rs.metadata.name) ?? (rs as unknown as JsonObject);
  }

  /** Changes replicas or annotations of a ReplicaSet, guarded by its resourceVersion; returns it as cached after the write. */
  private async updateReplicaSet(o: OwnedReplicaSet, change: { replicas?: number; annotations?: Record<string, string> }): Promise<JsonObject> {
    const metadata = (o.json["metadata"] ?? {}) as JsonObject;
    const spec = (o.json["spec"] ?? {}) as JsonObject;
    const next = {
      ...o.json,
      metadata: change.annotations ? { ...metadata, annotations: { ...((metadata["annotations"] ?? {}) as JsonObject), ...change.annotations } } : metadata,
      spec: change.replicas !== undefined ? { ...spec, replicas: change.replicas } : spec,
    };
    const updated = await this.client.update(toApiObject(next));
    await this.replicaSets.waitForRevision(revisionOf(updated));
    const meta = o.rs.metadata!;
    return this.replicaSets.get(meta.namespace, meta.name) ?? next;
  }

  private async writeStatus(json: JsonObject, status: DeploymentStatusView): Promise<void> {
    const current = (json["status"] ?? {}) as JsonObject;
    const merged = { ...current, ...status };
    if (isDeepStrictEqual(normalize(current), normalize(merged))) return;
    const updated = await this.client.updateStatus(toApiObject({ ...json, status: merged }));
    await this.deployments.waitForRevision(revisionOf(updated));
  }
}

const NO_REPLICA_SET: ReplicaSetView = { name: "", revision: 0, replicas: 0, currentReplicas: 0, readyReplicas: 0, availableReplicas: 0 };

/** Annotations a new ReplicaSet does not inherit from its Deployment (Kubernetes' skip list). */
const NOT_COPIED = new Set(["kubectl.kubernetes.io/last-applied-configuration", REVISION_ANNOTATION, "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas"]);

/** The Deployment's annotations a new ReplicaSet carries, so `rollout history` shows its change-cause. */
function copiedAnnotations(annotations: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).filter(([k]) => !NOT_COPIED.has(k)));
}

const CONDITION_FIELDS = ["type", "status", "reason", "message", "lastUpdateTime", "lastTransitionTime"];
const COUNTS = ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "collisionCount"];

/**
 * The status as the comparison needs it: counts as numbers with absent = 0, conditions with only their
 * fields and "" for absent ones. Without this a status read back from the API never equals the one
 * computed, and every sync would write (and wake itself) again.
 */
function normalize(status: JsonObject) {
  return {
    counts: COUNTS.map((k) => Number(status[k] ?? 0)),
    conditions: ((status["conditions"] ?? []) as JsonObject[]).map((c) => CONDITION_FIELDS.map((k) => String(c[k] ?? ""))),
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
