import { isDeepStrictEqual } from "node:util";
import { fromApiObject, childObject, metaOf, objectOf, workloadView } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import type { Json } from "./printers.js";
import { CHANGE_CAUSE_ANNOTATION, POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, ROLLBACK_SKIPPED_ANNOTATIONS } from "./well-known.js";

/** One revision of a Deployment: the ReplicaSet that carries it and that ReplicaSet's pod template. */
export interface Revision {
  readonly revision: number;
  readonly replicaSet: Json;
  readonly template: Json;
  readonly changeCause: string | undefined;
}

const annotationsOf = (o: Json): Readonly<Record<string, string>> => metaOf(o).annotations;

function isControlledBy(o: Json, uid: unknown): boolean {
  return metaOf(o).ownerReferences.some((r) => r.controller === true && r.uid === uid);
}

/** The ReplicaSets the Deployment controls (by owner uid, as the Deployment controller adopts them). */
export async function replicaSetsOf(client: Pick<CapstanClient, "list">, deployment: Json): Promise<Json[]> {
  const meta = metaOf(deployment);
  const list = await client.list({ kind: "ReplicaSet", namespace: meta.namespace });
  return list.items.map((o) => fromApiObject(o).json).filter((rs) => isControlledBy(rs, meta.json["uid"]));
}

/** The revisions the ReplicaSets carry, oldest first; a ReplicaSet without a readable revision is not one. */
export function revisionHistory(replicaSets: readonly Json[]): Revision[] {
  const history: Revision[] = [];
  for (const rs of replicaSets) {
    const text = annotationsOf(rs)[REVISION_ANNOTATION];
    const revision = Number(text);
    if (!text || !Number.isInteger(revision) || revision < 0) continue;
    const template = workloadView(rs).template ?? {};
    history.push({ revision, replicaSet: rs, template, changeCause: annotationsOf(rs)[CHANGE_CAUSE_ANNOTATION] || undefined });
  }
  return history.sort((a, b) => a.revision - b.revision);
}

/**
 * The revision `rollout undo` goes back to: the given one, or with 0 the one before the newest
 * (kubectl's deploymentRevision).
 */
export function rollbackRevision(history: readonly Revision[], toRevision: number, deploymentName: string): Revision {
  if (toRevision < 0) throw new Error(`unable to find specified revision ${toRevision} in history`);
  if (toRevision > 0) {
    const found = history.find((r) => r.revision === toRevision);
    if (!found) throw new Error(`unable to find specified revision ${toRevision} in history`);
    return found;
  }
  const previous = history.at(-2);
  if (!previous) throw new Error(`no rollout history found for deployment "${deploymentName}"`);
  return previous;
}

/** A template without the hash label its ReplicaSet adds: what a Deployment's own template looks like. */
export function templateWithoutHash(template: Json): Json {
  const metadata: Json = { ...metaOf(template).json };
  const { [POD_TEMPLATE_HASH_LABEL]: _hash, ...labels } = metaOf(template).labels;
  if (Object.keys(labels).length) metadata["labels"] = labels;
  else delete metadata["labels"];
  const copy: Json = structuredClone({ ...template, metadata });
  if (Object.keys(metadata).length === 0) delete copy["metadata"];
  return copy;
}

export function isSameTemplate(a: Json, b: Json): boolean {
  return isDeepStrictEqual(templateWithoutHash(a), templateWithoutHash(b));
}

export type RollbackOutcome = "rolled back" | "skipped";

/**
 * kubectl's rollback, on a Deployment read for update: its template becomes the revision's (without the
 * hash label) and it takes the ReplicaSet's annotations, such as the change cause. Unlike kubectl, which
 * replaces them, the Deployment's other annotations are kept: Capstan's controller does not copy a
 * Deployment's annotations to its ReplicaSets, so replacing would drop them.
 */
export function rollBack(deployment: Json, to: Revision): RollbackOutcome {
  const spec = childObject(deployment, "spec");
  if (spec["paused"] === true) {
    throw new Error("you cannot rollback a paused deployment; resume it first with 'capctl rollout resume' and try again");
  }
  if (isSameTemplate(to.template, objectOf(spec["template"]) ?? {})) return "skipped";
  spec["template"] = templateWithoutHash(to.template);
  const annotations = { ...annotationsOf(deployment) };
  for (const [k, v] of Object.entries(annotationsOf(to.replicaSet))) if (!ROLLBACK_SKIPPED_ANNOTATIONS.has(k)) annotations[k] = v;
  const metadata = childObject(deployment, "metadata");
  if (Object.keys(annotations).length) metadata["annotations"] = annotations;
  return "rolled back";
}
