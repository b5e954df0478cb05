/**
 * The core/v1 Endpoints of a Service with a selector, as Kubernetes' endpoints controller computes them:
 * ready pods in `addresses`, the others in `notReadyAddresses`, addresses that serve the same ports
 * packed into one subset (RepackSubsets).
 */
import { CLUSTER_IP_NONE, type EndpointAddress, type EndpointSubset, type Pod, type Service } from "@capstan/api";
import { endpointHostname, endpointPorts, isPodReady, podReference, portsKey, shouldPodBeInEndpoints, type ResolvedPort } from "./pod-endpoints.js";

export function endpointSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const headlessWithoutPorts = (service.spec?.ports.length ?? 0) === 0 && service.spec?.clusterIp === CLUSTER_IP_NONE;
  const subsets = new Map<string, { ports: ResolvedPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const ports = endpointPorts(service, pod);
    // A pod that serves none of the Service's ports is no endpoint of it, unless the Service has none.
    if (ports.length === 0 && !headlessWithoutPorts) continue;
    const key = portsKey(ports);
    let subset = subsets.get(key);
    if (!subset) subsets.set(key, (subset = { ports, ready: [], notReady: [] }));
    const hostname = endpointHostname(pod, service);
    const address: EndpointAddress = {
      ip: pod.status!.podIp,
      hostname: hostname ?? "",
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: podReference(pod),
    };
    (publishNotReady || isPodReady(pod) ? subset.ready : subset.notReady).push(address);
  }
  return [...subsets.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, s]) => ({
      addresses: s.ready.sort(byIP),
      notReadyAddresses: s.notReady.sort(byIP),
      ports: [...s.ports].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    }));
}

function byIP(a: EndpointAddress, b: EndpointAddress): number {
  return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0;
}
