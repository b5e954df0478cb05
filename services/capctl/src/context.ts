import { createClient, type CapstanClient } from "@capstan/client";

export interface GlobalOptions {
  readonly server?: string;
  readonly namespace?: string;
  /** --request-timeout: each call's deadline in ms, 0 for none. */
  readonly requestTimeout?: number;
}

/** A call's deadline when --request-timeout is not given. */
const DEFAULT_TIMEOUT_MS = 15_000;

/** Where the gateway is: --server, then CAPSTAN_GATEWAY, then the local stack's default. */
export function gatewayAddress(opts: GlobalOptions): string {
  return opts.server ?? process.env["CAPSTAN_GATEWAY"] ?? "127.0.0.1:7470";
}

export function connect(opts: GlobalOptions): CapstanClient {
  return createClient({ address: gatewayAddress(opts), actor: `capctl:${process.env["USER"] ?? "user"}`, timeoutMs: opts.requestTimeout ?? DEFAULT_TIMEOUT_MS, waitForReady: false });
}

export function namespaceOf(opts: GlobalOptions): string {
  return opts.namespace ?? "default";
}
