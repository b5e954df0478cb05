import { isCapstanError } from "@capstan/apimachinery";
import { objectMeta, type ApiObject, type Pod } from "@capstan/api";
import type { CapstanClient, EventRecorder } from "@capstan/client";

/** What a reconciler needs of an EventRecorder. */
export type Recorder = Pick<EventRecorder, "record">;

/** The revision a write committed at: the resourceVersion of the object it returned (0 for none). */
export const revisionOf = (o: ApiObject | undefined): number => (o ? Number(objectMeta(o).resourceVersion || 0) : 0);

/** What to delete: an object by name, only while it is still the one with this uid. */
export interface DeleteTarget {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

/** Options passed on with a delete. */
export interface DeleteOptions {
  gracePeriodSeconds?: number | undefined;
  propagationPolicy?: string | undefined;
}

/**
 * Deletes an object with a uid precondition, so a successor of the same name is never hit; returns the
 * revision the delete committed at, or 0 if the object is already gone (NotFound).
 */
export async function deleteIfUid(client: Pick<CapstanClient, "delete">, target: DeleteTarget, options: DeleteOptions = {}): Promise<number> {
  const { kind, namespace, name, uid } = target;
  const grace = options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {};
  const propagation = options.propagationPolicy !== undefined ? { propagationPolicy: options.propagationPolicy } : {};
  try {
    return revisionOf((await client.delete({ kind, namespace, name, preconditions: { uid }, ...grace, ...propagation })).object);
  } catch (e) {
    if (isCapstanError(e, "NotFound")) return 0;
    throw e;
  }
}

/** Deletes a pod with a uid precondition; the revision the delete committed at, or 0 if it is already gone. */
export function deletePod(client: Pick<CapstanClient, "delete">, pod: Pod, options: DeleteOptions = {}): Promise<number> {
  const meta = pod.metadata!;
  return deleteIfUid(client, { kind: "Pod", namespace: meta.namespace, name: meta.name, uid: meta.uid }, options);
}
