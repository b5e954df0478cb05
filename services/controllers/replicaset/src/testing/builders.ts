/**
 * JSON builders for the ReplicaSet controller's tests: `aReplicaSet("web").withReplicas(3).json()`,
 * `aPod("a").controlledBy(rs).readySince(t).json()`. Objects are as the gateway stores them, so they can
 * go straight into the FakeCluster.
 */
import type { JsonObject } from "@capstan/client";

const T0 = "2026-03-01T11:00:00.000Z";

export class ReplicaSetBuilder {
  private kind: "ReplicaSet" | "ReplicationController" = "ReplicaSet";
  private replicas = 3;
  private minReadySeconds = 0;
  private labels: Record<string, string> = { app: "web" };
  private deleting = false;

  constructor(private readonly name: string) {}

  withReplicas(replicas: number): this {
    this.replicas = replicas;
    return this;
  }

  withMinReadySeconds(seconds: number): this {
    this.minReadySeconds = seconds;
    return this;
  }

  /** Its selector and its template's labels. */
  selecting(labels: Record<string, string>): this {
    this.labels = labels;
    return this;
  }

  /** A ReplicationController with a map selector instead. */
  asReplicationController(): this {
    this.kind = "ReplicationController";
    return this;
  }

  beingDeleted(): this {
    this.deleting = true;
    return this;
  }

  json(): JsonObject {
    const rc = this.kind === "ReplicationController";
    return {
      apiVersion: rc ? "v1" : "apps/v1",
      kind: this.kind,
      metadata: { name: this.name, namespace: "default", uid: `uid-${this.name}`, generation: 1, ...(this.deleting ? { deletionTimestamp: T0 } : {}) },
      spec: {
        replicas: this.replicas,
        minReadySeconds: this.minReadySeconds,
        selector: rc ? { ...this.labels } : { matchLabels: { ...this.labels } },
        template: { metadata: { labels: { ...this.labels } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } },
      },
    };
  }
}

export class PodBuilder {
  private labels: Record<string, string> = { app: "web" };
  private owner: JsonObject | undefined;
  private nodeName = "node-1";
  private phase = "Running";
  private readyAt: string | undefined;
  private restartCount = 0;
  private created = T0;
  private terminating = false;

  constructor(private readonly name: string) {}

  /** Controlled by the ReplicaSet (or ReplicationController) given as JSON. */
  controlledBy(owner: JsonObject): this {
    this.owner = owner;
    return this;
  }

  labelled(labels: Record<string, string>): this {
    this.labels = labels;
    return this;
  }

  unscheduled(): this {
    this.nodeName = "";
    this.phase = "Pending";
    return this;
  }

  inPhase(phase: string): this {
    this.phase = phase;
    return this;
  }

  readySince(time: string): this {
    this.readyAt = time;
    return this;
  }

  restarted(times: number): this {
    this.restartCount = times;
    return this;
  }

  createdAt(time: string): this {
    this.created = time;
    return this;
  }

  beingDeleted(): this {
    this.terminating = true;
    return this;
  }

  json(): JsonObject {
    const owner = this.owner?.["metadata"] as { name: string; uid: string } | undefined;
    const ownerReferences = owner
      ? [{ apiVersion: String(this.owner!["apiVersion"]), kind: String(this.owner!["kind"]), name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }]
      : [];
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: this.name,
        namespace: "default",
        uid: `uid-${this.name}`,
        labels: { ...this.labels },
        ownerReferences,
        creationTimestamp: this.created,
        ...(this.terminating ? { deletionTimestamp: T0 } : {}),
      },
      spec: { ...(this.nodeName ? { nodeName: this.nodeName } : {}), containers: [{ name: "app", image: "nginx:1.27" }] },
      status: {
        phase: this.phase,
        conditions: this.readyAt ? [{ type: "Ready", status: "True", lastTransitionTime: this.readyAt }] : [],
        containerStatuses: [{ name: "app", restartCount: this.restartCount }],
      },
    };
  }
}

export const aReplicaSet = (name = "web") => new ReplicaSetBuilder(name);
export const aPod = (name: string) => new PodBuilder(name);
