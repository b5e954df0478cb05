import { findKind } from "@capstan/api";
import type { JsonObject } from "@capstan/client";

const apiVersionOf = (kind: string) => findKind(kind)?.apiVersion ?? "v1";

/** What each kind holds besides metadata: the least its schema takes. */
const bodies: Record<string, JsonObject> = {
  Pod: { spec: { containers: [{ name: "c", image: "busybox:1" }] } },
  Node: { spec: {} },
  Deployment: { spec: { selector: { matchLabels: { app: "web" } } } },
  ReplicaSet: { spec: { selector: { matchLabels: { app: "web" } } } },
  ReplicationController: { spec: { selector: { app: "web" } } },
  Service: { spec: { selector: { app: "web" }, ports: [{ port: 80 }] } },
  Endpoints: { subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }] }] },
  EndpointSlice: { addressType: "IPv4", endpoints: [{ addresses: ["10.0.0.1"] }], ports: [{ port: 80 }] },
  PersistentVolume: { spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/tmp/pv" } } },
  PersistentVolumeClaim: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
};

/** An object as the gateway stores one, built step by step: `anObject("Pod", "web-1").ownedBy(rs)`. */
export class ObjectBuilder {
  private readonly metadata: JsonObject;
  private readonly refs: JsonObject[] = [];

  constructor(
    private readonly kind: string,
    name: string,
    namespace = findKind(kind)?.namespaced === false ? "" : "default",
  ) {
    this.metadata = { name, namespace, uid: `uid-${kind.toLowerCase()}-${name}`, resourceVersion: "1" };
  }

  /** A reference to `owner`; blocking (blockOwnerDeletion) unless told otherwise, as controllers set it. */
  ownedBy(owner: JsonObject, opts: { blockOwnerDeletion?: boolean; controller?: boolean } = {}): this {
    const meta = owner["metadata"] as JsonObject;
    this.refs.push({
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
  ownedByMissing(kind: string, name: string): this {
    this.refs.push({ apiVersion: apiVersionOf(kind), kind, name, uid: `uid-gone-${name}`, controller: true, blockOwnerDeletion: true });
    return this;
  }

  withUid(uid: string): this {
    this.metadata["uid"] = uid;
    return this;
  }

  /** Terminating, with these finalizers (e.g. "foregroundDeletion" or "orphan"). */
  deleting(...finalizers: string[]): this {
    this.metadata["deletionTimestamp"] = "2026-03-01T12:00:00.000Z";
    this.metadata["deletionGracePeriodSeconds"] = 0;
    if (finalizers.length > 0) this.metadata["finalizers"] = finalizers;
    return this;
  }

  withFinalizers(...finalizers: string[]): this {
    this.metadata["finalizers"] = finalizers;
    return this;
  }

  build(): JsonObject {
    const metadata = { ...this.metadata, ...(this.refs.length > 0 ? { ownerReferences: [...this.refs] } : {}) };
    return { apiVersion: apiVersionOf(this.kind), kind: this.kind, metadata, ...structuredClone(bodies[this.kind] ?? {}) };
  }
}

export function anObject(kind: string, name: string, namespace?: string): ObjectBuilder {
  return new ObjectBuilder(kind, name, namespace);
}
