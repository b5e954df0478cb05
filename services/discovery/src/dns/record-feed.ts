/**
 * Keeps the DNS record store in step with the cluster: Services become service records, a Service's
 * EndpointSlices (all of them, whoever manages them) become its endpoints. Handlers run as each watch
 * event lands in the informer's cache, so a changed endpoint is answered as soon as it is seen.
 */
import { LABEL_SERVICE_NAME } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { metadataOf, type Informer } from "@capstan/controller-runtime";
import { SLICE_SERVICE_INDEX } from "../endpoints/reconcile.js";
import type { EndpointAddress, EndpointPort, InMemoryRecordStore, Protocol, ServiceRecord } from "./record-store.js";

interface ServiceJson {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly ports?: readonly { readonly name?: string; readonly protocol?: string; readonly port?: number }[];
    readonly externalName?: string;
    readonly publishNotReadyAddresses?: boolean;
  };
}

interface SliceJson {
  readonly addressType?: string;
  readonly endpoints?: readonly { readonly addresses?: readonly string[]; readonly hostname?: string; readonly conditions?: { readonly ready?: boolean } }[];
  readonly ports?: readonly { readonly name?: string; readonly protocol?: string; readonly port?: number }[];
}

/** Starts feeding `store`; the slices informer must be indexed by SLICE_SERVICE_INDEX. Returns a function that stops it. */
export function feedRecordStore(store: InMemoryRecordStore, services: Informer, slices: Informer): () => void {
  const setService = (obj: JsonObject) => store.setService(serviceRecord(obj as ServiceJson));
  const offServices = services.addEventHandler({
    onAdd: setService,
    onUpdate: (_old, obj) => setService(obj),
    onDelete: (obj) => {
      const { namespace, name } = metadataOf(obj);
      store.deleteService(namespace ?? "", name ?? "");
    },
  });
  const refreshEndpoints = (slice: JsonObject) => {
    const { namespace = "", labels } = metadataOf(slice);
    const service = labels?.[LABEL_SERVICE_NAME];
    if (service === undefined) return;
    const current = slices.byIndex(SLICE_SERVICE_INDEX, `${namespace}/${service}`) as SliceJson[];
    if (current.length === 0) store.deleteEndpoints(namespace, service);
    else store.setEndpoints(namespace, service, ...endpointsOf(current));
  };
  const offSlices = slices.addEventHandler({
    onAdd: refreshEndpoints,
    // Both: a slice relabelled to another Service leaves the first one.
    onUpdate: (old, obj) => {
      refreshEndpoints(old);
      refreshEndpoints(obj);
    },
    onDelete: refreshEndpoints,
  });
  return () => {
    offServices();
    offSlices();
  };
}

export function serviceRecord(service: ServiceJson): ServiceRecord {
  const spec = service.spec ?? {};
  return {
    namespace: service.metadata?.namespace ?? "",
    name: service.metadata?.name ?? "",
    clusterIP: spec.clusterIP ?? "",
    ports: (spec.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), protocol: protocolOf(p.protocol), port: p.port ?? 0 })),
    ...(spec.type === "ExternalName" && spec.externalName ? { externalName: spec.externalName } : {}),
    ...(spec.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
  };
}

/**
 * One Service's addresses and ports across its IPv4 slices. An address in two slices (a pod moving
 * between them) counts as ready if either says so; a missing ready condition means ready, as the API
 * defines it.
 */
export function endpointsOf(slices: readonly SliceJson[]): [EndpointAddress[], EndpointPort[]] {
  const addresses = new Map<string, EndpointAddress>();
  const ports = new Map<string, EndpointPort>();
  for (const slice of slices) {
    if (slice.addressType !== "IPv4") continue;
    for (const endpoint of slice.endpoints ?? []) {
      const ready = endpoint.conditions?.ready !== false;
      for (const ip of endpoint.addresses ?? []) {
        if (addresses.get(ip)?.ready) continue;
        addresses.set(ip, { ip, ready, ...(endpoint.hostname ? { hostname: endpoint.hostname } : {}) });
      }
    }
    for (const p of slice.ports ?? []) {
      const port: EndpointPort = { ...(p.name ? { name: p.name } : {}), protocol: protocolOf(p.protocol), port: p.port ?? 0 };
      ports.set(`${port.name ?? ""}/${port.protocol}`, port);
    }
  }
  return [[...addresses.values()], [...ports.values()]];
}

function protocolOf(protocol: string | undefined): Protocol {
  return protocol === "UDP" || protocol === "SCTP" ? protocol : "TCP";
}
