/**
 * The cluster DNS as a Service, so pods reach it the Kubernetes way: `kube-system/kube-dns` with the
 * cluster DNS address, selector-less, and Endpoints plus an EndpointSlice naming where this DNS server
 * really listens. The node agents' service proxy forwards the cluster IP's port 53 there.
 */
import { EndpointSlice, Endpoints, LABEL_SERVICE_NAME, Service, fromApiObject, objectMeta, toApiObject, toKubernetesJSON, type ApiObject } from "@capstan/api";
import { namespacedKey, splitObjectKey, type Informer, type KeysOf, type Reconciler } from "@capstan/controller-runtime";
import { LABEL_MANAGED_BY, sameLabels, sameSlice, serviceOwnerReference } from "../endpoints/endpoint-slices.js";
import { sameSubsets, type EndpointsClient } from "../endpoints/reconcile.js";

export const CLUSTER_DNS_NAMESPACE = "kube-system";
export const CLUSTER_DNS_SERVICE = "kube-dns";
export const CLUSTER_DNS_KEY = namespacedKey(CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE);
/** The managed-by of the slice this service writes itself (the endpoints controller leaves it alone). */
export const DISCOVERY_MANAGER = "discovery.capstan.io";
const SERVICE_LABELS = { "k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS" };

export interface ClusterDNSConfig {
  /** The Service's cluster IP (CAPSTAN_CLUSTER_DNS_IP). */
  readonly clusterIP: string;
  /** Where this DNS server answers: the endpoint's address and port. */
  readonly address: string;
  readonly port: number;
}

/** Only the cluster DNS Service and what belongs to it wake this reconciler. */
export const clusterDNSObjects: KeysOf = (obj) => {
  const meta = (obj["metadata"] ?? {}) as { namespace?: string; name?: string; labels?: Record<string, string> };
  if (meta.namespace !== CLUSTER_DNS_NAMESPACE) return [];
  return meta.name === CLUSTER_DNS_SERVICE || meta.labels?.[LABEL_SERVICE_NAME] === CLUSTER_DNS_SERVICE ? [CLUSTER_DNS_KEY] : [];
};

const revisionOf = (o: ApiObject) => Number(objectMeta(o).resourceVersion || 0);

export class ClusterDNSReconciler implements Reconciler {
  constructor(
    private readonly config: ClusterDNSConfig,
    private readonly services: Informer,
    private readonly endpoints: Informer,
    private readonly slices: Informer,
    private readonly client: EndpointsClient,
  ) {}

  async reconcile(key: string): Promise<void> {
    if (key !== CLUSTER_DNS_KEY) return;
    const service = await this.ensureService();
    const owner = serviceOwnerReference(service);
    const ports = [
      { name: "dns", port: this.config.port, protocol: "UDP" },
      { name: "dns-tcp", port: this.config.port, protocol: "TCP" },
    ];

    const endpoints = Endpoints.fromPartial({
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: CLUSTER_DNS_SERVICE, namespace: CLUSTER_DNS_NAMESPACE, labels: SERVICE_LABELS, ownerReferences: [owner] },
      subsets: [{ addresses: [{ ip: this.config.address }], ports }],
    });
    const currentEndpoints = this.endpoints.get(CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE);
    if (currentEndpoints === undefined) {
      await this.endpoints.waitForRevision(revisionOf(await this.client.create(toApiObject(toKubernetesJSON("Endpoints", endpoints)))));
    } else {
      const current = Endpoints.fromJSON(currentEndpoints);
      if (!sameSubsets(current.subsets, endpoints.subsets) || !sameLabels(current.metadata?.labels ?? {}, SERVICE_LABELS)) {
        const updated = { ...endpoints, metadata: { ...current.metadata!, labels: SERVICE_LABELS, ownerReferences: [owner] } };
        await this.endpoints.waitForRevision(revisionOf(await this.client.update(toApiObject(toKubernetesJSON("Endpoints", updated)))));
      }
    }

    const slice = EndpointSlice.fromPartial({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: {
        name: CLUSTER_DNS_SERVICE,
        namespace: CLUSTER_DNS_NAMESPACE,
        labels: { [LABEL_SERVICE_NAME]: CLUSTER_DNS_SERVICE, [LABEL_MANAGED_BY]: DISCOVERY_MANAGER },
        ownerReferences: [owner],
      },
      addressType: "IPv4",
      endpoints: [{ addresses: [this.config.address], conditions: { ready: true, serving: true, terminating: false } }],
      ports,
    });
    const currentSlice = this.slices.get(CLUSTER_DNS_NAMESPACE, CLUSTER_DNS_SERVICE);
    if (currentSlice === undefined) {
      await this.slices.waitForRevision(revisionOf(await this.client.create(toApiObject(toKubernetesJSON("EndpointSlice", slice)))));
    } else {
      const current = EndpointSlice.fromJSON(currentSlice);
      if (!sameSlice(current, slice)) {
        const updated = { ...slice, metadata: { ...current.metadata!, labels: slice.metadata!.labels, ownerReferences: [owner] } };
        await this.slices.waitForRevision(revisionOf(await this.client.update(toApiObject(toKubernetesJSON("EndpointSlice", updated)))));
      }
    }
  }

  /** The Service as it is, or as created now with the cluster DNS address. */
  private async ensureService(): Promise<Service> {
    const { namespace, name } = splitObjectKey(CLUSTER_DNS_KEY);
    const current = this.services.get(namespace, name);
    if (current !== undefined) return Service.fromJSON(current);
    const service = Service.fromPartial({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace, labels: SERVICE_LABELS },
      // Selector-less, so targetPort is moot: the endpoints name the port this server really listens on.
      spec: {
        type: "ClusterIP",
        clusterIp: this.config.clusterIP,
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: "53" },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: "53" },
        ],
      },
    });
    const created = await this.client.create(toApiObject(toKubernetesJSON("Service", service)));
    await this.services.waitForRevision(revisionOf(created));
    return Service.fromJSON(fromApiObject(created).json);
  }
}
