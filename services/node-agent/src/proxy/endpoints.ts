import type { JsonObject } from "@capstan/client";

/** One backend of a service port, with its EndpointSlice conditions as kube-proxy reads them. */
export interface ProxyEndpoint {
  /** "ip:port" */
  readonly address: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

interface EndpointJson {
  addresses?: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
}

interface EndpointSlicePortJson {
  name?: string;
  protocol?: string;
  port?: number;
}

/**
 * The endpoints of one service port across all of its EndpointSlices, each address:port once. As in
 * kube-proxy, an unset ready or serving condition counts as true, an unset terminating as false; a
 * slice port matches by name and protocol.
 */
export function endpointsOf(slices: readonly JsonObject[], portName: string, protocol: string): ProxyEndpoint[] {
  const byAddress = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    if ((slice["addressType"] ?? "IPv4") !== "IPv4") continue;
    const port = ((slice["ports"] ?? []) as EndpointSlicePortJson[]).find((p) => (p.name ?? "") === portName && (p.protocol ?? "TCP") === protocol)?.port;
    if (!port) continue;
    for (const e of (slice["endpoints"] ?? []) as EndpointJson[]) {
      const c = e.conditions ?? {};
      const ready = c.ready ?? true;
      for (const ip of e.addresses ?? []) {
        const address = `${ip}:${port}`;
        // The same address in two slices (a pod moving between them): the ready view wins.
        if (byAddress.get(address)?.ready) continue;
        byAddress.set(address, { address, ready, serving: c.serving ?? true, terminating: c.terminating ?? false });
      }
    }
  }
  return [...byAddress.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/**
 * Where new connections may go: the ready endpoints; if there are none, those still serving while they
 * terminate (kube-proxy's ProxyTerminatingEndpoints), so a service whose pods all roll at once keeps answering.
 */
export function usableEndpoints(endpoints: readonly ProxyEndpoint[]): string[] {
  const ready = endpoints.filter((e) => e.ready).map((e) => e.address);
  if (ready.length > 0) return ready;
  return endpoints.filter((e) => e.serving && e.terminating).map((e) => e.address);
}
