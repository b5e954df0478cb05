import { request as httpRequest, type IncomingMessage } from "node:http";
import { InvalidError, UnavailableError } from "@capstan/apimachinery";
import { kubeletEndpoint } from "./kubelet-endpoint.js";
import type { ObjectService } from "./object-service.js";

/** A container log as both transports ask for it (gRPC Logs, the Kubernetes API's pods/log). */
export interface ContainerLogRequest {
  readonly namespace: string;
  readonly name: string;
  /** "" for the pod's only container. */
  readonly container: string;
  readonly follow: boolean;
  readonly previous: boolean;
  readonly tailLines?: number | undefined;
}

/**
 * The log of a container, streamed from the node agent that runs its pod (its kubelet-style HTTP
 * endpoint): resolves once the node agent answered, with the body to pass on; the caller destroys it
 * to stop following.
 */
export async function openContainerLog(service: ObjectService, req: ContainerLogRequest): Promise<IncomingMessage> {
  const pod = await service.record({ kind: "Pod", namespace: req.namespace || "default", name: req.name });
  const { url: kubelet, nodeName } = await kubeletEndpoint(service, pod, "logs");
  const containers = ((pod.object["spec"] as { containers?: { name: string }[] } | undefined)?.containers ?? []).map((c) => c.name);
  const container = req.container || containers[0] || "";
  if (!req.container && containers.length > 1) {
    throw new InvalidError("logs request", [
      { path: "container", message: `Required value: pod ${pod.name} has several containers, choose one of: [${containers.join(" ")}]` },
    ]);
  }
  const query = new URLSearchParams({ follow: String(req.follow), previous: String(req.previous) });
  if (req.tailLines !== undefined) query.set("tailLines", String(req.tailLines));
  const url = `${kubelet}/containerLogs/${pod.namespace}/${pod.name}/${container}?${query}`;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const r = httpRequest(url, (res) => {
      if (res.statusCode === 200) return resolve(res);
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => reject(new UnavailableError(body.trim() || `node ${nodeName} answered ${res.statusCode}`)));
    });
    r.on("error", (cause) => reject(new UnavailableError(`cannot reach node ${nodeName} for logs: ${cause.message}`, { cause })));
    r.end();
  });
}
