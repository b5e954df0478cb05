import { NotFoundError, UnavailableError } from "@capstan/apimachinery";
import type { ObjectRecord } from "@capstan/eventstore";
import type { ObjectService } from "./object-service.js";

/** The base URL of the kubelet-style endpoint (logs, exec) of the node agent that runs `pod`; `what` names the request in errors. */
export async function kubeletEndpoint(service: ObjectService, pod: ObjectRecord, what: string): Promise<{ url: string; nodeName: string }> {
  const nodeName = pod.nodeName;
  if (!nodeName) throw new NotFoundError({ kind: "Pod", namespace: pod.namespace, name: `${pod.name} (not scheduled yet, no ${what})` });
  const node = (await service.record({ kind: "Node", namespace: "", name: nodeName })).object as {
    status?: { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { port?: number } } };
  };
  const address = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.port;
  if (!address || !port) throw new UnavailableError(`node ${nodeName} publishes no ${what} endpoint`);
  return { url: `http://${address}:${port}`, nodeName };
}
