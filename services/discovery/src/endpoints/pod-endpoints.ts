/**
 * What one pod contributes to a Service's endpoints, after Kubernetes' pkg/api/v1/pod and
 * pkg/controller/util/endpoint: whether it is listed at all, whether it is ready, which of the
 * Service's ports it serves, and the hostname it is known by.
 */
import { isIPv4 } from "node:net";
import type { ObjectReference, Pod, Service, ServicePort } from "@capstan/api";

/** An endpoint's port: the Service port's name and protocol with the number resolved on the pod. */
export interface ResolvedPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly appProtocol?: string;
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export function isPodTerminating(pod: Pod): boolean {
  return pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== "";
}

/**
 * ShouldPodBeInEndpoints: a pod with an IPv4 address that has not finished. Terminating pods count only
 * when asked (EndpointSlices keep them, marked; Endpoints drop them unless the Service publishes not-ready
 * addresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (!isIPv4(pod.status?.podIp ?? "")) return false;
  if (!includeTerminating && isPodTerminating(pod)) return false;
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed";
}

/**
 * FindPort: a numeric targetPort as it is (unset means the Service port); a named one is looked up among
 * the pod's container ports of the same protocol, undefined when the pod has no such port.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort;
  if (target === "") return servicePort.port;
  if (/^[0-9]+$/.test(target)) return Number(target);
  for (const container of pod.spec?.containers ?? []) {
    const found = container.ports.find((p) => p.name === target && (p.protocol || "TCP") === servicePort.protocol);
    if (found) return found.containerPort;
  }
  return undefined;
}

/** The Service's ports this pod serves, in the Service's order; ports it lacks are left out. */
export function endpointPorts(service: Service, pod: Pod): ResolvedPort[] {
  const ports: ResolvedPort[] = [];
  for (const servicePort of service.spec?.ports ?? []) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    ports.push({
      name: servicePort.name,
      port,
      protocol: servicePort.protocol,
      ...(servicePort.appProtocol !== undefined ? { appProtocol: servicePort.appProtocol } : {}),
    });
  }
  return ports;
}

/** A pod is known by its hostname under the Service its subdomain names (a StatefulSet's governing Service). */
export function endpointHostname(pod: Pod, service: Service): string | undefined {
  const hostname = pod.spec?.hostname ?? "";
  const sameService = pod.spec?.subdomain === service.metadata?.name && pod.metadata?.namespace === service.metadata?.namespace;
  return hostname !== "" && sameService ? hostname : undefined;
}

export function podReference(pod: Pod): ObjectReference {
  const meta = pod.metadata!;
  return { apiVersion: "", kind: "Pod", namespace: meta.namespace, name: meta.name, uid: meta.uid, resourceVersion: "", fieldPath: "" };
}

/** A stable key for a set of ports, to group endpoints that serve the same ones. */
export function portsKey(ports: readonly { name?: string | undefined; port?: number | undefined; protocol?: string | undefined }[]): string {
  return ports
    .map((p) => `${p.name ?? ""}/${p.protocol ?? "TCP"}/${p.port ?? 0}`)
    .sort()
    .join(",");
}
