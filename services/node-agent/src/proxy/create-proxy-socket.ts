import type { ProxySocket, ProxySocketOptions } from "./proxy-socket.js";
import type { ListenAddress } from "./service-port.js";
import { TCPProxySocket } from "./tcp-proxy-socket.js";
import { UDPProxySocket } from "./udp-proxy-socket.js";

/** The listener for one service address, by its protocol; kept apart from the ProxySocket contract the two implement. */
export function createProxySocket(address: ListenAddress, opts: ProxySocketOptions): ProxySocket {
  return address.protocol === "TCP" ? new TCPProxySocket(address, opts) : new UDPProxySocket(address, opts);
}
