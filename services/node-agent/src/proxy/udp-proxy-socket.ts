import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { connectionAttributes } from "./proxy-metrics.js";
import { splitEndpoint, type ProxySocket, type ProxySocketOptions } from "./proxy-socket.js";
import type { ListenAddress } from "./service-port.js";

/** One client address's upstream: its own socket towards the endpoint picked for it, closed when idle. */
interface ClientSession {
  readonly upstream: Socket;
  readonly host: string;
  readonly port: number;
  idle: NodeJS.Timeout | undefined;
}

/**
 * A UDP socket on a service address (kube-proxy userspace's udpProxySocket): each client address gets
 * an upstream socket to one endpoint, so replies find their way back, until it is idle for the timeout.
 */
export class UDPProxySocket implements ProxySocket {
  private readonly socket = createSocket({ type: "udp4" });
  private readonly sessions = new Map<string, ClientSession>();

  constructor(
    readonly address: ListenAddress,
    private readonly opts: ProxySocketOptions,
  ) {
    this.socket.on("message", (msg, rinfo) => this.forward(msg, rinfo));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.bind({ address: this.address.ip, port: this.address.port, exclusive: true }, () => {
        this.socket.off("error", reject);
        // Later errors (an ICMP error on send) concern one datagram, not the listener.
        this.socket.on("error", () => {});
        resolve();
      });
    });
  }

  /** Stops receiving; open sessions end with it, as their replies could no longer be sent. */
  close(): void {
    for (const [key, session] of this.sessions) this.closeSession(key, session);
    this.socket.close();
  }

  private forward(msg: Buffer, client: RemoteInfo): void {
    const key = `${client.address}:${client.port}`;
    let session = this.sessions.get(key);
    if (!session) {
      session = this.openSession(key, client);
      if (!session) return;
    }
    this.touch(key, session);
    session.upstream.send(msg, session.port, session.host);
  }

  private openSession(key: string, client: RemoteInfo): ClientSession | undefined {
    const endpoint = this.opts.pick(client.address, false);
    if (endpoint === undefined) {
      this.opts.connections.add(1, connectionAttributes("UDP", "no_endpoints"));
      return undefined;
    }
    const { host, port } = splitEndpoint(endpoint);
    const upstream = createSocket({ type: "udp4" });
    const session: ClientSession = { upstream, host, port, idle: undefined };
    upstream.on("message", (reply, from) => {
      if (from.address !== host || from.port !== port) return;
      this.touch(key, session);
      this.socket.send(reply, client.port, client.address);
    });
    upstream.on("error", () => this.closeSession(key, session));
    this.sessions.set(key, session);
    this.opts.connections.add(1, connectionAttributes("UDP", "proxied"));
    return session;
  }

  private touch(key: string, session: ClientSession): void {
    clearTimeout(session.idle);
    session.idle = setTimeout(() => this.closeSession(key, session), this.opts.udpIdleTimeoutMs);
    session.idle.unref();
  }

  private closeSession(key: string, session: ClientSession): void {
    if (this.sessions.get(key) !== session) return;
    clearTimeout(session.idle);
    this.sessions.delete(key);
    session.upstream.close();
  }
}
