import { request as httpRequest } from "node:http";
import type { Duplex } from "node:stream";
import { EXEC_PROTOCOL, ExecFrameReader, ExecRequest, ExecResponse, execFrame, findOrDefaultContainer, podView, type ExecStart } from "@capstan/api";
import { UnavailableError } from "@capstan/apimachinery";
import { kubeletEndpoint } from "./kubelet-endpoint.js";
import type { ObjectService } from "./object-service.js";
import { UndecodableRequest, execStartErrors, invalidRequest, throwIfInvalidRequest } from "./request-validation.js";

/**
 * The call an exec runs for, as much of it as the proxy uses: the gRPC Exec/Attach stream, or the
 * Kubernetes API's WebSocket in its shape (kube-api/exec-websocket.ts).
 */
export interface ExecCall {
  on(event: "data", listener: (m: ExecRequest | UndecodableRequest) => void): unknown;
  on(event: "end" | "cancelled", listener: () => void): unknown;
  once(event: "drain", listener: () => void): unknown;
  write(m: ExecResponse): boolean;
  end(): void;
}

/**
 * Runs an Exec (or Attach) call through the node agent that runs the pod: the first request opens an upgraded
 * connection to its kubelet-style endpoint; later requests (stdin, its end) go down it as frames, and
 * its frames (output, then the exit) come back as responses. Requests that arrive while the connection
 * opens wait for it; the client ending its side ends the command's stdin; a cancelled call closes it.
 */
export function proxyExec(verb: "exec" | "attach", service: ObjectService, call: ExecCall, fail: (e: unknown) => void): void {
  let upstream: Duplex | undefined;
  let opening: Promise<void> | undefined;
  const waiting: Buffer[] = [];
  const forward = (m: ExecRequest) => {
    const frame = execFrame(ExecRequest.encode(m).finish());
    if (upstream) upstream.write(frame);
    else waiting.push(frame);
  };
  let cancelled = false;
  const failed = (e: unknown) => {
    upstream?.destroy();
    if (!cancelled) fail(e);
  };
  call.on("data", (m: ExecRequest | UndecodableRequest) => {
    if (m instanceof UndecodableRequest) return failed(m.error);
    if (opening) return forward(m);
    opening = openExec(verb, service, m.start)
      .then(({ socket, head }) => {
        if (cancelled) {
          socket.destroy();
          return;
        }
        upstream = socket;
        relayResponses(socket, head, call, failed);
        for (const frame of waiting.splice(0)) socket.write(frame);
      })
      .catch(failed);
  });
  call.on("end", () => forward({ stdinClose: true }));
  call.on("cancelled", () => {
    cancelled = true;
    upstream?.destroy();
  });
}

/** The node agent's exec connection for `start`, after the checks a Kubernetes API server makes of it. */
async function openExec(verb: "exec" | "attach", service: ObjectService, start: ExecStart | undefined): Promise<{ socket: Duplex; head: Buffer }> {
  throwIfInvalidRequest(execStartErrors(start, verb));
  const { namespace, name, container: requested, command, stdin, tty, terminalSize } = start!;
  const pod = await service.record({ kind: "Pod", namespace: namespace || "default", name });
  const chosen = findOrDefaultContainer(podView(pod.object), requested);
  if ("error" in chosen) throw invalidRequest([{ path: "start.container", message: `Invalid value "${requested}": ${chosen.error}` }]);
  const { url: kubelet, nodeName } = await kubeletEndpoint(service, pod, verb);
  const query = new URLSearchParams(command.map((c): [string, string] => ["command", c]));
  if (stdin) query.set("input", "1");
  if (tty) query.set("tty", "1");
  if (terminalSize) {
    query.set("width", String(terminalSize.width));
    query.set("height", String(terminalSize.height));
  }
  const path = [pod.namespace, pod.name, chosen.container].map(encodeURIComponent).join("/");
  return new Promise((resolve, reject) => {
    const r = httpRequest(`${kubelet}/${verb}/${path}?${query}`, { method: "POST", headers: { Connection: "Upgrade", Upgrade: EXEC_PROTOCOL } });
    r.on("upgrade", (_res, socket, head) => resolve({ socket, head }));
    r.on("response", (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => reject(new UnavailableError(body.trim() || `node ${nodeName} answered ${res.statusCode}`)));
    });
    r.on("error", (cause) => reject(new UnavailableError(`cannot reach node ${nodeName} for ${verb}: ${cause.message}`, { cause })));
    r.end();
  });
}

/** The node agent's frames as responses, until its exit; a connection lost before it fails the call. */
function relayResponses(socket: Duplex, head: Buffer, call: ExecCall, fail: (e: unknown) => void): void {
  const reader = new ExecFrameReader();
  let finished = false;
  const relay = (chunk: Buffer) => {
    let responses: ExecResponse[];
    try {
      responses = reader.push(chunk).map((b) => ExecResponse.decode(b));
    } catch (cause) {
      finished = true; // failed here, not by the close below
      socket.destroy();
      return fail(new UnavailableError(`the node agent's exec stream is broken: ${cause instanceof Error ? cause.message : String(cause)}`, { cause }));
    }
    for (const m of responses) {
      // Output waits on the node agent while the client is slow to take it.
      if (!call.write(m) && !m.exit) {
        socket.pause();
        call.once("drain", () => socket.resume());
      }
      if (m.exit) {
        finished = true;
        call.end();
        socket.destroy();
      }
    }
  };
  socket.on("data", relay);
  socket.on("error", () => socket.destroy());
  socket.on("close", () => {
    if (!finished) fail(new UnavailableError("the node agent closed the exec connection before the command exited"));
  });
  if (head.length > 0) relay(head);
}
