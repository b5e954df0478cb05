import type { Counter } from "@opentelemetry/api";
import type { ProxyConnectionAttributes } from "./proxy-metrics.js";
import type { ListenAddress } from "./service-port.js";

/**
 * Picks the endpoint ("ip:port") for a new connection from `clientIP`; undefined when there is none.
 * `sessionAffinityReset` is set when retrying after a failed dial.
 */
export type EndpointPicker = (clientIP: string, sessionAffinityReset: boolean) => string | undefined;

/** A listener for one service address that forwards what it accepts to the endpoints it is given. */
export interface ProxySocket {
  readonly address: ListenAddress;
  /** Binds; rejects with the system error (EADDRINUSE when another agent on this host serves it). */
  listen(): Promise<void>;
  /** Stops accepting; connections already made carry on until either side closes them. */
  close(): void;
}

export interface ProxySocketOptions {
  readonly pick: EndpointPicker;
  readonly connections: Counter<ProxyConnectionAttributes>;
  readonly udpIdleTimeoutMs: number;
}

/** "10.0.0.5:8080" → host and port. */
export function splitEndpoint(endpoint: string): { host: string; port: number } {
  const colon = endpoint.lastIndexOf(":");
  return { host: endpoint.slice(0, colon), port: Number(endpoint.slice(colon + 1)) };
}
