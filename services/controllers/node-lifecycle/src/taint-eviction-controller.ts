import type { Clock } from "@capstan/apimachinery";
import { Node, Pod, PodCondition, podView, statusOf, toApiObject, type Taint } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient, JsonObject } from "@capstan/client";
import { metadataOf, namespacedKey, splitObjectKey, type Informer, type KeysOf, type ReconcileResult, type Reconciler } from "@capstan/controller-runtime";
import { CONFLICT_RETRY_MS, type Recorder } from "./node-lifecycle-controller.js";
import { readyStatus } from "./node-health.js";
import { evictionTime, type NoExecuteTaint } from "./taint-eviction.js";

export type PodWriter = Pick<CapstanClient, "updateStatus" | "delete">;

/** Pods by `spec.nodeName`: the pods a node's taints apply to. */
export const NODE_NAME_INDEX = "nodeName";

export function podNodeName(pod: JsonObject): string[] {
  const nodeName = podView(pod).nodeName;
  return nodeName ? [nodeName] : [];
}

/** What about a node decides its pods' fate: its NoExecute taints and its readiness. */
function evictionRelevant(node: JsonObject): string {
  const n = Node.fromJSON(node);
  const noExecute = (n.spec?.taints ?? []).filter((t) => t.effect === "NoExecute").map((t) => [t.key, t.value, t.timeAdded]);
  return JSON.stringify([readyStatus(n) ?? "", noExecute]);
}

/**
 * The keys of a node's pods, but only when what decides their fate changed: heartbeats change a node
 * every few seconds and must not wake all of its pods each time (client-go's UpdateFunc comparing old
 * and new). The builder asks about the old object, then the new one, so the last state seen per node
 * is all this needs.
 */
export function podsOfChangedNode(pods: Informer): KeysOf {
  const seen = new Map<string, string>();
  return (node) => {
    const name = metadataOf(node).name ?? "";
    const state = evictionRelevant(node);
    if (seen.get(name) === state) return [];
    seen.set(name, state);
    return pods.byIndex(NODE_NAME_INDEX, name).map((p) => namespacedKey(metadataOf(p).namespace ?? "", metadataOf(p).name ?? ""));
  };
}

/**
 * Kubernetes' taint manager (NoExecuteTaintManager), one pod per reconcile: a pod bound to a node with
 * NoExecute taints is deleted unless it tolerates them, once its tolerationSeconds have passed since
 * each taint was added. Also Kubernetes' MarkPodsNotReady: the pods of an unreachable node are no
 * longer Ready, so Services stop sending them traffic.
 */
export class TaintEvictionReconciler implements Reconciler {
  /** For a NoExecute taint without timeAdded: when this controller first saw it. */
  private readonly firstSeen = new Map<string, number>();

  constructor(
    private readonly pods: Informer,
    private readonly nodes: Informer,
    private readonly client: PodWriter,
    private readonly recorder: Recorder,
    private readonly clock: Clock,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.pods.get(namespace, name);
    if (!json) return;
    const pod = Pod.fromJSON(json);
    const nodeJson = pod.spec?.nodeName ? this.nodes.get("", pod.spec.nodeName) : undefined;
    if (!nodeJson) return;
    const node = Node.fromJSON(nodeJson);
    const unreachable = readyStatus(node) === "Unknown";
    try {
      if (unreachable) await this.markNotReady(json, pod);
      const taints = (node.spec?.taints ?? []).filter((t) => t.effect === "NoExecute").map((t) => this.withAddedAt(node, t));
      const at = evictionTime(pod.spec?.tolerations ?? [], taints);
      if (at === undefined) return;
      // A live agent is already stopping a terminating pod; only an unreachable node's needs finishing.
      if (pod.metadata?.deletionTimestamp && !unreachable) return;
      const now = this.clock.now();
      if (at > now) return { requeueAfterMs: at - now };
      await this.evict(json, pod, unreachable);
    } catch (e) {
      if (isCapstanError(e, "Conflict")) return { requeueAfterMs: CONFLICT_RETRY_MS };
      if (isCapstanError(e, "NotFound")) return;
      throw e;
    }
  }

  private withAddedAt(node: Node, taint: Taint): NoExecuteTaint {
    const added = Date.parse(taint.timeAdded);
    if (Number.isFinite(added)) return { taint, addedAt: added };
    const id = `${node.metadata?.name ?? ""}|${taint.key}|${taint.effect}`;
    let seen = this.firstSeen.get(id);
    if (seen === undefined) this.firstSeen.set(id, (seen = this.clock.now()));
    return { taint, addedAt: seen };
  }

  /** Sets the pod's Ready condition False: nothing vouches for it while its node is unreachable. */
  private async markNotReady(json: JsonObject, pod: Pod): Promise<void> {
    const conditions = pod.status?.conditions ?? [];
    if (!conditions.some((c) => c.type === "Ready" && c.status !== "False")) return;
    const at = new Date(this.clock.now()).toISOString();
    const updated = conditions.map((c) => (c.type === "Ready" ? { ...c, status: "False", lastTransitionTime: at } : c));
    const status = { ...statusOf(json), conditions: updated.map((c) => PodCondition.toJSON(c)) };
    await this.client.updateStatus(toApiObject({ ...json, status }));
  }

  private async evict(json: JsonObject, pod: Pod, unreachable: boolean): Promise<void> {
    const { namespace = "", name = "", uid } = pod.metadata ?? {};
    // Kubernetes marks the pod Terminating and waits for its kubelet to stop it, which an unreachable
    // node's never will (its pods linger until the node is gone); here they are deleted at once (grace
    // 0), so their replacements are not held up. A reachable node's agent stops its pods gracefully.
    // The event goes first, as Kubernetes' taint manager does: whoever sees the pod gone can find why.
    this.recorder.record(json, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${namespace}/${name}`);
    await this.client.delete({
      kind: "Pod",
      namespace,
      name,
      preconditions: { uid },
      ...(unreachable ? { gracePeriodSeconds: 0 } : {}),
    });
  }
}
