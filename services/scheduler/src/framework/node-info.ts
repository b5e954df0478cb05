/**
 * A node and what is placed on it (bound or assumed pods), aggregated the way the plugins ask for it:
 * requested resources, host ports in use, images present. The cache keeps one per node and updates it
 * incrementally, so a scheduling decision reads it without a round trip.
 */
import { tryParseQuantity } from "@capstan/apimachinery";
import { addResource, emptyResource, resourceFromList, type HostPort, type PodInfo, type Resource, type Taint } from "./pod-info.js";

type Json = Record<string, unknown>;

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

const record = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const array = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function nodeFactsFrom(node: Json): NodeFacts {
  const metadata = record(node["metadata"]) ?? {};
  const spec = record(node["spec"]) ?? {};
  const status = record(node["status"]) ?? {};
  const allocatableList = record(status["allocatable"]);
  const list = allocatableList && Object.keys(allocatableList).length > 0 ? allocatableList : record(status["capacity"]);
  const images = new Map<string, ImageState>();
  for (const image of array(status["images"])) {
    const sizeBytes = Number(record(image)?.["sizeBytes"] ?? 0);
    for (const name of array(record(image)?.["names"])) {
      if (typeof name === "string") images.set(normalizedImageName(name), { sizeBytes, numNodes: 0 });
    }
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(record(metadata["labels"]) ?? {})) if (typeof v === "string") labels[k] = v;
  return {
    name: String(metadata["name"] ?? ""),
    labels,
    unschedulable: spec["unschedulable"] === true,
    ready: array(status["conditions"]).some((c) => record(c)?.["type"] === "Ready" && record(c)?.["status"] === "True"),
    taints: array(spec["taints"]).map((t) => ({
      key: String(record(t)?.["key"] ?? ""),
      value: String(record(t)?.["value"] ?? ""),
      effect: String(record(t)?.["effect"] ?? ""),
    })),
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
