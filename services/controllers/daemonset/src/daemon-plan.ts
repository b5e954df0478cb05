/**
 * What a DaemonSet's reconcile does, as data (Kubernetes' daemon controller manage, rollingUpdate and
 * updateDaemonSetStatus): which nodes get a pod, which pods go, and the status the counts give.
 */
import { isAvailable, readySince, scaledValueFromIntOrPercent, type DaemonSet, type Node, type Pod } from "@capstan/api";
import { CONTROLLER_REVISION_HASH_POD_LABEL, targetNodeName } from "./daemon-pod.js";
import { nodeShouldRunDaemonPod } from "./node-should-run.js";

export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  numberAvailable: number;
  numberUnavailable: number;
  updatedNumberScheduled: number;
}

export interface DaemonSetPlan {
  /** Nodes to create a pod at the update revision on. */
  readonly create: readonly string[];
  readonly remove: readonly Pod[];
  /**
   * Pods of a node no longer in the cluster, to delete at once (grace 0): no agent is left to finish a
   * graceful delete. Kubernetes' pod garbage collector does this (gcOrphaned); Capstan has none.
   */
  readonly orphaned: readonly Pod[];
  readonly status: DaemonSetCounts;
  /** A ready pod becomes available then (minReadySeconds): look again. */
  readonly recheckAfterMs?: number;
}

const isTerminating = (pod: Pod) => Boolean(pod.metadata?.deletionTimestamp);
const hasFinished = (pod: Pod) => pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded";
const isUpdated = (pod: Pod, hash: string) => pod.metadata?.labels[CONTROLLER_REVISION_HASH_POD_LABEL] === hash;

/** When the pod became ready, in ms since the epoch, or undefined while it is not ready. */
const readyAtMs = (pod: Pod) => readySince(pod)?.getTime();

/** Kubernetes' podByCreationTimestampAndPhase: bound pods first, then the oldest, then by name. */
function byAge(a: Pod, b: Pod): number {
  const bound = Number(Boolean(b.spec?.nodeName)) - Number(Boolean(a.spec?.nodeName));
  if (bound !== 0) return bound;
  const [ta, tb] = [a.metadata?.creationTimestamp ?? "", b.metadata?.creationTimestamp ?? ""];
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata?.name ?? "") < (b.metadata?.name ?? "") ? -1 : 1;
}

/** maxSurge and maxUnavailable against the desired pods, rounded up; an impossible 0/0 allows one unavailable. */
export function rollingUpdateLimits(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const rollingUpdate = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaledValueFromIntOrPercent(rollingUpdate?.maxSurge, desired, true);
  const maxUnavailable = scaledValueFromIntOrPercent(rollingUpdate?.maxUnavailable, desired, true);
  return maxSurge === 0 && maxUnavailable === 0 ? { maxSurge, maxUnavailable: 1 } : { maxSurge, maxUnavailable };
}

interface NodePods {
  readonly node: string;
  readonly shouldRun: boolean;
  /** Neither terminating nor finished, oldest first. */
  readonly running: Pod[];
  /** Including the terminating ones: a node whose old pod is still stopping gets no new one yet. */
  readonly any: boolean;
}

export function planDaemonSet(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, now: Date): DaemonSetPlan {
  const podsByNode = new Map<string, Pod[]>();
  const remove: Pod[] = [];
  const orphaned: Pod[] = [];
  const known = new Set(nodes.map((n) => n.metadata?.name ?? ""));
  for (const pod of pods) {
    const node = targetNodeName(pod);
    if (node === undefined || !known.has(node)) {
      orphaned.push(pod);
      continue;
    }
    podsByNode.set(node, [...(podsByNode.get(node) ?? []), pod]);
  }

  const create: string[] = [];
  const placed: NodePods[] = [];
  const allowsSurge = rollingUpdateLimits(ds, 1).maxSurge > 0 && ds.spec?.updateStrategy?.type === "RollingUpdate";
  for (const n of nodes) {
    const node = n.metadata?.name ?? "";
    const onNode = podsByNode.get(node) ?? [];
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(n, ds);
    const live = onNode.filter((p) => !isTerminating(p));
    if (!shouldContinueRunning) {
      remove.push(...live);
      placed.push({ node, shouldRun, running: live.filter((p) => !hasFinished(p)), any: onNode.length > 0 });
      continue;
    }
    remove.push(...live.filter(hasFinished));
    const running = live.filter((p) => !hasFinished(p)).sort(byAge);
    const kept = keepOnePerRevision(running, hash, allowsSurge);
    remove.push(...running.filter((p) => !kept.includes(p)));
    if (shouldRun && onNode.length === 0) create.push(node);
    placed.push({ node, shouldRun, running: kept, any: onNode.length > 0 });
  }

  const status = countStatus(ds, placed, hash, now);
  const idle = create.length === 0 && remove.length === 0 && orphaned.length === 0;
  const rolled = idle && ds.spec?.updateStrategy?.type === "RollingUpdate" ? rollingUpdate(ds, placed, status.desiredNumberScheduled, hash, now) : { create: [], remove: [] };
  const recheckAfterMs = nextAvailableInMs(ds, placed, now);
  return {
    create: [...create, ...rolled.create],
    remove: [...remove, ...rolled.remove],
    orphaned,
    status,
    ...(recheckAfterMs !== undefined ? { recheckAfterMs } : {}),
  };
}

/** One pod a node; with surge, the oldest updated pod may run beside the oldest old one. */
function keepOnePerRevision(running: readonly Pod[], hash: string, allowsSurge: boolean): Pod[] {
  if (!allowsSurge) return running.slice(0, 1);
  const newest = running.find((p) => isUpdated(p, hash));
  const oldest = running.find((p) => !isUpdated(p, hash));
  return running.filter((p) => p === newest || p === oldest);
}

const isAvailableIn = (ds: DaemonSet, pod: Pod, now: Date) => isAvailable(pod, ds.spec?.minReadySeconds ?? 0, now);

function countStatus(ds: DaemonSet, placed: readonly NodePods[], hash: string, now: Date): DaemonSetCounts {
  const c: DaemonSetCounts = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
    updatedNumberScheduled: 0,
  };
  for (const { shouldRun, running } of placed) {
    const pod = running[0];
    if (!shouldRun) {
      if (pod) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!pod) continue;
    c.currentNumberScheduled++;
    if (readySince(pod) !== undefined) c.numberReady++;
    if (isAvailableIn(ds, pod, now)) c.numberAvailable++;
    if (isUpdated(pod, hash)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = Math.max(0, c.desiredNumberScheduled - c.numberAvailable);
  return c;
}

/**
 * Kubernetes' rollingUpdate. Without surge: delete old pods, the unavailable ones first, while fewer
 * than maxUnavailable nodes lack an available pod. With surge: create an updated pod beside the old one
 * on up to maxSurge nodes, and delete the old pod once the new one is available.
 */
function rollingUpdate(ds: DaemonSet, placed: readonly NodePods[], desired: number, hash: string, now: Date): { create: string[]; remove: Pod[] } {
  const { maxSurge, maxUnavailable } = rollingUpdateLimits(ds, desired);
  const available = (p: Pod) => isAvailableIn(ds, p, now);
  const nodes = placed.filter((n) => n.shouldRun && n.any);
  const oldOf = (n: NodePods) => n.running.find((p) => !isUpdated(p, hash));
  const newOf = (n: NodePods) => n.running.find((p) => isUpdated(p, hash));

  if (maxSurge === 0) {
    let unavailable = 0;
    const replace: Pod[] = [];
    const candidates: Pod[] = [];
    for (const n of nodes) {
      const [oldPod, newPod] = [oldOf(n), newOf(n)];
      if (!oldPod) {
        if (!newPod || !available(newPod)) unavailable++;
      } else if (!available(oldPod)) replace.push(oldPod);
      else candidates.push(oldPod);
    }
    const room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    return { create: [], remove: [...replace, ...candidates.slice(0, room)] };
  }

  let surging = 0;
  const remove: Pod[] = [];
  const replace: string[] = [];
  const candidates: string[] = [];
  for (const n of nodes) {
    const [oldPod, newPod] = [oldOf(n), newOf(n)];
    if (!oldPod) continue;
    if (!newPod) (available(oldPod) ? candidates : replace).push(n.node);
    else if (!available(newPod)) surging++;
    else remove.push(oldPod);
  }
  const room = Math.min(Math.max(0, maxSurge - surging), candidates.length);
  return { create: [...replace, ...candidates.slice(0, room)], remove };
}

/** When the first ready pod that is not yet available becomes so, in ms from now. */
function nextAvailableInMs(ds: DaemonSet, placed: readonly NodePods[], now: Date): number | undefined {
  const minReadyMs = (ds.spec?.minReadySeconds ?? 0) * 1000;
  if (minReadyMs === 0) return undefined;
  let next: number | undefined;
  for (const { running } of placed) {
    for (const pod of running) {
      const since = readyAtMs(pod);
      if (since === undefined || isAvailableIn(ds, pod, now)) continue;
      const wait = since + minReadyMs - now.getTime();
      next = next === undefined ? wait : Math.min(next, wait);
    }
  }
  return next;
}
