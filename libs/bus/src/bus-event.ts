/** One committed event of the log as it travels on JetStream; its stream sequence is its revision. */
export type BusEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface BusEvent {
  readonly revision: number;
  readonly type: BusEventType;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly nodeName: string;
  readonly object: Record<string, unknown>;
  readonly actor: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** When the event log committed it (ISO 8601), so a watcher's delivery lag can be measured. */
  readonly committedAt?: string;
  /**
   * Set when the object was too large for the bus (an event logged before the gateway enforced the
   * bus' limit): `object` then holds only its identity (see `objectReference`), and a watcher fetches the
   * object itself. The number is the size of the object it stands for.
   */
  readonly omittedObjectBytes?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface WireBody {
  type: BusEventType;
  kind: string;
  namespace: string;
  name: string;
  nodeName: string;
  actor: string;
  object: Record<string, unknown>;
  committedAt?: string;
  omittedObjectBytes?: number;
}

export function encodeBusEvent(e: BusEvent): Uint8Array {
  const body: WireBody = {
    type: e.type,
    kind: e.kind,
    namespace: e.namespace,
    name: e.name,
    nodeName: e.nodeName,
    actor: e.actor,
    object: e.object,
  };
  if (e.committedAt !== undefined) body.committedAt = e.committedAt;
  if (e.omittedObjectBytes !== undefined) body.omittedObjectBytes = e.omittedObjectBytes;
  return encoder.encode(JSON.stringify(body));
}

export function decodeBusEvent(
  revision: number,
  data: Uint8Array,
  trace: { traceparent?: string | undefined; tracestate?: string | undefined },
): BusEvent {
  const body = JSON.parse(decoder.decode(data)) as WireBody;
  return {
    revision,
    ...body,
    ...(trace.traceparent ? { traceparent: trace.traceparent } : {}),
    ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
  };
}

/**
 * The event with its object reduced to what identifies it (and the node a pod is bound to, so a delete
 * still finds it): what the bus carries in place of an object it cannot.
 */
export function objectReference(e: BusEvent, objectBytes: number): BusEvent {
  // The bus sits below @capstan/api and its views; a stored object's metadata is an object.
  const metadata = (e.object["metadata"] ?? {}) as Record<string, unknown>;
  const identity: Record<string, unknown> = {};
  for (const field of ["name", "namespace", "uid", "resourceVersion", "generation", "deletionTimestamp"]) {
    if (metadata[field] !== undefined) identity[field] = metadata[field];
  }
  const object: Record<string, unknown> = { apiVersion: e.object["apiVersion"], kind: e.object["kind"], metadata: identity };
  if (e.nodeName) object["spec"] = { nodeName: e.nodeName };
  return { ...e, object, omittedObjectBytes: objectBytes };
}
