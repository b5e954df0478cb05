import { CLUSTER_IP_NONE } from "@capstan/api";
import type { JsonObject } from "@capstan/client";

/** kube-proxy's default for sessionAffinityConfig.clientIP.timeoutSeconds: three hours. */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

export type ProxyProtocol = "TCP" | "UDP";

/** Where the proxy listens for one service port: an address:port and its protocol. */
export interface ListenAddress {
  readonly protocol: ProxyProtocol;
  readonly ip: string;
  readonly port: number;
}

/** One port of one Service, as the proxy serves it (kube-proxy's ServicePortName and BaseServicePortInfo). */
export interface ServicePort {
  /** "namespace/name:portName" (portName may be empty), the key endpoints and sessions are kept under. */
  readonly key: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly portName: string;
  readonly protocol: ProxyProtocol;
  /** Seconds a client stays with its endpoint (sessionAffinity ClientIP); undefined without affinity. */
  readonly affinityTimeoutSeconds: number | undefined;
  /** The cluster IP, the node port on the node's address, and each load balancer ingress IP. */
  readonly listen: readonly ListenAddress[];
}

interface ServicePortJson {
  name?: string;
  protocol?: string;
  port?: number;
  nodePort?: number;
}

export function servicePortKey(namespace: string, serviceName: string, portName: string): string {
  return `${namespace}/${serviceName}:${portName}`;
}

export function listenAddressKey(a: ListenAddress): string {
  return `${a.protocol}/${a.ip}:${a.port}`;
}

/**
 * The ports the proxy serves for a Service: none for a headless or ExternalName one (DNS answers those),
 * none for SCTP (not proxied here); node ports on `nodeIP` for NodePort and LoadBalancer services.
 */
export function servicePortsOf(service: JsonObject, nodeIP: string): ServicePort[] {
  const metadata = (service["metadata"] ?? {}) as { namespace?: string; name?: string };
  const spec = (service["spec"] ?? {}) as {
    type?: string;
    clusterIP?: string;
    ports?: ServicePortJson[];
    sessionAffinity?: string;
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  };
  const ingress = ((service["status"] as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress ?? [])
    .map((i) => i.ip)
    .filter((ip): ip is string => !!ip);
  const clusterIP = spec.clusterIP;
  if (spec.type === "ExternalName" || !clusterIP || clusterIP === CLUSTER_IP_NONE) return [];
  const namespace = metadata.namespace ?? "default";
  const serviceName = metadata.name ?? "";
  const hasNodePorts = spec.type === "NodePort" || spec.type === "LoadBalancer";
  const affinityTimeoutSeconds =
    spec.sessionAffinity === "ClientIP" ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS) : undefined;
  const out: ServicePort[] = [];
  for (const p of spec.ports ?? []) {
    const protocol = p.protocol ?? "TCP";
    if ((protocol !== "TCP" && protocol !== "UDP") || !p.port) continue;
    const listen: ListenAddress[] = [{ protocol, ip: clusterIP, port: p.port }];
    if (hasNodePorts && p.nodePort) listen.push({ protocol, ip: nodeIP, port: p.nodePort });
    for (const ip of ingress) listen.push({ protocol, ip, port: p.port });
    const portName = p.name ?? "";
    out.push({ key: servicePortKey(namespace, serviceName, portName), namespace, serviceName, portName, protocol, affinityTimeoutSeconds, listen });
  }
  return out;
}
