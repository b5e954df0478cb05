import type { Container, Probe } from "@capstan/api";

/**
 * Container probes as the node agent runs them, decoupled from the API messages: `containerProbes` reads
 * a Container's livenessProbe / readinessProbe / startupProbe and applies the API's defaults.
 */
export type ProbeType = "liveness" | "readiness" | "startup";

export interface HTTPHeader {
  name: string;
  value: string;
}

/** A port as the API writes it: a number, or the name of one of the container's ports. */
export type ProbePort = number | string;

export type ProbeHandler =
  | { kind: "exec"; command: string[] }
  | { kind: "httpGet"; path: string; port: ProbePort; host: string; scheme: "HTTP" | "HTTPS"; httpHeaders: HTTPHeader[] }
  | { kind: "tcpSocket"; port: ProbePort; host: string };

export interface ProbeSpec {
  handler: ProbeHandler;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
  /** Overrides the pod's terminationGracePeriodSeconds when this probe kills the container. */
  terminationGracePeriodSeconds?: number;
}

export interface ContainerProbes {
  startup?: ProbeSpec;
  liveness?: ProbeSpec;
  readiness?: ProbeSpec;
}

/**
 * How one run of a probe ended. `Error` means the probe could not be run at all (a named port the
 * container does not declare, a handler that threw): as in the kubelet, it is reported and then thrown
 * away, counting neither as a success nor as a failure.
 */
export interface ProbeResult {
  result: "Success" | "Failure" | "Error";
  output: string;
}

export const probeDefaults = { periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } as const;

/** Probe output kept for messages, as the kubelet keeps at most 10 KiB. */
export const maxProbeOutputBytes = 10 * 1024;

/** The container's probes, with the API's defaults for unset timing fields; a probe without a handler is ignored (validation rejects it). */
export function containerProbes(container: Container): ContainerProbes {
  const out: ContainerProbes = {};
  const startup = probeSpecFrom(container.startupProbe, "startup");
  const liveness = probeSpecFrom(container.livenessProbe, "liveness");
  const readiness = probeSpecFrom(container.readinessProbe, "readiness");
  if (startup) out.startup = startup;
  if (liveness) out.liveness = liveness;
  if (readiness) out.readiness = readiness;
  return out;
}

/** One probe from its API form; zero timing fields (unset in proto3) take the API's defaults. */
export function probeSpecFrom(probe: Probe | undefined, type: ProbeType): ProbeSpec | undefined {
  if (!probe) return undefined;
  const handler = handlerFrom(probe);
  if (!handler) return undefined;
  const positive = (n: number, fallback: number) => (Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback);
  const spec: ProbeSpec = {
    handler,
    initialDelaySeconds: positive(probe.initialDelaySeconds, 0),
    periodSeconds: positive(probe.periodSeconds, probeDefaults.periodSeconds),
    timeoutSeconds: positive(probe.timeoutSeconds, probeDefaults.timeoutSeconds),
    // Validation requires 1 for liveness and startup probes; the agent never acts on anything else.
    successThreshold: type === "readiness" ? positive(probe.successThreshold, probeDefaults.successThreshold) : 1,
    failureThreshold: positive(probe.failureThreshold, probeDefaults.failureThreshold),
  };
  const grace = probe.terminationGracePeriodSeconds;
  if (type !== "readiness" && grace !== undefined && grace > 0) spec.terminationGracePeriodSeconds = grace;
  return spec;
}

function handlerFrom(probe: Probe): ProbeHandler | undefined {
  const { exec, httpGet, tcpSocket } = probe;
  if (exec) return { kind: "exec", command: [...exec.command] };
  if (httpGet) {
    return {
      kind: "httpGet",
      path: httpGet.path,
      port: portFrom(httpGet.port),
      host: httpGet.host,
      scheme: httpGet.scheme.toUpperCase() === "HTTPS" ? "HTTPS" : "HTTP",
      httpHeaders: httpGet.httpHeaders.map((h) => ({ name: h.name, value: h.value })),
    };
  }
  if (tcpSocket) return { kind: "tcpSocket", port: portFrom(tcpSocket.port), host: tcpSocket.host };
  return undefined;
}

/** The API's IntOrString spelling: a decimal integer is a port number, anything else a port name. */
function portFrom(port: string): ProbePort {
  return /^-?[0-9]+$/.test(port) ? Number(port) : port;
}

/**
 * The port number a probe targets, as the kubelet's `extractPort` finds it: a number as is; a name
 * through the container's ports, else read as a number. An error message when there is none.
 */
export function resolveProbePort(port: ProbePort, container: Pick<Container, "ports">): { port: number } | { error: string } {
  let n: number;
  if (typeof port === "number") n = port;
  else {
    const named = container.ports.find((p) => p.name !== "" && p.name === port);
    n = named ? named.containerPort : /^\d+$/.test(port) ? Number(port) : NaN;
    if (Number.isNaN(n)) return { error: `couldn't find port: ${port} in container` };
  }
  return Number.isInteger(n) && n > 0 && n < 65536 ? { port: n } : { error: `invalid port number: ${n}` };
}
