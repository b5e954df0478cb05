/**
 * The discovery.k8s.io/v1 EndpointSlices of a Service with a selector, after Kubernetes' EndpointSlice
 * reconciler: endpoints that serve the same ports share slices of at most `maxEndpointsPerSlice`; an
 * endpoint stays in the slice that already holds it, new ones fill slices with room before a slice is
 * created, so one pod's change rewrites one slice. A Service without endpoints keeps one empty slice.
 */
import { CLUSTER_IP_NONE, LABEL_SERVICE_NAME, type Endpoint, type EndpointSlice, type EndpointSlicePort, type OwnerReference, type Pod, type Service } from "@capstan/api";
import { endpointHostname, endpointPorts, isPodReady, isPodTerminating, podReference, portsKey, shouldPodBeInEndpoints } from "./pod-endpoints.js";

export const LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
export const ENDPOINT_SLICE_CONTROLLER = "endpointslice-controller.k8s.io";
export const LABEL_HEADLESS = "service.kubernetes.io/headless";
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** What to write so the Service's slices are what they should be; `update` holds whole new slices. */
export interface SlicePlan {
  readonly create: EndpointSlice[];
  readonly update: EndpointSlice[];
  readonly delete: EndpointSlice[];
}

interface PortGroup {
  readonly ports: EndpointSlicePort[];
  /** By address, in pod order; an endpoint leaves when it is placed in a slice. */
  readonly unplaced: Map<string, Endpoint>;
}

interface Placement {
  readonly existing: EndpointSlice | undefined;
  readonly ports: EndpointSlicePort[];
  readonly endpoints: Endpoint[];
}

export function planEndpointSlices(
  service: Service,
  pods: readonly Pod[],
  existing: readonly EndpointSlice[],
  maxEndpointsPerSlice = MAX_ENDPOINTS_PER_SLICE,
): SlicePlan {
  const groups = desiredEndpointsByPorts(service, pods);
  // No endpoints: an existing portless slice is the placeholder to keep.
  if (groups.size === 0) groups.set("", { ports: [], unplaced: new Map() });
  const ownerUid = service.metadata?.uid;
  const slices = [...existing].sort((a, b) => compareNames(a.metadata?.name ?? "", b.metadata?.name ?? ""));
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const placements: Placement[] = [];

  for (const slice of slices) {
    const group = groups.get(portsKey(slice.ports));
    // Slices of an earlier Service of the same name, or of ports no endpoint serves now, go.
    if (!isOwnedBy(slice, ownerUid) || group === undefined) {
      plan.delete.push(slice);
      continue;
    }
    const kept: Endpoint[] = [];
    for (const endpoint of slice.endpoints) {
      const address = endpoint.addresses[0] ?? "";
      const desired = group.unplaced.get(address);
      if (desired === undefined) continue;
      kept.push(desired);
      group.unplaced.delete(address);
    }
    placements.push({ existing: slice, ports: group.ports, endpoints: kept });
  }

  for (const group of groups.values()) {
    const key = portsKey(group.ports);
    const remaining = [...group.unplaced.values()];
    for (const placement of placements) {
      if (remaining.length === 0) break;
      if (portsKey(placement.ports) !== key) continue;
      const room = maxEndpointsPerSlice - placement.endpoints.length;
      if (room > 0) placement.endpoints.push(...remaining.splice(0, room));
    }
    while (remaining.length > 0) placements.push({ existing: undefined, ports: group.ports, endpoints: remaining.splice(0, maxEndpointsPerSlice) });
  }

  const hasEndpoints = placements.some((p) => p.endpoints.length > 0);
  let placeholderKept = false;
  for (const placement of placements) {
    if (placement.endpoints.length === 0) {
      // The first existing empty slice stays as the placeholder of a Service without endpoints.
      if (hasEndpoints || placeholderKept || placement.existing === undefined) {
        if (placement.existing) plan.delete.push(placement.existing);
        continue;
      }
      placeholderKept = true;
    }
    const slice = sliceFor(service, placement, placement.existing);
    if (placement.existing === undefined) plan.create.push(slice);
    else if (!sameSlice(placement.existing, slice)) plan.update.push(slice);
  }
  if (!hasEndpoints && !placeholderKept) plan.create.push(sliceFor(service, { existing: undefined, ports: [], endpoints: [] }, undefined));
  return plan;
}

/** podToEndpoint: ready = serving and not terminating (or published regardless); terminating pods stay, not ready. */
function desiredEndpointsByPorts(service: Service, pods: readonly Pod[]): Map<string, PortGroup> {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, PortGroup>();
  for (const pod of [...pods].sort((a, b) => compareNames(a.metadata?.name ?? "", b.metadata?.name ?? ""))) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports: EndpointSlicePort[] = endpointPorts(service, pod).map((p) => ({ ...p }));
    const key = portsKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, unplaced: new Map() }));
    const serving = isPodReady(pod);
    const terminating = isPodTerminating(pod);
    const hostname = endpointHostname(pod, service);
    const address = pod.status!.podIp;
    group.unplaced.set(address, {
      addresses: [address],
      conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
      ...(hostname !== undefined ? { hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: podReference(pod),
    });
  }
  return groups;
}

/** The slice as the controller writes it: the Service's labels and ours, owned by the Service. */
function sliceFor(service: Service, placement: Placement, existing: EndpointSlice | undefined): EndpointSlice {
  const meta = service.metadata!;
  const labels: Record<string, string> = { ...meta.labels, [LABEL_SERVICE_NAME]: meta.name, [LABEL_MANAGED_BY]: ENDPOINT_SLICE_CONTROLLER };
  if (service.spec?.clusterIp === CLUSTER_IP_NONE) labels[LABEL_HEADLESS] = "";
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      ...(existing?.metadata ?? emptyMeta()),
      ...(existing ? {} : { generateName: `${meta.name.slice(0, 57)}-` }),
      namespace: meta.namespace,
      labels,
      ownerReferences: [serviceOwnerReference(service)],
    },
    addressType: "IPv4",
    endpoints: placement.endpoints,
    ports: placement.ports,
  };
}

export function serviceOwnerReference(service: Service): OwnerReference {
  const meta = service.metadata!;
  return { apiVersion: "v1", kind: "Service", name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true };
}

function isOwnedBy(slice: EndpointSlice, uid: string | undefined): boolean {
  return slice.metadata?.ownerReferences.some((r) => r.kind === "Service" && r.uid === uid && r.controller === true) ?? false;
}

/** Whether a write would change nothing a reader sees; labels compare as sets. */
export function sameSlice(current: EndpointSlice, desired: EndpointSlice): boolean {
  return (
    current.addressType === desired.addressType &&
    sameLabels(current.metadata?.labels ?? {}, desired.metadata?.labels ?? {}) &&
    JSON.stringify(current.metadata?.ownerReferences.map(normalizeOwner)) === JSON.stringify(desired.metadata?.ownerReferences.map(normalizeOwner)) &&
    JSON.stringify(current.endpoints.map(normalizeEndpoint)) === JSON.stringify(desired.endpoints.map(normalizeEndpoint)) &&
    portsKey(current.ports) === portsKey(desired.ports) &&
    JSON.stringify(current.ports.map((p) => p.appProtocol ?? "")) === JSON.stringify(desired.ports.map((p) => p.appProtocol ?? ""))
  );
}

export function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

function normalizeOwner(r: OwnerReference): string {
  return `${r.apiVersion}/${r.kind}/${r.name}/${r.uid}/${r.controller === true}/${r.blockOwnerDeletion === true}`;
}

function normalizeEndpoint(e: Endpoint): unknown[] {
  const c = e.conditions;
  return [e.addresses, c?.ready, c?.serving, c?.terminating, e.hostname ?? "", e.nodeName ?? "", e.targetRef?.kind, e.targetRef?.name, e.targetRef?.uid];
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function emptyMeta(): NonNullable<EndpointSlice["metadata"]> {
  return {
    name: "",
    generateName: "",
    namespace: "",
    uid: "",
    labels: {},
    annotations: {},
    ownerReferences: [],
    finalizers: [],
    managedFields: [],
    resourceVersion: "",
    generation: 0,
    creationTimestamp: "",
  };
}
