/** Builders for plugin and framework tests: Kubernetes JSON in, PodInfo / NodeInfo out. */
import type { DeepPartial, NodeAffinity, PodAffinity, TopologySpreadConstraint } from "@capstan/api";
import { NodeInfo, nodeFactsFrom } from "../framework/node-info.js";
import { podInfoFrom, type PodInfo, type Taint, type Toleration } from "../framework/pod-info.js";

type Json = Record<string, unknown>;

export class PodBuilder {
  private readonly containers: Json[] = [];
  private readonly initContainers: Json[] = [];
  private readonly spec: Json = {};
  private readonly metadata: Json;

  constructor(name: string, namespace = "default") {
    this.metadata = { name, namespace, uid: `uid-${name}` };
  }

  /** Adds a container with these requests (`{cpu: "500m", memory: "1Gi"}`). */
  requests(requests: Record<string, string>, image = "busybox"): this {
    this.containers.push({ name: `c${this.containers.length}`, image, resources: { requests } });
    return this;
  }

  container(c: Json): this {
    this.containers.push({ name: `c${this.containers.length}`, ...c });
    return this;
  }

  initContainer(requests: Record<string, string>): this {
    this.initContainers.push({ name: `i${this.initContainers.length}`, image: "busybox", resources: { requests } });
    return this;
  }

  /** An init container with restartPolicy Always: it runs beside the later init containers and the containers. */
  sidecar(requests: Record<string, string>): this {
    this.initContainers.push({ name: `i${this.initContainers.length}`, image: "busybox", restartPolicy: "Always", resources: { requests } });
    return this;
  }

  image(image: string): this {
    return this.container({ image });
  }

  hostPort(port: number, protocol = "TCP", hostIP = ""): this {
    return this.container({ image: "busybox", ports: [{ containerPort: port, hostPort: port, protocol, ...(hostIP ? { hostIP } : {}) }] });
  }

  tolerating(...tolerations: Toleration[]): this {
    this.spec["tolerations"] = [...((this.spec["tolerations"] as Toleration[] | undefined) ?? []), ...tolerations];
    return this;
  }

  nodeSelector(selector: Record<string, string>): this {
    this.spec["nodeSelector"] = selector;
    return this;
  }

  nodeAffinity(affinity: DeepPartial<NodeAffinity>): this {
    this.spec["affinity"] = { ...(this.spec["affinity"] as Json | undefined), nodeAffinity: affinity };
    return this;
  }

  labels(labels: Record<string, string>): this {
    this.metadata["labels"] = { ...(this.metadata["labels"] as Record<string, string> | undefined), ...labels };
    return this;
  }

  namespace(namespace: string): this {
    this.metadata["namespace"] = namespace;
    return this;
  }

  terminating(): this {
    this.metadata["deletionTimestamp"] = "2026-01-01T00:00:00Z";
    return this;
  }

  spreadConstraint(c: DeepPartial<TopologySpreadConstraint>): this {
    this.spec["topologySpreadConstraints"] = [...((this.spec["topologySpreadConstraints"] as Json[] | undefined) ?? []), c];
    return this;
  }

  podAffinity(kind: "podAffinity" | "podAntiAffinity", affinity: DeepPartial<PodAffinity>): this {
    this.spec["affinity"] = { ...(this.spec["affinity"] as Json | undefined), [kind]: affinity };
    return this;
  }

  priority(priority: number, preemptionPolicy?: string): this {
    this.spec["priority"] = priority;
    if (preemptionPolicy) this.spec["preemptionPolicy"] = preemptionPolicy;
    return this;
  }

  nodeName(name: string): this {
    this.spec["nodeName"] = name;
    return this;
  }

  /** Adds a volume from this PersistentVolumeClaim. */
  /** spec.overhead: what the pod's sandbox uses on top of its containers. */
  overhead(overhead: Record<string, string>): this {
    this.spec["overhead"] = overhead;
    return this;
  }

  claim(claimName: string): this {
    const volumes = (this.spec["volumes"] as Json[] | undefined) ?? [];
    this.spec["volumes"] = [...volumes, { name: `v${volumes.length}`, persistentVolumeClaim: { claimName } }];
    return this;
  }

  json(): Json {
    return {
      metadata: this.metadata,
      spec: { ...this.spec, containers: this.containers.length ? this.containers : [{ name: "c", image: "busybox" }], initContainers: this.initContainers },
    };
  }

  build(): PodInfo {
    return podInfoFrom(this.json());
  }
}

export const aPod = (name = "p"): PodBuilder => new PodBuilder(name);

export class NodeBuilder {
  private readonly labelSet: Record<string, string> = {};
  private readonly taints: Taint[] = [];
  private alloc: Record<string, string> = { cpu: "2", memory: "4Gi", pods: "110", "ephemeral-storage": "10Gi" };
  private cordoned = false;
  private ready = true;
  private readonly images: { names: string[]; sizeBytes: number }[] = [];
  private readonly pods: PodInfo[] = [];

  constructor(private readonly name: string) {}

  allocatable(alloc: Record<string, string>): this {
    this.alloc = alloc;
    return this;
  }

  labels(labels: Record<string, string>): this {
    Object.assign(this.labelSet, labels);
    return this;
  }

  taint(key: string, value: string, effect: string): this {
    this.taints.push({ key, value, effect });
    return this;
  }

  unschedulable(): this {
    this.cordoned = true;
    return this;
  }

  notReady(): this {
    this.ready = false;
    return this;
  }

  image(sizeBytes: number, ...names: string[]): this {
    this.images.push({ names, sizeBytes });
    return this;
  }

  withPods(...pods: PodInfo[]): this {
    this.pods.push(...pods);
    return this;
  }

  json(): Json {
    return {
      metadata: { name: this.name, labels: this.labelSet },
      spec: { unschedulable: this.cordoned, taints: this.taints },
      status: {
        allocatable: this.alloc,
        conditions: [{ type: "Ready", status: this.ready ? "True" : "False" }],
        images: this.images,
      },
    };
  }

  build(): NodeInfo {
    const info = new NodeInfo(nodeFactsFrom(this.json()));
    for (const p of this.pods) info.addPod(p);
    return info;
  }
}

export const aNode = (name = "n"): NodeBuilder => new NodeBuilder(name);
