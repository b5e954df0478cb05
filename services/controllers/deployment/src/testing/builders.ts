/**
 * JSON builders for the Deployment controller's tests: `aDeployment("web").withImage("nginx:2").json()`
 * and `aReplicaSetOf(deployment, { revision: 1, replicas: 3 })`, the ReplicaSet the controller itself
 * would have made for that template (through the real newReplicaSet).
 */
import { Deployment } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { newReplicaSet } from "../deployment-replica-set.js";

export class DeploymentBuilder {
  private image = "nginx:1";
  private replicas = 3;
  private strategy: JsonObject = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
  private isPaused = false;
  private progressDeadlineSeconds = 600;
  private revisionHistoryLimit = 10;
  private annotations: Record<string, string> = {};
  private status: JsonObject | undefined;
  private deleting = false;

  constructor(private readonly name: string) {}

  withImage(image: string): this {
    this.image = image;
    return this;
  }

  withReplicas(replicas: number): this {
    this.replicas = replicas;
    return this;
  }

  /** IntOrString as Kubernetes JSON has it: 1 or "25%". */
  rollingUpdate(maxSurge: number | string, maxUnavailable: number | string): this {
    this.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge, maxUnavailable } };
    return this;
  }

  recreate(): this {
    this.strategy = { type: "Recreate" };
    return this;
  }

  paused(): this {
    this.isPaused = true;
    return this;
  }

  withProgressDeadline(seconds: number): this {
    this.progressDeadlineSeconds = seconds;
    return this;
  }

  keepingRevisions(limit: number): this {
    this.revisionHistoryLimit = limit;
    return this;
  }

  annotated(annotations: Record<string, string>): this {
    this.annotations = { ...this.annotations, ...annotations };
    return this;
  }

  withStatus(status: JsonObject): this {
    this.status = status;
    return this;
  }

  beingDeleted(): this {
    this.deleting = true;
    return this;
  }

  json(): JsonObject {
    const labels = { app: this.name };
    return {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: this.name,
        namespace: "default",
        uid: `uid-${this.name}`,
        generation: 1,
        annotations: { ...this.annotations },
        ...(this.deleting ? { deletionTimestamp: "2026-03-01T11:00:00.000Z" } : {}),
      },
      spec: {
        replicas: this.replicas,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "app", image: this.image }] } },
        strategy: this.strategy,
        minReadySeconds: 0,
        revisionHistoryLimit: this.revisionHistoryLimit,
        paused: this.isPaused,
        progressDeadlineSeconds: this.progressDeadlineSeconds,
      },
      ...(this.status ? { status: this.status } : {}),
    };
  }
}

export const aDeployment = (name = "web") => new DeploymentBuilder(name);

export interface ReplicaSetState {
  readonly revision: number;
  readonly replicas: number;
  /** Pods that exist (status.replicas); `replicas` unless said. */
  readonly current?: number;
  /** Ready and available pods; `current` unless said. */
  readonly available?: number;
  /** Its controller's uid; the deployment's unless said. */
  readonly ownerUid?: string;
}

/** The ReplicaSet of the deployment's template at a revision, with its pods as said. */
export function aReplicaSetOf(deployment: DeploymentBuilder | JsonObject, state: ReplicaSetState): JsonObject {
  const json = deployment instanceof DeploymentBuilder ? deployment.json() : deployment;
  const rs = newReplicaSet(json, Deployment.fromJSON(json), state.revision);
  const meta = rs["metadata"] as JsonObject & { ownerReferences: JsonObject[] };
  const current = state.current ?? state.replicas;
  const available = state.available ?? current;
  return {
    ...rs,
    metadata: { ...meta, uid: `uid-${String(meta["name"])}`, ownerReferences: meta.ownerReferences.map((r) => ({ ...r, uid: state.ownerUid ?? r["uid"] })) },
    spec: { ...(rs["spec"] as JsonObject), replicas: state.replicas },
    status: { replicas: current, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}
