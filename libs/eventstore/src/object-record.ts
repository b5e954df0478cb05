import type { ObjectKey } from "@capstan/apimachinery";
import type { JsonObject } from "./stored-event.js";

/** One row of the projection: an object as its last event left it. */
export interface ObjectRecord {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  revision: number;
  object: JsonObject;
}

/** A Map key for an object; NUL cannot occur in Kubernetes names, so the join is unambiguous. */
export function keyString(key: ObjectKey): string {
  return `${key.kind}\0${key.namespace}\0${key.name}`;
}
