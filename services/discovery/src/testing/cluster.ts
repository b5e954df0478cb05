import type { JsonObject } from "@capstan/client";
import { createFakeGateway, type FakeGateway } from "@capstan/client/testing";
import type { Informer } from "@capstan/controller-runtime";
import { syncedInformer } from "@capstan/controller-runtime/testing";

const KINDS = ["Service", "Pod", "Endpoints", "EndpointSlice"] as const;
type Kind = (typeof KINDS)[number];

/** A FakeGateway with synced informers of the kinds discovery reads. */
export class Cluster {
  private constructor(
    readonly gateway: FakeGateway,
    private readonly informers: ReadonlyMap<Kind, Informer>,
  ) {}

  static async start(): Promise<Cluster> {
    const gateway = await createFakeGateway();
    const informers = new Map<Kind, Informer>();
    for (const kind of KINDS) informers.set(kind, await syncedInformer(gateway, kind));
    return new Cluster(gateway, informers);
  }

  informer(kind: Kind): Informer {
    return this.informers.get(kind)!;
  }

  /** Puts the object in place through the gateway's API (see FakeGateway.apply). */
  put(object: JsonObject): Promise<JsonObject> {
    return this.gateway.apply(object);
  }

  /** Deletes it at once, as a node agent finishing a pod or a user deleting a Service does. */
  async remove(kind: Kind, namespace: string, name: string): Promise<void> {
    await this.gateway.delete({ kind, namespace, name, gracePeriodSeconds: 0 });
  }

  /** What the gateway stores. */
  list(kind: Kind): Record<string, any>[] {
    return this.gateway.objects(kind);
  }

  /** The revision of the last write: unchanged, nothing was written. */
  get revision(): number {
    return this.gateway.revision;
  }
}
