/**
 * The kinds `rollout status|history|undo` manage, each with how its history is read, how it is rolled
 * back and how its rollout stands (kubectl's HistoryViewer, Rollbacker and StatusViewer by kind). A kind
 * with ControllerRevisions (StatefulSet, DaemonSet) plugs in with controller-revisions.ts.
 */
import { kindInfo, type KindName } from "@capstan/api";
import type { CapstanClient } from "@capstan/client";
import { daemonSetRolloutStatus, deploymentRolloutStatus, statefulSetRolloutStatus, type RolloutStatus } from "./rollout-viewers.js";
import { controllerRevisionHistory, previousRevision, restoreTemplate, type HistoryRevision } from "./controller-revisions.js";
import { replicaSetsOf, revisionHistory, rollBack, rollbackRevision, type Revision, type RollbackOutcome } from "./deployment-revisions.js";
import type { Json } from "./printers.js";
import { parseResourceArgs, type ResourceRef } from "./resource-args.js";

export interface RolloutKind {
  history(client: Pick<CapstanClient, "list">, owner: Json): Promise<HistoryRevision[]>;
  /** The revision undo goes to: `toRevision`, or with 0 the previous one. */
  target(history: readonly HistoryRevision[], toRevision: number, name: string): HistoryRevision;
  /** Changes the owner, read for update, to the revision. */
  rollBack(owner: Json, to: HistoryRevision): RollbackOutcome;
  status(owner: Json): RolloutStatus;
}

export const rolloutKinds: Partial<Record<KindName, RolloutKind>> = {
  Deployment: {
    history: async (client, owner) => revisionHistory(await replicaSetsOf(client, owner)),
    target: (history, toRevision, name) => rollbackRevision(history as Revision[], toRevision, name),
    rollBack: (owner, to) => rollBack(owner, to as Revision),
    status: deploymentRolloutStatus,
  },
  StatefulSet: {
    history: controllerRevisionHistory,
    target: (history, toRevision) => previousRevision(history, toRevision),
    rollBack: restoreTemplate,
    status: statefulSetRolloutStatus,
  },
  DaemonSet: {
    history: controllerRevisionHistory,
    target: (history, toRevision) => previousRevision(history, toRevision),
    rollBack: restoreTemplate,
    status: daemonSetRolloutStatus,
  },
};

/** The one object rollout status, history and undo act on, of a kind with a rollout. */
export function rolloutRef(args: readonly string[], subcommand: string): ResourceRef & { readonly rollout: RolloutKind } {
  const { refs, kindOnly } = parseResourceArgs(args);
  if (kindOnly) throw new Error(`a resource name is required, e.g. capctl rollout ${subcommand} deployment/web`);
  if (refs.length > 1) throw new Error(`rollout ${subcommand} takes one resource, e.g. capctl rollout ${subcommand} deployment/web`);
  const ref = refs[0]!;
  const rollout = rolloutKinds[ref.kind as KindName];
  if (!rollout) {
    const supported = Object.keys(rolloutKinds).map((k) => kindInfo(k).plural).join(", ");
    throw new Error(`rollout ${subcommand} supports ${supported} only, not ${kindInfo(ref.kind).plural}`);
  }
  return { ...ref, rollout };
}
