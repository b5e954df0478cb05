/**
 * The revision history a StatefulSet or DaemonSet keeps in ControllerRevisions (Kubernetes'
 * pkg/controller/history): each revision is a snapshot of the owner's template, named `<owner>-<hash>`,
 * numbered in order; a rollout to a template seen before reuses its revision under a new number, and the
 * oldest revisions no pod runs are deleted beyond revisionHistoryLimit.
 */
import { isDeepStrictEqual } from "node:util";
import { isCapstanError } from "@capstan/apimachinery";
import { fromApiObject, metaOf, toApiObject } from "@capstan/api";
import type { CapstanClient, JsonObject } from "@capstan/client";
import type { OwnerReference } from "./object-key.js";
import { canonicalJson, SAFE_ENCODE_ALPHABET } from "./canonical.js";

/** The label a ControllerRevision carries its hash in (history.ControllerRevisionHashLabel). */
export const CONTROLLER_REVISION_HASH_LABEL = "controller.kubernetes.io/hash";

/** Revisions kept when the owner does not say (revisionHistoryLimit). */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** 32-bit FNV-1 (Go's fnv.New32), over UTF-8 bytes. */
function fnv1(text: string, hash = 0x811c9dc5): number {
  for (const byte of Buffer.from(text)) hash = (Math.imul(hash, 0x01000193) ^ byte) >>> 0;
  return hash;
}

/**
 * HashControllerRevision: the data's hash, with the collision count mixed in when names collide, spelled
 * in safe characters.
 */
export function hashControllerRevision(data: JsonObject, collisionCount?: number): string {
  let hash = fnv1(canonicalJson(data));
  if (collisionCount !== undefined && collisionCount > 0) hash = fnv1(String(collisionCount), hash);
  return Array.from(String(hash), (c) => SAFE_ENCODE_ALPHABET[c.charCodeAt(0) % SAFE_ENCODE_ALPHABET.length]).join("");
}

/** `<prefix>-<hash>`, the prefix cut so the name stays a valid DNS subdomain (ControllerRevisionName). */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** The owner of a history, as its revisions name it. */
export interface RevisionOwner {
  readonly namespace: string;
  readonly name: string;
  /** What its revisions carry in ownerReferences (controller: true). */
  readonly ref: OwnerReference;
  /** The template's labels, which a revision carries too. */
  readonly templateLabels: Readonly<Record<string, string>>;
}

/** NewControllerRevision: a revision of `data`, numbered `revision`, named by its hash. */
export function newControllerRevision(owner: RevisionOwner, data: JsonObject, revision: number, collisionCount: number): JsonObject {
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      name: controllerRevisionName(owner.name, hash),
      namespace: owner.namespace,
      labels: { ...owner.templateLabels, [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [owner.ref],
    },
    data,
    revision,
  };
}

export const revisionNumber = (r: JsonObject): number => Number(r["revision"] ?? 0);

/** Oldest first: by number, then creation, then name (SortControllerRevisions). */
export function sortControllerRevisions(revisions: readonly JsonObject[]): JsonObject[] {
  return [...revisions].sort(
    (a, b) =>
      revisionNumber(a) - revisionNumber(b) ||
      metaOf(a).creationTimestamp.localeCompare(metaOf(b).creationTimestamp) ||
      metaOf(a).name.localeCompare(metaOf(b).name),
  );
}

/** Whether two revisions hold the same data (EqualRevision). */
export function equalRevision(a: JsonObject, b: JsonObject): boolean {
  const hashA = metaOf(a).labels[CONTROLLER_REVISION_HASH_LABEL];
  const hashB = metaOf(b).labels[CONTROLLER_REVISION_HASH_LABEL];
  if (hashA !== undefined && hashB !== undefined && hashA !== hashB) return false;
  return isDeepStrictEqual(a["data"], b["data"]);
}

/** The revisions that hold the same data as `needle`, in the order given (FindEqualRevisions). */
export function findEqualRevisions(revisions: readonly JsonObject[], needle: JsonObject): JsonObject[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** One more than the greatest revision number, 1 for an empty history. */
export function nextRevision(revisions: readonly JsonObject[]): number {
  return revisions.reduce((max, r) => Math.max(max, revisionNumber(r)), 0) + 1;
}

/**
 * The revisions to delete so at most `limit` of those not live remain, oldest first; `live` names the
 * revisions still in use (the current and update revisions, and any a pod runs).
 */
export function revisionsToTruncate(revisions: readonly JsonObject[], live: ReadonlySet<string>, limit: number): JsonObject[] {
  const history = sortControllerRevisions(revisions).filter((r) => !live.has(metaOf(r).name));
  return history.slice(0, Math.max(0, history.length - limit));
}

/** The gateway calls a history makes. */
export type HistoryClient = Pick<CapstanClient, "create" | "get" | "update">;

/** The revisions a reconcile runs against, and the collision count it learned. */
export interface RevisionSync {
  /** The revision the owner's pods are at: status.currentRevision's, or the update revision in a new history. */
  readonly current: JsonObject;
  /** The revision of the owner's template now. */
  readonly update: JsonObject;
  readonly collisionCount: number;
  /** The resourceVersion of the last write, 0 if none: what the revision cache must reach. */
  readonly written: number;
}

const resourceVersionOf = (o: JsonObject) => Number(metaOf(o).resourceVersion || 0);

/**
 * The StatefulSet controller's getStatefulSetRevisions (the DaemonSet's constructHistory is alike): the
 * revision equal to `data` is reused (renumbered to the newest if an older one matches, which is a
 * rollback), else created; a name taken by other data bumps the collision count and tries again.
 */
export async function syncRevisions(
  client: HistoryClient,
  owner: RevisionOwner,
  owned: readonly JsonObject[],
  data: JsonObject,
  collisionCount: number,
  currentRevisionName: string,
): Promise<RevisionSync> {
  const revisions = sortControllerRevisions(owned);
  const next = nextRevision(revisions);
  let update = newControllerRevision(owner, data, next, collisionCount);
  let written = 0;
  const equal = findEqualRevisions(revisions, update);
  const newest = revisions.at(-1);
  const lastEqual = equal.at(-1);
  if (lastEqual && newest && equalRevision(newest, lastEqual)) {
    update = newest;
  } else if (lastEqual) {
    update = fromApiObject(await client.update(toApiObject({ ...lastEqual, revision: next }))).json;
    written = resourceVersionOf(update);
  } else {
    for (;;) {
      try {
        update = fromApiObject(await client.create(toApiObject(update))).json;
        written = resourceVersionOf(update);
        break;
      } catch (e) {
        if (!isCapstanError(e, "AlreadyExists")) throw e;
        const { namespace, name } = metaOf(update);
        const existing = fromApiObject(await client.get({ kind: "ControllerRevision", namespace, name })).json;
        // A revision this reconcile's stale cache missed (after a restart): it is the one.
        if (equalRevision(existing, update) && metaOf(existing).controllerRef?.uid === owner.ref.uid) {
          update = existing;
          break;
        }
        collisionCount += 1;
        update = newControllerRevision(owner, data, next, collisionCount);
      }
    }
  }
  const current = revisions.find((r) => metaOf(r).name === currentRevisionName) ?? update;
  return { current, update, collisionCount, written };
}
