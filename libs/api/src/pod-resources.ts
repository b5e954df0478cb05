/**
 * What a pod asks of a node and what a node offers, in the units the scheduler counts: millicores,
 * bytes and pods. A container's request for a resource falls back to its limit, as Kubernetes defaults
 * it. Accepts typed messages or Kubernetes JSON alike.
 */
import { parseQuantity, tryParseQuantity } from "@capstan/apimachinery";
import type { Node, Pod } from "./gen/capstan/v1/core.js";
import { objectOf as record } from "./object-view.js";

export interface PodResources {
  readonly milliCpu: number;
  readonly memoryBytes: number;
}

export interface NodeResources {
  readonly milliCpu: number;
  readonly memoryBytes: number;
  readonly pods: number;
}

export type QOSClass = "Guaranteed" | "Burstable" | "BestEffort";

type ResourceList = Readonly<Record<string, string>>;
interface ContainerResources {
  readonly requests: ResourceList;
  readonly limits: ResourceList;
  /** An init container with restartPolicy Always (a sidecar). */
  readonly sidecar: boolean;
}

/** A resource map with its quantities as strings (Kubernetes JSON may hold `cpu: 2`). */
function resourceList(v: unknown): ResourceList {
  const out: Record<string, string> = {};
  for (const [k, q] of Object.entries(record(v) ?? {})) {
    if (typeof q === "string") out[k] = q;
    else if (typeof q === "number") out[k] = String(q);
  }
  return out;
}

function containerResources(pod: Pod | Record<string, unknown>, field: "containers" | "initContainers" = "containers"): ContainerResources[] {
  const containers = record(pod["spec"])?.[field];
  if (!Array.isArray(containers)) return [];
  return containers.map((c: unknown) => {
    const resources = record(record(c)?.["resources"]);
    return { requests: resourceList(resources?.["requests"]), limits: resourceList(resources?.["limits"]), sidecar: record(c)?.["restartPolicy"] === "Always" };
  });
}

function effectiveRequest(c: ContainerResources, name: string): string | undefined {
  return c.requests[name] ?? c.limits[name];
}

function containerRequest(c: ContainerResources): PodResources {
  const cpu = effectiveRequest(c, "cpu");
  const memory = effectiveRequest(c, "memory");
  return { milliCpu: cpu === undefined ? 0 : parseQuantity(cpu).milliValue(), memoryBytes: memory === undefined ? 0 : parseQuantity(memory).value() };
}

/** What the pod's sandbox itself uses (spec.overhead) added to what its containers use. */
function withOverhead(pod: Pod | Record<string, unknown>, r: PodResources): PodResources {
  const overhead = resourceList(record(pod["spec"])?.["overhead"]);
  return {
    milliCpu: r.milliCpu + (overhead["cpu"] === undefined ? 0 : parseQuantity(overhead["cpu"]).milliValue()),
    memoryBytes: r.memoryBytes + (overhead["memory"] === undefined ? 0 : parseQuantity(overhead["memory"]).value()),
  };
}

/**
 * The pod's cpu and memory request as Kubernetes computes it (computePodResourceRequest): the sum of
 * the containers', raised to the largest init container's (they run one at a time, before the
 * containers), plus spec.overhead. Sidecars keep running, so theirs add to the containers' and to
 * every later init container's (AggregateContainerRequests). Throws QuantityFormatError on an invalid quantity.
 */
export function podRequests(pod: Pod | Record<string, unknown>): PodResources {
  let milliCpu = 0;
  let memoryBytes = 0;
  for (const c of containerResources(pod)) {
    const r = containerRequest(c);
    milliCpu += r.milliCpu;
    memoryBytes += r.memoryBytes;
  }
  const sidecars = { milliCpu: 0, memoryBytes: 0 };
  const init = { milliCpu: 0, memoryBytes: 0 };
  for (const c of containerResources(pod, "initContainers")) {
    const r = containerRequest(c);
    if (c.sidecar) {
      sidecars.milliCpu += r.milliCpu;
      sidecars.memoryBytes += r.memoryBytes;
    }
    // While it runs: the sidecars started so far, and itself unless it is one of them.
    init.milliCpu = Math.max(init.milliCpu, sidecars.milliCpu + (c.sidecar ? 0 : r.milliCpu));
    init.memoryBytes = Math.max(init.memoryBytes, sidecars.memoryBytes + (c.sidecar ? 0 : r.memoryBytes));
  }
  milliCpu = Math.max(milliCpu + sidecars.milliCpu, init.milliCpu);
  memoryBytes = Math.max(memoryBytes + sidecars.memoryBytes, init.memoryBytes);
  return withOverhead(pod, { milliCpu, memoryBytes });
}

/**
 * The pod's cpu and memory limits as Kubernetes computes them for quota (PodLimits): the containers' sum,
 * raised to the largest init container's, plus spec.overhead. A container without a limit adds nothing.
 */
export function podLimits(pod: Pod | Record<string, unknown>): PodResources {
  const limit = (c: ContainerResources): PodResources => ({
    milliCpu: c.limits["cpu"] === undefined ? 0 : parseQuantity(c.limits["cpu"]).milliValue(),
    memoryBytes: c.limits["memory"] === undefined ? 0 : parseQuantity(c.limits["memory"]).value(),
  });
  let milliCpu = 0;
  let memoryBytes = 0;
  for (const c of containerResources(pod)) {
    const l = limit(c);
    milliCpu += l.milliCpu;
    memoryBytes += l.memoryBytes;
  }
  for (const c of containerResources(pod, "initContainers")) {
    const l = limit(c);
    milliCpu = Math.max(milliCpu, l.milliCpu);
    memoryBytes = Math.max(memoryBytes, l.memoryBytes);
  }
  return withOverhead(pod, { milliCpu, memoryBytes });
}

/** status.allocatable, or status.capacity when allocatable is not reported. */
export function nodeAllocatable(node: Node | Record<string, unknown>): NodeResources {
  const status = record(node["status"]);
  const allocatable = resourceList(status?.["allocatable"]);
  const list = Object.keys(allocatable).length > 0 ? allocatable : resourceList(status?.["capacity"]);
  const cpu = list["cpu"];
  const memory = list["memory"];
  const pods = list["pods"];
  return {
    milliCpu: cpu === undefined ? 0 : parseQuantity(cpu).milliValue(),
    memoryBytes: memory === undefined ? 0 : parseQuantity(memory).value(),
    pods: pods === undefined ? 0 : parseQuantity(pods).value(),
  };
}

const qosResources = ["cpu", "memory"] as const;

/**
 * The pod's quality-of-service class by Kubernetes' rules (GetPodQOS): BestEffort without any cpu or
 * memory request or limit; Guaranteed when every container limits both and requests equal limits;
 * Burstable otherwise. Invalid quantities are ignored here; validation reports them.
 */
export function podQOSClass(pod: Pod | Record<string, unknown>): QOSClass {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  const add = (sums: Map<string, number>, name: string, amount: number): void => {
    sums.set(name, (sums.get(name) ?? 0) + amount);
  };
  // cpu is compared in millicores, memory in bytes: exact for any realistic quantity.
  const amount = (name: string, q: string | undefined): number => {
    const parsed = q === undefined ? undefined : tryParseQuantity(q);
    if (!parsed || parsed.sign() <= 0) return 0;
    return name === "cpu" ? parsed.milliValue() : parsed.value();
  };
  for (const c of containerResources(pod)) {
    let limitsFound = 0;
    for (const name of qosResources) {
      const request = amount(name, effectiveRequest(c, name));
      const limit = amount(name, c.limits[name]);
      if (request > 0) add(requests, name, request);
      if (limit > 0) {
        add(limits, name, limit);
        limitsFound++;
      }
    }
    if (limitsFound < qosResources.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [name, request] of requests) if (limits.get(name) !== request) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}
