import type { Counter, Meter } from "@opentelemetry/api";
import type { ProxyProtocol } from "./service-port.js";

/** How a new connection (TCP) or client session (UDP) ended up: proxied, refused for want of endpoints, or every dial failed. */
export type ProxyResult = "proxied" | "no_endpoints" | "dial_failed";

export type ProxyConnectionAttributes = {
  "network.transport": "tcp" | "udp";
  "capstan.proxy.result": ProxyResult;
};

/** New connections and UDP sessions by result; the error rate is the count of the other results. */
export function proxyConnections(meter: Meter): Counter<ProxyConnectionAttributes> {
  return meter.createCounter<ProxyConnectionAttributes>("capstan.proxy.connections", {
    description: "Connections (TCP) and client sessions (UDP) the service proxy accepted, by result.",
    unit: "{connection}",
  });
}

export function connectionAttributes(protocol: ProxyProtocol, result: ProxyResult): ProxyConnectionAttributes {
  return { "network.transport": protocol === "TCP" ? "tcp" : "udp", "capstan.proxy.result": result };
}
