import type { JsonObject } from "@capstan/client";

/** What every cached object has; the rest of the object is the kind's business. */
export interface ObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
  readonly finalizers?: readonly string[];
  readonly deletionTimestamp?: string;
}

export interface OwnerReference {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  /** The owner, deleted in the foreground, waits for this dependent to go. */
  readonly blockOwnerDeletion?: boolean;
}

export function metadataOf(obj: JsonObject): ObjectMeta {
  const meta = obj["metadata"];
  return typeof meta === "object" && meta !== null ? (meta as ObjectMeta) : {};
}

/** `namespace/name`, or `name` for a cluster-scoped object: the work-queue key (client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: JsonObject): string {
  const { namespace, name } = metadataOf(obj);
  return namespacedKey(namespace ?? "", name ?? "");
}

export function namespacedKey(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The inverse of `objectKey`; names and namespaces never hold "/". */
export function splitObjectKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The reference to the object's managing controller, if it has one. */
export function controllerRefOf(obj: JsonObject): OwnerReference | undefined {
  return metadataOf(obj).ownerReferences?.find((r) => r.controller === true);
}
