import type { JsonObject } from "@capstan/client";

const apiVersions: Record<string, string> = { Deployment: "apps/v1", ReplicaSet: "apps/v1", ReplicationController: "v1", Pod: "v1", Node: "v1" };

/** An object as the gateway stores one, built step by step: `anObject("Pod", "web-1").ownedBy(rs)`. */
export class ObjectBuilder {
  private readonly metadata: JsonObject;
  private readonly refs: JsonObject[] = [];

  constructor(
    private readonly kind: string,
    name: string,
    namespace = "default",
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
    this.refs.push({ apiVersion: apiVersions[kind] ?? "v1", kind, name, uid: `uid-gone-${name}`, controller: true, blockOwnerDeletion: true });
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
    const spec =
      this.kind === "Pod" ? { containers: [{ name: "c", image: "busybox:1" }] } : this.kind === "Node" ? {} : { selector: { matchLabels: { app: "web" } } };
    return { apiVersion: apiVersions[this.kind] ?? "v1", kind: this.kind, metadata, spec };
  }
}

export function anObject(kind: string, name: string, namespace?: string): ObjectBuilder {
  return new ObjectBuilder(kind, name, namespace);
}
