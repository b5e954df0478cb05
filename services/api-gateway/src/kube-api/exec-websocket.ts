/**
 * pods/exec and pods/attach as kubectl 1.30+ asks for them: a GET upgraded to a WebSocket speaking the
 * remote command protocol (v5.channel.k8s.io, else v4.channel.k8s.io; k8s.io/apimachinery's wsstream and
 * client-go's remotecommand/websocket.go). Each binary message starts with its channel: 0 stdin, 1 stdout,
 * 2 stderr, 3 the outcome as a Status, 4 a terminal resize, and in v5 255 closing the channel the next
 * byte names. The command runs through the gRPC Exec/Attach path (exec-proxy.ts), the WebSocket dressed
 * as its call.
 */
import { EventEmitter } from "node:events";
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { ExecRequest, ExecResponse } from "@capstan/api";
import { proxyExec, type ExecCall } from "../exec-proxy.js";
import type { ObjectService } from "../object-service.js";
import { booleanParam } from "./request.js";
import { parseResourcePath } from "./resource-path.js";
import { badRequest, methodNotAllowed, notFoundPath, statusOf, type StatusTarget } from "./status.js";

/** The subprotocols served, the preferred first: v5 adds the close signal that ends a command's stdin. */
export const REMOTE_COMMAND_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"] as const;

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

/** Output the client has not taken yet beyond which the command's output waits (exec-proxy pauses the node agent). */
const HIGH_WATER_BYTES = 1024 * 1024;

interface RemoteCommand {
  readonly verb: "exec" | "attach";
  readonly namespace: string;
  readonly name: string;
  readonly container: string;
  readonly command: string[];
  readonly stdin: boolean;
  readonly tty: boolean;
}

/**
 * Answers an upgrade request of the Kubernetes API: a WebSocket exec or attach, or the Status of why not
 * (written on the raw socket, as no response object exists for an upgrade). `done` gets the status
 * answered, once the connection is over.
 */
export function serveUpgrade(
  service: ObjectService,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  log: (message: string) => void,
  done: (code: number) => void,
): void {
  socket.on("error", () => socket.destroy());
  const target: StatusTarget = { kind: "", name: "" };
  void remoteCommandOf(service, req, target)
    .then((command) => {
      socket.once("close", () => done(101));
      wss.handleUpgrade(req, socket, head, (ws) => bridge(service, ws, command));
    })
    .catch((e: unknown) => {
      const status = statusOf(e, target.kind ? target : undefined);
      socket.once("close", () => done(status.code));
      if (status.code >= 500) log(`${req.method} ${req.url}: ${status.message}`);
      const body = JSON.stringify(status);
      socket.end(
        `HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
}

/** A WebSocket server that only upgrades: the Kubernetes API server hands it the requests it checked. */
export function remoteCommandSockets(): WebSocketServer {
  return new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => REMOTE_COMMAND_PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
}

/** The command a request asks for, after the apiserver's checks of it (PodExecOptions, the pod, the protocol). */
async function remoteCommandOf(service: ObjectService, req: IncomingMessage, target: StatusTarget): Promise<RemoteCommand> {
  const url = new URL(req.url ?? "/", "http://kube-api");
  const path = parseResourcePath(url.pathname.replace(/\/+$/, ""));
  target.kind = path.info.kind;
  target.name = path.name;
  if (path.info.kind !== "Pod" || (path.subresource !== "exec" && path.subresource !== "attach")) throw notFoundPath();
  const verb = path.subresource;
  const q = url.searchParams;
  const options = {
    verb,
    namespace: path.namespace,
    name: path.name,
    container: q.get("container") ?? "",
    command: verb === "exec" ? q.getAll("command") : [],
    stdin: booleanParam(q, "stdin"),
    tty: booleanParam(q, "tty"),
  };
  if (verb === "exec" && options.command.length === 0) throw badRequest("you must specify at least 1 command");
  if (!options.stdin && !booleanParam(q, "stdout") && !booleanParam(q, "stderr")) throw badRequest("you must specify at least one of stdin, stdout, stderr");
  // The pod's absence is the apiserver's 404 before any upgrade; what the node says comes on channel 3.
  await service.get({ kind: "Pod", namespace: path.namespace, name: path.name });
  if (req.headers.upgrade?.toLowerCase() !== "websocket") {
    // kubectl tries SPDY only after the WebSocket failed; this says why neither works.
    throw badRequest(`pods/${verb} is served over WebSocket only (${REMOTE_COMMAND_PROTOCOLS.join(", ")}), not ${req.headers.upgrade ?? "a plain request"}`);
  }
  if (req.method !== "GET") throw methodNotAllowed(req.method ?? "");
  const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
  if (!REMOTE_COMMAND_PROTOCOLS.some((p) => offered.includes(p))) {
    throw badRequest(`requested protocol(s) are not supported: [${offered.join(" ")}]; supports [${REMOTE_COMMAND_PROTOCOLS.join(" ")}]`);
  }
  return options;
}

function bridge(service: ObjectService, ws: WebSocket, command: RemoteCommand): void {
  const call = new WebSocketExecCall(ws, command);
  proxyExec(command.verb, service, call, (e) => call.fail(e));
  call.start();
}

/** The WebSocket as exec-proxy's call: its frames as ExecRequests, ExecResponses as its frames. */
class WebSocketExecCall extends EventEmitter implements ExecCall {
  #done = false;
  #full = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly command: RemoteCommand,
  ) {
    super();
    ws.on("message", (data, isBinary) => {
      if (isBinary) this.#receive(bufferOf(data));
    });
    ws.on("close", () => {
      if (!this.#done) this.emit("cancelled");
    });
    ws.on("error", () => ws.terminate());
  }

  start(): void {
    const { namespace, name, container, command, stdin, tty } = this.command;
    this.emit("data", { start: { namespace, name, container, command, stdin, tty } } satisfies ExecRequest);
  }

  write(m: ExecResponse): boolean {
    if (m.stdout) this.#send(STDOUT, m.stdout);
    if (m.stderr) this.#send(STDERR, m.stderr);
    if (m.exit) {
      this.#done = true;
      this.#send(ERROR, Buffer.from(JSON.stringify(exitStatus(this.command, m.exit))));
    }
    this.#full = this.ws.bufferedAmount > HIGH_WATER_BYTES;
    return !this.#full;
  }

  end(): void {
    this.ws.close(1000);
  }

  /** The exec failed before or instead of its exit: the Status of why, as the apiserver sends it on channel 3. */
  fail(e: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#send(ERROR, Buffer.from(JSON.stringify(statusOf(e, { kind: "Pod", name: this.command.name }))));
    this.ws.close(1000);
  }

  #send(channel: number, data: Uint8Array): void {
    this.ws.send(Buffer.concat([Buffer.of(channel), data]), () => {
      if (this.#full && this.ws.bufferedAmount <= HIGH_WATER_BYTES) {
        this.#full = false;
        this.emit("drain");
      }
    });
  }

  #receive(frame: Buffer): void {
    const data = frame.subarray(1);
    switch (frame[0]) {
      case STDIN:
        if (this.command.stdin) this.emit("data", { stdin: data } satisfies ExecRequest);
        return;
      case RESIZE: {
        const size = terminalSizeOf(data);
        if (size) this.emit("data", { resize: size } satisfies ExecRequest);
        return;
      }
      case CLOSE:
        if (this.ws.protocol === REMOTE_COMMAND_PROTOCOLS[0] && data[0] === STDIN) this.emit("data", { stdinClose: true } satisfies ExecRequest);
        return;
    }
    // Other channels carry nothing from the client; the apiserver ignores them too.
  }
}

function bufferOf(data: RawData): Buffer {
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** client-go's TerminalSize JSON, `{"Width":80,"Height":24}`; undefined for anything else. */
function terminalSizeOf(data: Buffer): { width: number; height: number } | undefined {
  try {
    const size = JSON.parse(data.toString("utf8")) as { Width?: unknown; Height?: unknown };
    const { Width: width, Height: height } = size;
    if (typeof width === "number" && typeof height === "number" && width >= 0 && height >= 0) return { width, height };
  } catch {
    // A broken resize is dropped; the command keeps its size.
  }
  return undefined;
}

/**
 * The outcome as the kubelet writes it on channel 3: Success, or for an exec's non-zero exit the
 * NonZeroExitCode Status whose ExitCode cause kubectl exits with. An attach ends in Success when the
 * container does, as in Kubernetes.
 */
export function exitStatus(command: Pick<RemoteCommand, "verb" | "command">, exit: { exitCode: number; message: string }): Record<string, unknown> {
  if (command.verb === "exec" && exit.exitCode !== 0) {
    const why = exit.message ? `${exit.message}, exit code ${exit.exitCode}` : `exit code ${exit.exitCode}`;
    return {
      metadata: {},
      status: "Failure",
      message: `command terminated with non-zero exit code: error executing command [${command.command.join(" ")}], ${why}`,
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: String(exit.exitCode) }] },
    };
  }
  if (exit.exitCode === 0 && exit.message !== "") {
    return { metadata: {}, status: "Failure", message: `Internal error occurred: ${exit.message}`, reason: "InternalError", code: 500 };
  }
  return { metadata: {}, status: "Success" };
}
