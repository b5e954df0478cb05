import type { ObjectKey } from "@capstan/apimachinery";

export type { ObjectRecord } from "@capstan/apimachinery";

/** A Map key for an object; NUL cannot occur in Kubernetes names, so the join is unambiguous. */
export function keyString(key: ObjectKey): string {
  return `${key.kind}\0${key.namespace}\0${key.name}`;
}
