/**
 * A pod as the plugins see it: parsed once from its JSON when it enters a scheduling attempt or the
 * cache, so no plugin walks the object in a hot loop. Affinity and topology spread constraints are the
 * API's generated messages, decoded only when the pod has them.
 */
import {
  Affinity,
  TopologySpreadConstraint,
  objectOf,
  podView,
  stringOf,
  type ContainerJson,
  type JsonObject,
  type NodeAffinity,
  type PodAffinity,
  type PodAntiAffinity,
} from "@capstan/api";
import { tryParseQuantity } from "@capstan/apimachinery";

export type { NodeAffinity, NodeSelectorRequirement, NodeSelectorTerm, PodAffinityTerm, TopologySpreadConstraint, WeightedPodAffinityTerm } from "@capstan/api";

/** Amounts in the units kube-scheduler counts: millicores for cpu, bytes or plain counts otherwise. */
export interface Resource {
  milliCpu: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and hugepages resources by name (`example.com/gpu`, `hugepages-2Mi`). */
  scalar: Map<string, number>;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: string;
}

export interface HostPort {
  readonly hostIP: string;
  readonly protocol: string;
  readonly port: number;
}

export interface PodInfo {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeName: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly Toleration[];
  readonly nodeAffinity: NodeAffinity | undefined;
  readonly podAffinity: PodAffinity | undefined;
  readonly podAntiAffinity: PodAntiAffinity | undefined;
  readonly topologySpreadConstraints: readonly TopologySpreadConstraint[];
  /** spec.priority (0 when unset), and when the pod was created: the queue's order. */
  readonly priority: number;
  /** spec.preemptionPolicy: "Never" keeps the pod from preempting others. */
  readonly preemptionPolicy: string;
  readonly creationTimestamp: string;
  /** metadata.deletionTimestamp is set: spreading and affinity no longer count it. */
  readonly terminating: boolean;
  /** status.nominatedNodeName: where preemption made room for it (read back after a restart). */
  readonly nominatedNodeName: string;
  /** What the pod needs: max(sum of containers and sidecars, largest init container with the sidecars before it) + overhead. */
  readonly requests: Resource;
  /** As requests, but a container without a cpu or memory request counts 100m / 200Mi (for scoring). */
  readonly nonZeroRequests: { readonly milliCpu: number; readonly memory: number };
  readonly hostPorts: readonly HostPort[];
  /** Images of init and regular containers, in order. */
  readonly images: readonly string[];
  readonly object: JsonObject;
}

/** kube-scheduler's defaults for a container that requests nothing, so empty pods still spread. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const emptyResource = (): Resource => ({ milliCpu: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() });

/** One resource list (`{cpu: "500m", memory: "1Gi"}`) in scheduler units; invalid quantities count 0. */
export function resourceFromList(list: unknown): Resource {
  const r = emptyResource();
  for (const [name, q] of Object.entries(objectOf(list) ?? {})) {
    const parsed = typeof q === "string" || typeof q === "number" ? tryParseQuantity(String(q)) : undefined;
    if (!parsed) continue;
    if (name === "cpu") r.milliCpu = parsed.milliValue();
    else if (name === "memory") r.memory = parsed.value();
    else if (name === "ephemeral-storage") r.ephemeralStorage = parsed.value();
    else if (name !== "pods") r.scalar.set(name, parsed.value());
  }
  return r;
}

export function addResource(into: Resource, r: Resource, sign = 1): void {
  into.milliCpu += sign * r.milliCpu;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [name, v] of r.scalar) into.scalar.set(name, (into.scalar.get(name) ?? 0) + sign * v);
}

function maxResource(into: Resource, r: Resource): void {
  into.milliCpu = Math.max(into.milliCpu, r.milliCpu);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [name, v] of r.scalar) into.scalar.set(name, Math.max(into.scalar.get(name) ?? 0, v));
}

/** A container's requests, each falling back to its limit as the API server defaults it. */
function containerRequests(c: ContainerJson): { list: JsonObject; resource: Resource } {
  const list = { ...objectOf(c.resources?.limits), ...objectOf(c.resources?.requests) };
  return { list, resource: resourceFromList(list) };
}

export function podInfoFrom(pod: JsonObject): PodInfo {
  const view = podView(pod);
  const metadata = view.metadata;
  const containers = view.containers;
  const initContainers = view.initContainers;

  const requests = emptyResource();
  const nonZeroRequests = { milliCpu: 0, memory: 0 };
  for (const c of containers) {
    const { list, resource } = containerRequests(c);
    addResource(requests, resource);
    nonZeroRequests.milliCpu += "cpu" in list ? resource.milliCpu : DEFAULT_MILLI_CPU_REQUEST;
    nonZeroRequests.memory += "memory" in list ? resource.memory : DEFAULT_MEMORY_REQUEST;
  }
  // Sidecars (restartPolicy Always) keep running beside the later init containers and the containers (AggregateContainerRequests).
  const sidecars = emptyResource();
  const sidecarsNonZero = { milliCpu: 0, memory: 0 };
  const init = emptyResource();
  const initNonZero = { milliCpu: 0, memory: 0 };
  for (const c of initContainers) {
    const { list, resource } = containerRequests(c);
    const nonZero = { milliCpu: "cpu" in list ? resource.milliCpu : DEFAULT_MILLI_CPU_REQUEST, memory: "memory" in list ? resource.memory : DEFAULT_MEMORY_REQUEST };
    const sidecar = c.restartPolicy === "Always";
    if (sidecar) {
      addResource(sidecars, resource);
      sidecarsNonZero.milliCpu += nonZero.milliCpu;
      sidecarsNonZero.memory += nonZero.memory;
    }
    const running = emptyResource();
    addResource(running, sidecars);
    if (!sidecar) addResource(running, resource);
    maxResource(init, running);
    initNonZero.milliCpu = Math.max(initNonZero.milliCpu, sidecarsNonZero.milliCpu + (sidecar ? 0 : nonZero.milliCpu));
    initNonZero.memory = Math.max(initNonZero.memory, sidecarsNonZero.memory + (sidecar ? 0 : nonZero.memory));
  }
  addResource(requests, sidecars);
  maxResource(requests, init);
  nonZeroRequests.milliCpu = Math.max(nonZeroRequests.milliCpu + sidecarsNonZero.milliCpu, initNonZero.milliCpu);
  nonZeroRequests.memory = Math.max(nonZeroRequests.memory + sidecarsNonZero.memory, initNonZero.memory);
  const overhead = resourceFromList(view.overhead);
  addResource(requests, overhead);
  nonZeroRequests.milliCpu += overhead.milliCpu;
  nonZeroRequests.memory += overhead.memory;

  const hostPorts: HostPort[] = [];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      const port = Number(p.hostPort ?? 0);
      if (port > 0) {
        hostPorts.push({ hostIP: stringOf(p.hostIP) || "0.0.0.0", protocol: stringOf(p.protocol) || "TCP", port });
      }
    }
  }

  const affinity = view.affinity ? Affinity.fromJSON(view.affinity) : undefined;
  const namespace = metadata.namespace;
  const name = metadata.name;
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    uid: metadata.uid,
    labels: metadata.labels,
    nodeName: view.nodeName,
    nodeSelector: view.nodeSelector,
    tolerations: view.tolerations,
    nodeAffinity: affinity?.nodeAffinity,
    podAffinity: affinity?.podAffinity,
    podAntiAffinity: affinity?.podAntiAffinity,
    topologySpreadConstraints: view.topologySpreadConstraints.map((c) => TopologySpreadConstraint.fromJSON(c)),
    terminating: metadata.deletionTimestamp !== undefined,
    nominatedNodeName: view.nominatedNodeName,
    priority: view.priority,
    preemptionPolicy: view.preemptionPolicy || "PreemptLowerPriority",
    creationTimestamp: metadata.creationTimestamp,
    requests,
    nonZeroRequests,
    hostPorts,
    images: [...initContainers, ...containers].map((c) => stringOf(c.image)),
    object: pod,
  };
}
