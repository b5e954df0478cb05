import { ObjectBuilder, type JsonObject } from "./object-builder.js";

/** The pod template a workload stamps its pods from: labels and containers ("app", nginx:1.27, unless added). */
abstract class WorkloadBuilder extends ObjectBuilder {
  protected templateLabels: Record<string, string>;
  private readonly containers: JsonObject[] = [];
  private image: string | undefined;
  private templateAnnotations: Record<string, string> | undefined;
  protected replicas = 3;
  protected status: JsonObject | undefined;

  constructor(kind: string, name: string, labels: Record<string, string>) {
    super(kind, name);
    this.templateLabels = labels;
    this.metadata["generation"] = 1;
  }

  withReplicas(replicas: number): this {
    this.replicas = replicas;
    return this;
  }

  /** The image of its template's first container. */
  withImage(image: string): this {
    this.image = image;
    return this;
  }

  /** A container of its template; the first one added replaces the default. */
  withContainer(name: string, image: string, fields: JsonObject = {}): this {
    this.containers.push({ name, image, ...fields });
    return this;
  }

  /** Its selector and its template's labels. */
  selecting(labels: Record<string, string>): this {
    this.templateLabels = { ...labels };
    return this;
  }

  templateAnnotated(annotations: Record<string, string>): this {
    this.templateAnnotations = { ...this.templateAnnotations, ...annotations };
    return this;
  }

  withStatus(status: JsonObject): this {
    this.status = status;
    return this;
  }

  /** The generation the gateway would have counted to (spec changes). */
  atGeneration(generation: number): this {
    this.metadata["generation"] = generation;
    return this;
  }

  protected template(): JsonObject {
    const [first, ...rest] = this.containers.length > 0 ? this.containers : [{ name: "app", image: "nginx:1.27" }];
    const containers = [this.image === undefined ? first! : { ...first!, image: this.image }, ...rest];
    return {
      metadata: { labels: { ...this.templateLabels }, ...(this.templateAnnotations ? { annotations: { ...this.templateAnnotations } } : {}) },
      spec: { containers },
    };
  }

  protected withStatusOf(body: JsonObject): JsonObject {
    return this.status ? { ...body, status: this.status } : body;
  }
}

/** A ReplicaSet (or ReplicationController): 3 replicas of app=web unless said. */
export class ReplicaSetBuilder extends WorkloadBuilder {
  private minReadySeconds = 0;

  withMinReadySeconds(seconds: number): this {
    this.minReadySeconds = seconds;
    return this;
  }

  /** The Deployment revision it stands for (its deployment.kubernetes.io/revision). */
  atRevision(revision: number): this {
    return this.annotated({ "deployment.kubernetes.io/revision": String(revision) });
  }

  protected body(): JsonObject {
    const selector = this.kind === "ReplicationController" ? { ...this.templateLabels } : { matchLabels: { ...this.templateLabels } };
    return this.withStatusOf({ spec: { replicas: this.replicas, minReadySeconds: this.minReadySeconds, selector, template: this.template() } });
  }
}

/** A Deployment: 3 replicas labelled app=<name>, rolling updates of maxSurge 1 and maxUnavailable 1, its other fields at their defaults. */
export class DeploymentBuilder extends WorkloadBuilder {
  private strategy: JsonObject = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } };
  private isPaused = false;
  private progressDeadlineSeconds = 600;
  private revisionHistoryLimit = 10;

  constructor(name: string) {
    super("Deployment", name, { app: name });
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

  protected body(): JsonObject {
    return this.withStatusOf({
      spec: {
        replicas: this.replicas,
        selector: { matchLabels: { ...this.templateLabels } },
        template: this.template(),
        strategy: this.strategy,
        minReadySeconds: 0,
        revisionHistoryLimit: this.revisionHistoryLimit,
        paused: this.isPaused,
        progressDeadlineSeconds: this.progressDeadlineSeconds,
      },
    });
  }
}

export function aReplicaSet(name = "web"): ReplicaSetBuilder {
  return new ReplicaSetBuilder("ReplicaSet", name, { app: "web" });
}

export function aReplicationController(name = "web"): ReplicaSetBuilder {
  return new ReplicaSetBuilder("ReplicationController", name, { app: "web" });
}

export function aDeployment(name = "web"): DeploymentBuilder {
  return new DeploymentBuilder(name);
}
