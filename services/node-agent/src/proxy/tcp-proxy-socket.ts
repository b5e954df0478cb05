import { connect, createServer, type Server, type Socket } from "node:net";
import { connectionAttributes } from "./proxy-metrics.js";
import { splitEndpoint, type ProxySocket, type ProxySocketOptions } from "./proxy-socket.js";
import type { ListenAddress } from "./service-port.js";

/**
 * How long each successive dial may take (kube-proxy userspace's EndpointDialTimeouts); after each
 * failure the next endpoint is tried, so a pod that stops before its endpoint is removed costs a retry,
 * not the request.
 */
export const ENDPOINT_DIAL_TIMEOUTS_MS = [250, 500, 1000, 2000];

/** A TCP listener on a service address: each accepted connection is piped to one endpoint. */
export class TCPProxySocket implements ProxySocket {
  private readonly server: Server;

  constructor(
    readonly address: ListenAddress,
    private readonly opts: ProxySocketOptions,
  ) {
    // Paused until the upstream is connected, so what the client sends first waits in the kernel.
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => void this.proxy(client));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen({ host: this.address.ip, port: this.address.port, exclusive: true }, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
  }

  close(): void {
    this.server.close();
  }

  private async proxy(client: Socket): Promise<void> {
    let clientGone = false;
    client.once("close", () => (clientGone = true));
    // A socket destroys itself on error; the listener only keeps the error from being unhandled.
    client.on("error", () => {});
    const upstream = await this.tryConnect(client.remoteAddress ?? "", () => clientGone);
    if (!upstream) {
      // No endpoint (or none answered): refuse at once, as an iptables REJECT would.
      if (!clientGone) client.resetAndDestroy();
      return;
    }
    if (clientGone) {
      upstream.destroy();
      return;
    }
    // The pipes carry each side's FIN to the other; a reset or error on one side resets the other.
    upstream.on("error", () => {});
    upstream.once("close", (hadError) => hadError && !client.destroyed && client.resetAndDestroy());
    client.once("close", (hadError) => hadError && !upstream.destroyed && upstream.resetAndDestroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  private async tryConnect(clientIP: string, clientGone: () => boolean): Promise<Socket | undefined> {
    const { protocol } = this.address;
    for (const [attempt, timeoutMs] of ENDPOINT_DIAL_TIMEOUTS_MS.entries()) {
      const endpoint = this.opts.pick(clientIP, attempt > 0);
      if (endpoint === undefined) {
        this.opts.connections.add(1, connectionAttributes(protocol, attempt === 0 ? "no_endpoints" : "dial_failed"));
        return undefined;
      }
      const upstream = await dial(endpoint, timeoutMs);
      if (upstream) {
        this.opts.connections.add(1, connectionAttributes(protocol, "proxied"));
        return upstream;
      }
      if (clientGone()) return undefined;
    }
    this.opts.connections.add(1, connectionAttributes(protocol, "dial_failed"));
    return undefined;
  }
}

/** A connected socket to `endpoint`, or undefined if it refused or did not answer within `timeoutMs`. */
function dial(endpoint: string, timeoutMs: number): Promise<Socket | undefined> {
  const { host, port } = splitEndpoint(endpoint);
  return new Promise((resolve) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    const fail = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    };
    const timer = setTimeout(fail, timeoutMs);
    socket.once("error", fail);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", fail);
      resolve(socket);
    });
  });
}
