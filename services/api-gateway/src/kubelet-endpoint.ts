import { NotFoundError, UnavailableError, type ObjectRecord } from "@capstan/apimachinery";
import type { ObjectService } from "./object-service.js";

/** The container runtime a simulated node reports (status.nodeInfo.containerRuntimeVersion): it serves no kubelet endpoint. */
const SIMULATED_RUNTIME = "simulated://";

interface NodeStatusJson {
  addresses?: { type: string; address: string }[];
  daemonEndpoints?: { kubeletEndpoint?: { port?: number } };
  nodeInfo?: { containerRuntimeVersion?: string };
}

/** The base URL of the kubelet-style endpoint (logs, exec) of the node agent that runs `pod`; `what` names the request in errors. */
export async function kubeletEndpoint(service: Pick<ObjectService, "record">, pod: ObjectRecord, what: string): Promise<{ url: string; nodeName: string }> {
  const nodeName = pod.nodeName;
  if (!nodeName) throw new NotFoundError({ kind: "Pod", namespace: pod.namespace, name: `${pod.name} (not scheduled yet, no ${what})` });
  const status = ((await service.record({ kind: "Node", namespace: "", name: nodeName })).object as { status?: NodeStatusJson }).status;
  const address = status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  const port = status?.daemonEndpoints?.kubeletEndpoint?.port;
  if (address && port) return { url: `http://${address}:${port}`, nodeName };
  if (status?.nodeInfo?.containerRuntimeVersion?.startsWith(SIMULATED_RUNTIME)) {
    throw new UnavailableError(`${what} is not supported by the simulated runtime (pod ${pod.name} runs on simulated node ${nodeName})`);
  }
  throw new UnavailableError(`node ${nodeName} publishes no ${what} endpoint`);
}
