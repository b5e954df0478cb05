/**
 * Cluster IPs and node ports for Services, allocated inside the group commit that writes the Service.
 *
 * The allocation record is one object per range, as Kubernetes' RangeAllocation (one bitmap per range
 * in one etcd key): `RangeAllocation/serviceips` and `RangeAllocation/servicenodeports`, cluster-scoped,
 * internal (no kind in the registry serves them), each mapping an allocated IP or port to the Service
 * that holds it. Every Service write reads both in its own snapshot and, when its addresses change,
 * writes them as related writes of the same mutation, so the Service and its allocation commit together
 * or not at all. One record per range rather than one object per IP or port because the decision must
 * see which addresses are free to pick one: a mutation names the keys it reads before it runs, so with
 * an object per address it could only guess. Two creates in one batch serialize on the record (the
 * second sees the first's allocation), so they can never get the same address. The price is that the
 * record grows with the number of Services and every allocating write rewrites it.
 */
import { InvalidError, type Decide, type Decision, type FieldError, type JsonObject, type ObjectKey, type ObjectRecord, type ReadRecord, type RelatedWrite } from "@capstan/apimachinery";
import { objectOf, specOf, statusOf } from "../../object-view.js";
import { CLUSTER_DNS_OFFSET, DEFAULT_SERVICE_CIDR, formatIPv4, parseCIDR, parseIPv4 } from "../../service-cidr.js";

/** A headless service's clusterIP. */
export const CLUSTER_IP_NONE = "None";

export const DEFAULT_NODE_PORT_RANGE = "30000-32767";
/** What a LoadBalancer service's status.loadBalancer.ingress holds: the node's address in the local stack. */
export const DEFAULT_LOAD_BALANCER_ADDRESS = "127.0.0.1";

export const SERVICE_IPS_KEY: ObjectKey = { kind: "RangeAllocation", namespace: "", name: "serviceips" };
export const NODE_PORTS_KEY: ObjectKey = { kind: "RangeAllocation", namespace: "", name: "servicenodeports" };
/** The keys every Service write reads, in the same snapshot as the Service. */
export const ALLOCATION_KEYS: readonly ObjectKey[] = [SERVICE_IPS_KEY, NODE_PORTS_KEY];

/** The Service that may hold the first usable address of the range (the API's, as in Kubernetes). */
const API_SERVICE = "default/kubernetes";

export interface ServiceAllocationConfig {
  /** IPv4 CIDR cluster IPs come from (CAPSTAN_SERVICE_CIDR). */
  readonly serviceCIDR: string;
  /** "min-max", inclusive (CAPSTAN_NODE_PORT_RANGE). */
  readonly nodePortRange: string;
  readonly loadBalancerAddress: string;
}

export interface ServiceAllocator {
  readonly serviceCIDR: string;
  /** The network address as a 32-bit number, and how many addresses the CIDR holds. */
  readonly ipBase: number;
  readonly ipCount: number;
  readonly nodePortMin: number;
  readonly nodePortMax: number;
  readonly loadBalancerAddress: string;
}

export function createServiceAllocator(config: Partial<ServiceAllocationConfig> = {}): ServiceAllocator {
  const serviceCIDR = config.serviceCIDR ?? DEFAULT_SERVICE_CIDR;
  const { base, count } = parseCIDR(serviceCIDR);
  const [nodePortMin, nodePortMax] = parsePortRange(config.nodePortRange ?? DEFAULT_NODE_PORT_RANGE);
  return { serviceCIDR, ipBase: base, ipCount: count, nodePortMin, nodePortMax, loadBalancerAddress: config.loadBalancerAddress ?? DEFAULT_LOAD_BALANCER_ADDRESS };
}

export function parsePortRange(range: string): [number, number] {
  const m = /^([0-9]{1,5})-([0-9]{1,5})$/.exec(range.trim());
  const min = Number(m?.[1]);
  const max = Number(m?.[2]);
  if (!m || min < 1 || max > 65535 || min > max) throw new Error(`node port range ${JSON.stringify(range)}: must be "min-max" within 1-65535`);
  return [min, max];
}

type Allocations = Record<string, string>;

function allocationsOf(record: ObjectRecord | undefined): Allocations {
  return { ...((record?.object["allocations"] ?? {}) as Allocations) };
}


interface ServicePortJson extends JsonObject {
  name?: string;
  port?: number;
  protocol?: string;
  nodePort?: number;
}

function portsOf(o: JsonObject): ServicePortJson[] {
  return (specOf(o)["ports"] as ServicePortJson[] | undefined) ?? [];
}

function hasClusterIP(o: JsonObject): boolean {
  return specOf(o)["type"] !== "ExternalName" && specOf(o)["clusterIP"] !== CLUSTER_IP_NONE;
}

function hasNodePorts(o: JsonObject): boolean {
  const type = specOf(o)["type"];
  return type === "NodePort" || type === "LoadBalancer";
}

/**
 * An update as Kubernetes reads it (patchAllocatedValues): a clusterIP or nodePort left out keeps the
 * one allocated; a clusterIP may not change while the service keeps one (ExternalName and back
 * allocates anew).
 */
export function serviceUpdateRequest(key: ObjectKey, before: JsonObject, requested: JsonObject): { object: JsonObject } | { error: Error } {
  const was = specOf(before);
  const asked = { ...specOf(requested) };
  if (hasClusterIP(before) && specOf(requested)["type"] !== "ExternalName") {
    if (!asked["clusterIP"]) {
      asked["clusterIP"] = was["clusterIP"];
      if (was["clusterIPs"] !== undefined) asked["clusterIPs"] = was["clusterIPs"];
    } else if (asked["clusterIP"] !== was["clusterIP"]) {
      return { error: new InvalidError(`Service "${key.name}"`, [immutable("spec.clusterIP", asked["clusterIP"])]) };
    }
    // What the allocation filled in stays, so an apply that leaves it out does not change the spec.
    for (const filled of ["ipFamilies", "ipFamilyPolicy"]) if (asked[filled] === undefined && was[filled] !== undefined) asked[filled] = was[filled];
  } else if (was["clusterIP"] === CLUSTER_IP_NONE && asked["clusterIP"] !== CLUSTER_IP_NONE && specOf(requested)["type"] !== "ExternalName") {
    return { error: new InvalidError(`Service "${key.name}"`, [immutable("spec.clusterIP", asked["clusterIP"] ?? "")]) };
  }
  if (hasNodePorts(before) && hasNodePorts(requested)) {
    const old = portsOf(before);
    asked["ports"] = portsOf(requested).map((p) => {
      if (p.nodePort) return p;
      const match = old.find((o) => (p.name ? o.name === p.name : o.port === p.port && o.protocol === p.protocol));
      return match?.nodePort ? { ...p, nodePort: match.nodePort } : p;
    });
  }
  return { object: { ...requested, spec: asked } };
}

function immutable(path: string, value: unknown): FieldError {
  return { path, message: `Invalid value ${JSON.stringify(value)}: field is immutable` };
}

/**
 * Wraps a Service decision: after it, the Service's cluster IP and node ports are allocated (free ones
 * picked, requested ones checked), those it no longer holds are released (all of them when it is
 * deleted), and a LoadBalancer's status names the load balancer address. The allocation records
 * change in the same mutation. `recordUid` names a record this write creates.
 */
export function withServiceAllocations(key: ObjectKey, allocator: ServiceAllocator, recordUid: string, decide: Decide): Decide {
  return (current: ObjectRecord | undefined, read: ReadRecord): Decision => {
    const decided = decide(current, read);
    if ("error" in decided) return decided;
    const owner = `${key.namespace}/${key.name}`;
    const ipRecord = read(SERVICE_IPS_KEY);
    const portRecord = read(NODE_PORTS_KEY);
    const ips = allocationsOf(ipRecord);
    const ports = allocationsOf(portRecord);
    const errors: FieldError[] = [];
    let object = decided.object;
    if (decided.type === "DELETED") {
      release(ips, owner, new Set());
      release(ports, owner, new Set());
    } else {
      object = allocate(object, owner, allocator, ips, ports, errors);
    }
    if (errors.length > 0) return { error: new InvalidError(`Service "${key.name}"`, errors) };
    const related: RelatedWrite[] = [...(decided.related ?? [])];
    const ipWrite = recordWrite(SERVICE_IPS_KEY, ipRecord, ips, allocator.serviceCIDR, recordUid);
    if (ipWrite) related.push(ipWrite);
    const portWrite = recordWrite(NODE_PORTS_KEY, portRecord, ports, `${allocator.nodePortMin}-${allocator.nodePortMax}`, recordUid);
    if (portWrite) related.push(portWrite);
    return related.length > 0 ? { type: decided.type, object, related } : { type: decided.type, object };
  };
}

function release(allocations: Allocations, owner: string, keep: ReadonlySet<string>): void {
  for (const [k, holder] of Object.entries(allocations)) if (holder === owner && !keep.has(k)) delete allocations[k];
}

function allocate(object: JsonObject, owner: string, allocator: ServiceAllocator, ips: Allocations, ports: Allocations, errors: FieldError[]): JsonObject {
  const s = { ...specOf(object) };
  const keptIPs = new Set<string>();
  const families = (s["ipFamilies"] ?? []) as string[];
  families.forEach((f, i) => {
    if (f !== "IPv4") errors.push({ path: `spec.ipFamilies[${i}]`, message: `Unsupported value ${JSON.stringify(f)}: supported values: "IPv4"` });
  });
  if (s["ipFamilyPolicy"] === "RequireDualStack") {
    errors.push({ path: "spec.ipFamilyPolicy", message: 'Invalid value "RequireDualStack": this cluster is not configured for dual-stack services' });
  }
  if (hasClusterIP(object)) {
    const ip = allocateClusterIP(String(s["clusterIP"] ?? ""), owner, allocator, ips, errors);
    if (ip !== undefined) {
      keptIPs.add(ip);
      ips[ip] = owner;
      s["clusterIP"] = ip;
      s["clusterIPs"] = [ip];
      s["ipFamilies"] ??= ["IPv4"];
      s["ipFamilyPolicy"] ??= "SingleStack";
    }
  }
  release(ips, owner, keptIPs);

  const keptPorts = new Set<string>();
  if (hasNodePorts(object)) {
    const list = portsOf(object).map((p) => ({ ...p }));
    // Requested ports first, so a port picked for another entry never takes one asked for.
    list.forEach((p, i) => {
      if (!p.nodePort) return;
      const path = `spec.ports[${i}].nodePort`;
      const held = ports[String(p.nodePort)];
      if (p.nodePort < allocator.nodePortMin || p.nodePort > allocator.nodePortMax) {
        errors.push({ path, message: `Invalid value ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${allocator.nodePortMin}-${allocator.nodePortMax}` });
      } else if (held !== undefined && held !== owner) {
        errors.push({ path, message: `Invalid value ${p.nodePort}: provided port is already allocated` });
      } else {
        keptPorts.add(String(p.nodePort));
      }
    });
    list.forEach((p, i) => {
      if (p.nodePort) return;
      // Another protocol on the same port number shares its node port, as Kubernetes allows.
      const sibling = list.find((o) => o !== p && o.port === p.port && o.nodePort && keptPorts.has(String(o.nodePort)));
      const port = sibling?.nodePort ?? firstFreePort(allocator, ports, keptPorts);
      if (port === undefined) {
        errors.push({ path: `spec.ports[${i}].nodePort`, message: "Internal error: failed to allocate a nodePort: range is full" });
        return;
      }
      p.nodePort = port;
      keptPorts.add(String(port));
    });
    for (const k of keptPorts) ports[k] = owner;
    s["ports"] = list;
  }
  release(ports, owner, keptPorts);

  const out: JsonObject = { ...object, spec: s };
  const status = { ...statusOf(object) };
  if (s["type"] === "LoadBalancer") {
    const lb = objectOf(status["loadBalancer"]) ?? {};
    if (!Array.isArray(lb["ingress"]) || lb["ingress"].length === 0) status["loadBalancer"] = { ingress: [{ ip: allocator.loadBalancerAddress }] };
  } else {
    delete status["loadBalancer"];
  }
  if (Object.keys(status).length > 0) out["status"] = status;
  else delete out["status"];
  return out;
}

function allocateClusterIP(requested: string, owner: string, allocator: ServiceAllocator, ips: Allocations, errors: FieldError[]): string | undefined {
  const path = "spec.clusterIP";
  if (requested === "") {
    const ip = firstFreeIP(allocator, ips);
    if (ip === undefined) errors.push({ path, message: "Internal error: failed to allocate a serviceIP: range is full" });
    return ip;
  }
  if (ips[requested] === owner) return requested;
  const n = parseIPv4(requested);
  const offset = n === undefined ? -1 : n - allocator.ipBase;
  if (offset <= 0 || offset >= allocator.ipCount - 1) {
    errors.push({ path, message: `Invalid value ${JSON.stringify(requested)}: provided IP is not in the valid range. The range of valid IPs is ${allocator.serviceCIDR}` });
    return undefined;
  }
  if (ips[requested] !== undefined || (offset === 1 && owner !== API_SERVICE)) {
    errors.push({ path, message: `Invalid value ${JSON.stringify(requested)}: provided IP is already allocated` });
    return undefined;
  }
  return requested;
}

/**
 * The lowest free address, after the network address and the first usable one (the API's); never the
 * broadcast address, nor the cluster DNS address, which kube-dns asks for by address and may start late.
 */
function firstFreeIP(allocator: ServiceAllocator, ips: Allocations): string | undefined {
  for (let offset = 2; offset < allocator.ipCount - 1; offset++) {
    if (offset === CLUSTER_DNS_OFFSET) continue;
    const ip = formatIPv4(allocator.ipBase + offset);
    if (ips[ip] === undefined) return ip;
  }
  return undefined;
}

function firstFreePort(allocator: ServiceAllocator, ports: Allocations, taken: ReadonlySet<string>): number | undefined {
  for (let port = allocator.nodePortMin; port <= allocator.nodePortMax; port++) {
    if (ports[String(port)] === undefined && !taken.has(String(port))) return port;
  }
  return undefined;
}

/** The record's new state when its allocations changed; undefined when they did not. */
function recordWrite(key: ObjectKey, record: ObjectRecord | undefined, allocations: Allocations, range: string, uid: string): RelatedWrite | undefined {
  const before = allocationsOf(record);
  const same = Object.keys(before).length === Object.keys(allocations).length && Object.entries(allocations).every(([k, v]) => before[k] === v);
  if (same) return undefined;
  const { resourceVersion: _rv, ...metadata } = objectOf(record?.object["metadata"]) ?? { name: key.name, uid };
  return {
    key,
    type: record ? "MODIFIED" : "ADDED",
    object: { apiVersion: "v1", kind: "RangeAllocation", metadata, range, allocations },
  };
}
