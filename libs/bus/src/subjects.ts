/**
 * Event subjects carry kind, namespace, node and name, so consumers filter on the server:
 * `<prefix>.ev.<Kind>.<namespace|_>.<node|_>.<name>`. A node agent subscribes to
 * `<prefix>.ev.Pod.*.<node>.*` and sees only its own pods.
 */
export interface SubjectFilter {
  readonly kind?: string;
  readonly namespace?: string;
  readonly nodeName?: string;
  readonly name?: string;
}

const NONE = "_";

/** Names may hold dots (DNS subdomains), which NATS treats as token separators; "~" is never valid in a name. */
function encodeToken(value: string): string {
  return value.replaceAll(".", "~");
}

export function eventSubject(
  prefix: string,
  key: { kind: string; namespace: string; nodeName: string; name: string },
): string {
  const namespace = key.namespace ? encodeToken(key.namespace) : NONE;
  const node = key.nodeName ? encodeToken(key.nodeName) : NONE;
  return `${prefix}.ev.${key.kind}.${namespace}.${node}.${encodeToken(key.name)}`;
}

export function eventFilterSubject(prefix: string, filter: SubjectFilter): string {
  const token = (v: string | undefined) => (v === undefined ? "*" : v === "" ? NONE : encodeToken(v));
  return `${prefix}.ev.${filter.kind ?? "*"}.${token(filter.namespace)}.${token(filter.nodeName)}.${token(filter.name)}`;
}

export function streamName(prefix: string): string {
  return `${prefix.replaceAll(/[^A-Za-z0-9_-]/g, "_")}_EVENTS`;
}
