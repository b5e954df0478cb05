import type { EventType, JsonObject } from "@capstan/apimachinery";

export type { EventType, JsonObject } from "@capstan/apimachinery";

/** One entry of the log: what happened to one object, with the whole object as it was left. */
export interface StoredEvent {
  revision: number;
  type: EventType;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  object: JsonObject;
  actor: string;
  traceparent?: string;
  tracestate?: string;
  committedAt: string;
}
