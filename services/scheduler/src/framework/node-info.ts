/**
 * A node and what is placed on it (bound or assumed pods), aggregated the way the plugins ask for it:
 * requested resources, host ports in use, images present. The cache keeps one per node and updates it
 * incrementally, so a scheduling decision reads it without a round trip.
 */
import { nodeView, stringOf, type JsonObject } from "@capstan/api";
import { tryParseQuantity } from "@capstan/apimachinery";
import { addResource, emptyResource, resourceFromList, type HostPort, type PodInfo, type Resource, type Taint } from "./pod-info.js";

export interface ImageState {
  readonly sizeBytes: number;
  /** How many nodes in the snapshot have the image; filled in when a snapshot is taken. */
  numNodes: number;
}

export interface NodeFacts {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly unschedulable: boolean;
  readonly ready: boolean;
  readonly taints: readonly Taint[];
  readonly allocatable: Resource;
  readonly allowedPodNumber: number;
  /** Normalized image name (`docker.io/library/nginx:1.25`) to what the node reports of it. */
  readonly images: ReadonlyMap<string, ImageState>;
}

export function nodeFactsFrom(node: JsonObject): NodeFacts {
  const view = nodeView(node);
  const allocatableList = view.allocatable;
  const list = allocatableList && Object.keys(allocatableList).length > 0 ? allocatableList : view.capacity;
  const images = new Map<string, ImageState>();
  for (const image of view.images) {
    const sizeBytes = Number(image.sizeBytes ?? 0);
    for (const name of image.names ?? []) {
      if (typeof name === "string") images.set(normalizedImageName(name), { sizeBytes, numNodes: 0 });
    }
  }
  return {
    name: view.metadata.name,
    labels: view.metadata.labels,
    unschedulable: view.unschedulable,
    ready: view.conditions.some((c) => c.type === "Ready" && c.status === "True"),
    taints: view.taints.map((t) => ({ key: stringOf(t.key), value: stringOf(t.value), effect: stringOf(t.effect) })),
    allocatable: resourceFromList(list),
    allowedPodNumber: tryParseQuantity(String(list?.["pods"] ?? "0"))?.value() ?? 0,
    images,
  };
}

/** As kube-scheduler's ImageLocality: an image without a tag or digest means `:latest`. */
export function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf("/");
  if (name.includes("@") || name.lastIndexOf(":") > lastSlash) return name;
  return `${name}:latest`;
}

export class NodeInfo {
  readonly pods = new Map<string, PodInfo>();
  /** Sum of the pods' requests. */
  readonly requested: Resource = emptyResource();
  /** Sum with 100m / 200Mi for each container that requests nothing; what the scores use. */
  readonly nonZeroRequested = { milliCpu: 0, memory: 0 };
  readonly usedPorts: HostPort[] = [];
  /** Pods with any pod (anti-)affinity: only their terms can select an incoming pod. */
  readonly podsWithAffinity = new Map<string, PodInfo>();

  constructor(public node: NodeFacts) {}

  get name(): string {
    return this.node.name;
  }

  /** A copy to add pods to in a what-if (kube-scheduler's NodeInfo.Snapshot); the PodInfos are shared. */
  clone(): NodeInfo {
    const copy = new NodeInfo(this.node);
    for (const p of this.pods.values()) copy.addPod(p);
    return copy;
  }

  addPod(pod: PodInfo): void {
    if (this.pods.has(pod.key)) this.removePod(pod.key);
    this.pods.set(pod.key, pod);
    addResource(this.requested, pod.requests);
    this.nonZeroRequested.milliCpu += pod.nonZeroRequests.milliCpu;
    this.nonZeroRequested.memory += pod.nonZeroRequests.memory;
    this.usedPorts.push(...pod.hostPorts);
    if (pod.podAffinity || pod.podAntiAffinity) this.podsWithAffinity.set(pod.key, pod);
  }

  removePod(key: string): void {
    const pod = this.pods.get(key);
    if (!pod) return;
    this.pods.delete(key);
    this.podsWithAffinity.delete(key);
    addResource(this.requested, pod.requests, -1);
    this.nonZeroRequested.milliCpu -= pod.nonZeroRequests.milliCpu;
    this.nonZeroRequested.memory -= pod.nonZeroRequests.memory;
    for (const p of pod.hostPorts) {
      const i = this.usedPorts.indexOf(p);
      if (i >= 0) this.usedPorts.splice(i, 1);
    }
  }
}
