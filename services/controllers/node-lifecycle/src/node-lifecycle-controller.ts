import type { Clock } from "@capstan/apimachinery";
import { Node, NodeCondition, Taint, fromApiObject, specOf, statusOf, toApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient, EventRecorder, JsonObject } from "@capstan/client";
import { splitObjectKey, type Informer, type ReconcileResult, type Reconciler } from "@capstan/controller-runtime";
import type { NodeLifecycleConfig } from "./config.js";
import { readyStatus, staleConditions } from "./node-health.js";
import type { NodeLeaseTimes } from "./node-lease-times.js";
import { reconcileTaints } from "./node-taints.js";

/** The writes this reconciler makes. */
export type NodeWriter = Pick<CapstanClient, "update" | "updateStatus">;
export type Recorder = Pick<EventRecorder, "record">;

/**
 * After a Conflict: the cache is behind a newer write, whose event wakes this key again anyway; this
 * is the fallback should that event be lost.
 */
export const CONFLICT_RETRY_MS = 1000;

/**
 * Kubernetes' node lifecycle controller, one node per reconcile: a node whose agent neither renewed
 * its node lease nor posted status for the grace period gets its conditions set to Unknown, and every node's
 * condition taints (not-ready, unreachable, …) follow its conditions. Each node is looked at again
 * every monitor period, because a silent node sends no event.
 */
export class NodeLifecycleReconciler implements Reconciler {
  constructor(
    private readonly nodes: Informer,
    private readonly leases: NodeLeaseTimes,
    private readonly client: NodeWriter,
    private readonly recorder: Recorder,
    private readonly clock: Clock,
    private readonly config: NodeLifecycleConfig,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { name } = splitObjectKey(key);
    let json = this.nodes.get("", name);
    if (!json) return;
    try {
      json = await this.markUnknownIfSilent(json);
      await this.syncTaints(json);
    } catch (e) {
      if (isCapstanError(e, "Conflict")) return { requeueAfterMs: CONFLICT_RETRY_MS };
      if (isCapstanError(e, "NotFound")) return;
      throw e;
    }
    return { requeueAfterMs: this.config.monitorPeriodMs };
  }

  /** Returns the node as written, or as it was if it is fresh (or its lease not yet known). */
  private async markUnknownIfSilent(json: JsonObject): Promise<JsonObject> {
    // A node's status may be minutes old while its lease is fresh: judge no one before the leases are in.
    if (!this.leases.hasSynced()) return json;
    const node = Node.fromJSON(json);
    const leaseRenewTime = this.leases.renewTime(node.metadata?.name ?? "");
    const conditions = staleConditions(node, this.clock.now(), this.config.gracePeriodMs, leaseRenewTime);
    if (!conditions) return json;
    const status = { ...statusOf(json), conditions: conditions.map((c) => NodeCondition.toJSON(c)) };
    // The resourceVersion read guards the write: a heartbeat that came meanwhile wins (Conflict).
    const written = fromApiObject(await this.client.updateStatus(toApiObject({ ...json, status }))).json;
    if (readyStatus(node) === "True") {
      this.recorder.record(json, "Normal", "NodeNotReady", `Node ${node.metadata?.name ?? ""} status is now: NodeNotReady`);
    }
    return written;
  }

  private async syncTaints(json: JsonObject): Promise<void> {
    const taints = reconcileTaints(Node.fromJSON(json), new Date(this.clock.now()));
    if (!taints) return;
    const spec = { ...specOf(json), taints: taints.map((t) => Taint.toJSON(t)) };
    await this.client.update(toApiObject({ ...json, spec }));
  }
}
