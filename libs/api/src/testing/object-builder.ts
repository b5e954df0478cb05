/**
 * Builders of objects as a user or a controller writes them, in Kubernetes JSON: `aPod("web").onNode("node-1").json()`.
 * Each method changes the builder and returns it; `json()` gives a fresh copy. The uid is `uid-<name>`,
 * the one a FakeGateway gives the first object of that name, so references built from a builder's JSON
 * name the object the gateway stores.
 */
import { findKind } from "../kinds.js";

export type JsonObject = Record<string, unknown>;

/** The deletionTimestamp a terminating object is built with. */
export const TERMINATING_SINCE = "2026-03-01T12:00:00.000Z";

export interface OwnerOptions {
  /** Default true: the reference a controller sets. */
  readonly controller?: boolean;
  /** Default true, as controllers set it. */
  readonly blockOwnerDeletion?: boolean;
}

export abstract class ObjectBuilder {
  protected readonly metadata: JsonObject;
  private readonly owners: JsonObject[] = [];

  constructor(
    readonly kind: string,
    name: string,
  ) {
    const namespaced = findKind(kind)?.namespaced ?? true;
    this.metadata = { name, ...(namespaced ? { namespace: "default" } : {}), uid: `uid-${name}` };
  }

  inNamespace(namespace: string): this {
    this.metadata["namespace"] = namespace;
    return this;
  }

  withUid(uid: string): this {
    this.metadata["uid"] = uid;
    return this;
  }

  labelled(labels: Record<string, string>): this {
    this.metadata["labels"] = { ...(this.metadata["labels"] as Record<string, string> | undefined), ...labels };
    return this;
  }

  annotated(annotations: Record<string, string>): this {
    this.metadata["annotations"] = { ...(this.metadata["annotations"] as Record<string, string> | undefined), ...annotations };
    return this;
  }

  withFinalizers(...finalizers: string[]): this {
    this.metadata["finalizers"] = finalizers;
    return this;
  }

  /** A reference to `owner` (its JSON), as a controller sets it unless told otherwise. */
  ownedBy(owner: JsonObject, opts: OwnerOptions = {}): this {
    const meta = (owner["metadata"] ?? {}) as JsonObject;
    this.owners.push({
      apiVersion: owner["apiVersion"],
      kind: owner["kind"],
      name: meta["name"],
      uid: meta["uid"],
      controller: opts.controller ?? true,
      blockOwnerDeletion: opts.blockOwnerDeletion ?? true,
    });
    return this;
  }

  /** A reference to an owner that never existed, or is long gone. */
  ownedByMissing(kind: string, name: string, opts: OwnerOptions = {}): this {
    this.owners.push({
      apiVersion: findKind(kind)?.apiVersion ?? "v1",
      kind,
      name,
      uid: `uid-gone-${name}`,
      controller: opts.controller ?? true,
      blockOwnerDeletion: opts.blockOwnerDeletion ?? true,
    });
    return this;
  }

  /** Being deleted, held by these finalizers (added to any it has), e.g. "foregroundDeletion" or "orphan". */
  terminating(...finalizers: string[]): this {
    this.metadata["deletionTimestamp"] = TERMINATING_SINCE;
    if (finalizers.length > 0) this.metadata["finalizers"] = [...((this.metadata["finalizers"] as string[] | undefined) ?? []), ...finalizers];
    return this;
  }

  json(): JsonObject {
    const metadata = { ...this.metadata, ...(this.owners.length > 0 ? { ownerReferences: [...this.owners] } : {}) };
    return structuredClone({ apiVersion: findKind(this.kind)?.apiVersion ?? "v1", kind: this.kind, metadata, ...this.body() });
  }

  /** Everything but apiVersion, kind and metadata. */
  protected abstract body(): JsonObject;
}

/** What each kind holds besides metadata when built by `anObject`: the least its schema takes. */
const bodies: Record<string, JsonObject> = {
  Pod: { spec: { containers: [{ name: "app", image: "nginx:1.27" }] } },
  Node: { spec: {} },
  Deployment: { spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } } },
  ReplicaSet: { spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } } },
  ReplicationController: { spec: { selector: { app: "web" }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } } } },
  Service: { spec: { selector: { app: "web" }, ports: [{ port: 80 }] } },
  Endpoints: { subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }] }] },
  EndpointSlice: { addressType: "IPv4", endpoints: [{ addresses: ["10.0.0.1"] }], ports: [{ port: 80 }] },
  PersistentVolume: { spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/tmp/pv" } } },
  PersistentVolumeClaim: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
};

/** Any kind, with the least body it takes: for tests about metadata (owners, finalizers) more than content. */
export class AnyObjectBuilder extends ObjectBuilder {
  protected body(): JsonObject {
    return bodies[this.kind] ?? {};
  }
}

export function anObject(kind: string, name: string): AnyObjectBuilder {
  return new AnyObjectBuilder(kind, name);
}
