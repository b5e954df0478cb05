import { createServer, type Server } from "node:http";
import type { Runtime } from "./runtime/index.js";

/**
 * The kubelet-style endpoint the gateway proxies `capctl logs` to:
 * GET /containerLogs/<namespace>/<pod>/<container>?follow=true&tailLines=N&previous=true
 */
export function createLogServer(runtime: Runtime, uidFor: (namespace: string, name: string) => string | undefined): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://node");
    const [, route, namespace, name, container] = url.pathname.split("/");
    if (req.method !== "GET" || route !== "containerLogs" || !namespace || !name || !container) {
      res.writeHead(404).end("not found\n");
      return;
    }
    const uid = uidFor(namespace, name);
    if (!uid || !runtime.status(uid)) {
      res.writeHead(404).end(`pod ${namespace}/${name} does not run on this node\n`);
      return;
    }
    const tail = url.searchParams.get("tailLines");
    let stream: NodeJS.ReadableStream;
    try {
      stream = runtime.logs(uid, container, {
        follow: url.searchParams.get("follow") === "true",
        previous: url.searchParams.get("previous") === "true",
        ...(tail !== null ? { tailLines: Number(tail) } : {}),
      });
    } catch (e) {
      res.writeHead(404).end(`${e instanceof Error ? e.message : String(e)}\n`);
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    stream.pipe(res);
    req.on("close", () => (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.());
  });
}
