import {
  CLUSTER_IP_NONE,
  EndpointSlice,
  Endpoints,
  LABEL_SERVICE_NAME,
  Pod,
  Service,
  objectMeta,
  serviceView,
  toApiObject,
  toKubernetesJSON,
  type ApiObject,
  type EndpointSubset,
} from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { CapstanClient, JsonObject } from "@capstan/client";
import { secondsSince, type Histogram } from "@capstan/telemetry";
import { metadataOf, objectKey, splitObjectKey, type Informer, type KeysOf, type Reconciler } from "@capstan/controller-runtime";
import { endpointSubsets } from "./endpoints-subsets.js";
import { ENDPOINT_SLICE_CONTROLLER, LABEL_HEADLESS, LABEL_MANAGED_BY, planEndpointSlices, sameLabels, serviceOwnerReference } from "./endpoint-slices.js";

/** Pods by `namespace/key=value` of each label, so a selector finds its pods without a namespace scan. */
export const POD_LABEL_INDEX = "namespacedLabel";
/** EndpointSlices by `namespace/service` from their `kubernetes.io/service-name` label. */
export const SLICE_SERVICE_INDEX = "serviceName";
/** Services by `namespace/key=value` of each entry of their selector. */
export const SERVICE_SELECTOR_INDEX = "selectorLabel";

export function indexPodsByLabel(pods: Informer): void {
  pods.addIndexer(POD_LABEL_INDEX, (pod) => {
    const { namespace, labels } = metadataOf(pod);
    return Object.entries(labels ?? {}).map(([k, v]) => `${namespace ?? ""}/${k}=${v}`);
  });
}

export function indexSlicesByService(slices: Informer): void {
  slices.addIndexer(SLICE_SERVICE_INDEX, (slice) => {
    const { namespace, labels } = metadataOf(slice);
    const service = labels?.[LABEL_SERVICE_NAME];
    return service === undefined ? [] : [`${namespace ?? ""}/${service}`];
  });
}

export function selectorOf(service: JsonObject): Readonly<Record<string, string>> {
  return serviceView(service).selector ?? {};
}

/**
 * Services by `namespace/key=value` of each selector entry, so a pod finds the Services that may select
 * it from its own labels instead of testing every Service of its namespace.
 */
export function indexServicesBySelector(services: Informer): void {
  services.addIndexer(SERVICE_SELECTOR_INDEX, (service) => {
    const namespace = metadataOf(service).namespace ?? "";
    return Object.entries(selectorOf(service)).map(([k, v]) => `${namespace}/${k}=${v}`);
  });
}

/**
 * A pod wakes every Service of its namespace whose selector matches its labels (before or after a
 * change); the Services must be indexed by indexServicesBySelector.
 */
export function servicesSelecting(services: Informer): KeysOf {
  return (pod) => {
    const { namespace = "", labels = {} } = metadataOf(pod);
    const keys = new Set<string>();
    for (const [k, v] of Object.entries(labels)) {
      for (const service of services.byIndex(SERVICE_SELECTOR_INDEX, `${namespace}/${k}=${v}`)) {
        if (Object.entries(selectorOf(service)).every(([sk, sv]) => labels[sk] === sv)) keys.add(objectKey(service));
      }
    }
    return keys;
  };
}

export type EndpointsClient = Pick<CapstanClient, "create" | "update" | "delete">;

const revisionOf = (o: ApiObject | undefined) => (o ? Number(objectMeta(o).resourceVersion || 0) : 0);

/**
 * Keeps the Endpoints and the EndpointSlices of every Service with a selector in line with the pods it
 * selects (Kubernetes' endpoints and EndpointSlice controllers in one). Both are owned by the Service;
 * once it is gone its Endpoints are deleted here, as Kubernetes' endpoints controller does, and its
 * slices by the garbage collector (which would take the Endpoints too). A Service without a selector
 * has its endpoints managed by hand and is left alone. Writes happen only when something changed, and
 * the caches are waited for afterwards, so the next reconcile never creates a slice twice.
 */
export class EndpointsReconciler implements Reconciler {
  /** Per Service, the latest pod change whose propagation was recorded, so each is recorded once. */
  private readonly recordedTrigger = new Map<string, number>();

  constructor(
    private readonly services: Informer,
    private readonly pods: Informer,
    private readonly endpoints: Informer,
    private readonly slices: Informer,
    private readonly client: EndpointsClient,
    /** capstan.endpoints.propagation.duration: a pod change → its slice in this process's cache, and so in DNS. */
    private readonly propagation?: Histogram,
  ) {}

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const json = this.services.get(namespace, name);
    if (!json) {
      this.recordedTrigger.delete(key);
      return this.deleteEndpointsOfGoneService(namespace, name);
    }
    const selector = selectorOf(json);
    const service = Service.fromJSON(json);
    if (Object.keys(selector).length === 0 || service.spec?.type === "ExternalName") return;
    const selected = this.selectedPods(namespace, selector);
    const pods = selected.map((p) => Pod.fromJSON(p));

    const [endpointsRevision, sliceRevision] = await Promise.all([this.syncEndpoints(service, pods), this.syncSlices(service, pods)]);
    await Promise.all([this.endpoints.waitForRevision(endpointsRevision), this.slices.waitForRevision(sliceRevision)]);
    // The slices informer feeds the DNS records as its cache takes each event: they answer with it now.
    if (sliceRevision > 0) this.recordPropagation(key, selected);
  }

  /**
   * Like the EndpointSlice controller's last-change-trigger-time: the newest change among the selected
   * pods (created, Ready flipped, deletion begun) is what this write carried. A write with no newer
   * change (a pod gone altogether) has no time to count from and is left out.
   */
  private recordPropagation(serviceKey: string, pods: readonly JsonObject[]): void {
    if (!this.propagation) return;
    const trigger = Math.max(0, ...pods.map(lastChangeOf));
    if (trigger <= (this.recordedTrigger.get(serviceKey) ?? 0)) return;
    this.recordedTrigger.set(serviceKey, trigger);
    this.propagation.record(Math.max(0, secondsSince(trigger, Date.now())));
  }

  /** The Endpoints a Service of this name controlled, now that no such Service is left. */
  private async deleteEndpointsOfGoneService(namespace: string, name: string): Promise<void> {
    const current = this.endpoints.get(namespace, name);
    if (!current || !metadataOf(current).ownerReferences?.some((r) => r.kind === "Service" && r.name === name && r.controller === true)) return;
    try {
      const res = await this.client.delete({ kind: "Endpoints", namespace, name, preconditions: { uid: metadataOf(current).uid } });
      await this.endpoints.waitForRevision(revisionOf(res.object));
    } catch (e) {
      // Gone already (the garbage collector was first), or replaced since: nothing of ours to delete.
      if (!isCapstanError(e, "NotFound") && !isCapstanError(e, "Conflict")) throw e;
    }
  }

  /** Candidates from the smallest label index of the selector, then the whole selector. */
  private selectedPods(namespace: string, selector: Readonly<Record<string, string>>): JsonObject[] {
    const entries = Object.entries(selector);
    let candidates: JsonObject[] | undefined;
    for (const [k, v] of entries) {
      const found = this.pods.byIndex(POD_LABEL_INDEX, `${namespace}/${k}=${v}`);
      if (candidates === undefined || found.length < candidates.length) candidates = found;
    }
    return (candidates ?? []).filter((pod) => {
      const labels = metadataOf(pod).labels ?? {};
      return entries.every(([k, v]) => labels[k] === v);
    });
  }

  /** Writes the Endpoints if they differ; returns the revision written (0: nothing). */
  private async syncEndpoints(service: Service, pods: readonly Pod[]): Promise<number> {
    const meta = service.metadata!;
    const subsets = endpointSubsets(service, pods);
    const labels: Record<string, string> = { ...meta.labels };
    if (service.spec?.clusterIp === CLUSTER_IP_NONE) labels[LABEL_HEADLESS] = "";
    const owner = serviceOwnerReference(service);
    const currentJson = this.endpoints.get(meta.namespace, meta.name);
    if (currentJson === undefined) {
      const created = Endpoints.fromPartial({ apiVersion: "v1", kind: "Endpoints", metadata: { name: meta.name, namespace: meta.namespace, labels, ownerReferences: [owner] }, subsets });
      return revisionOf(await this.client.create(toApiObject(toKubernetesJSON("Endpoints", created))));
    }
    const current = Endpoints.fromJSON(currentJson);
    const owned = current.metadata?.ownerReferences.some((r) => r.uid === owner.uid) ?? false;
    if (owned && sameLabels(current.metadata?.labels ?? {}, labels) && sameSubsets(current.subsets, subsets)) return 0;
    const others = (current.metadata?.ownerReferences ?? []).filter((r) => r.controller !== true);
    const updated = Endpoints.fromPartial({ ...current, metadata: { ...current.metadata!, labels, ownerReferences: [...others, owner] }, subsets });
    return revisionOf(await this.client.update(toApiObject(toKubernetesJSON("Endpoints", updated))));
  }

  /** Carries out the slice plan; returns the highest revision written (0: nothing). */
  private async syncSlices(service: Service, pods: readonly Pod[]): Promise<number> {
    const meta = service.metadata!;
    const existing = this.slices
      .byIndex(SLICE_SERVICE_INDEX, `${meta.namespace}/${meta.name}`)
      .filter((s) => metadataOf(s).labels?.[LABEL_MANAGED_BY] === ENDPOINT_SLICE_CONTROLLER)
      .map((s) => EndpointSlice.fromJSON(s));
    const plan = planEndpointSlices(service, pods, existing);
    const toObject = (slice: EndpointSlice) => toApiObject(toKubernetesJSON("EndpointSlice", slice));
    const revisions = await Promise.all([
      ...plan.create.map(async (slice) => revisionOf(await this.client.create(toObject(slice)))),
      ...plan.update.map(async (slice) => revisionOf(await this.client.update(toObject(slice)))),
      ...plan.delete.map(async (slice) => {
        const m = slice.metadata!;
        try {
          const res = await this.client.delete({ kind: "EndpointSlice", namespace: m.namespace, name: m.name, preconditions: { uid: m.uid } });
          return revisionOf(res.object);
        } catch (e) {
          if (isCapstanError(e, "NotFound")) return 0;
          throw e;
        }
      }),
    ]);
    return Math.max(0, ...revisions);
  }
}

/** When the pod last changed in a way its endpoint shows (epoch ms; 0 if it says nothing). */
function lastChangeOf(pod: JsonObject): number {
  const meta = metadataOf(pod) as { creationTimestamp?: string; deletionTimestamp?: string };
  const conditions = ((pod["status"] as { conditions?: { type?: string; lastTransitionTime?: string }[] } | undefined)?.conditions ?? []);
  const ready = conditions.find((c) => c.type === "Ready")?.lastTransitionTime;
  return Math.max(0, ...[meta.creationTimestamp, ready, meta.deletionTimestamp].map((t) => (t ? Date.parse(t) || 0 : 0)));
}

/** Whether two subset lists read the same once defaults are left out. */
export function sameSubsets(a: readonly EndpointSubset[], b: readonly EndpointSubset[]): boolean {
  const canonical = (subsets: readonly EndpointSubset[]) => JSON.stringify((Endpoints.toJSON(Endpoints.fromPartial({ subsets: [...subsets] })) as { subsets?: unknown }).subsets);
  return canonical(a) === canonical(b);
}
