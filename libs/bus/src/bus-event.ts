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
