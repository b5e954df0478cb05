import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { EXEC_PROTOCOL, ExecFrameReader, ExecRequest, ExecResponse, execFrame } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import type { ExecOptions, Runtime } from "./runtime/index.js";

/**
 * What a kubelet-style URL asks: /exec/<namespace>/<pod>/<container>?command=..&input=1&tty=1&width=W&height=H,
 * or /attach/<namespace>/<pod>/<container> (no command).
 */
export function execTarget(url: URL): { verb: "exec" | "attach"; namespace: string; name: string; container: string; opts: ExecOptions } | undefined {
  const [, verb, namespace, name, container, ...rest] = url.pathname.split("/").map(decodeURIComponent);
  const command = url.searchParams.getAll("command");
  if ((verb !== "exec" && verb !== "attach") || !namespace || !name || !container || rest.length > 0) return undefined;
  if ((verb === "exec") !== command.length > 0) return undefined;
  const width = Number(url.searchParams.get("width") ?? 0);
  const height = Number(url.searchParams.get("height") ?? 0);
  return {
    verb,
    namespace,
    name,
    container,
    opts: {
      command,
      stdin: url.searchParams.get("input") === "1",
      tty: url.searchParams.get("tty") === "1",
      ...(width > 0 && height > 0 ? { terminalSize: { width, height } } : {}),
    },
  };
}

/**
 * Adds exec and attach to the kubelet-style server the gateway proxies `capctl exec` to: a POST with
 * `Upgrade: capstan-exec` answers 101 and becomes the command's stdin, stdout, stderr and exit, or
 * answers an HTTP error with one line saying why nothing runs. The command is killed when the connection goes.
 */
export function serveExec(server: Server, runtime: Runtime, uidFor: (namespace: string, name: string) => string | undefined, log: (message: string) => void): void {
  server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    socket.on("error", () => socket.destroy());
    const target = req.headers.upgrade === EXEC_PROTOCOL ? execTarget(new URL(req.url ?? "/", "http://node")) : undefined;
    if (req.method !== "POST" || !target) return refuse(socket, 400, "not an exec or attach request");
    const uid = uidFor(target.namespace, target.name);
    if (!uid || !runtime.status(uid)) return refuse(socket, 404, `pod ${target.namespace}/${target.name} does not run on this node`);
    let session;
    try {
      session = target.verb === "exec" ? runtime.exec(uid, target.container, target.opts) : runtime.attach(uid, target.container);
    } catch (e) {
      return refuse(socket, isCapstanError(e) && e.code === "NotFound" ? 404 : 409, e instanceof Error ? e.message : String(e));
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${EXEC_PROTOCOL}\r\n\r\n`);
    const send = (m: ExecResponse) => socket.write(execFrame(ExecResponse.encode(m).finish()));
    // Output waits while the gateway is slow to take it, so a large output does not pile up here.
    const relay = (stream: NodeJS.ReadableStream, wrap: (d: Buffer) => ExecResponse) =>
      stream.on("data", (d: Buffer) => {
        if (send(wrap(d))) return;
        stream.pause();
        socket.once("drain", () => stream.resume());
      });
    relay(session.stdout, (stdout) => ({ stdout }));
    relay(session.stderr, (stderr) => ({ stderr }));
    const reader = new ExecFrameReader();
    let applied = Promise.resolve();
    socket.on("data", (chunk: Buffer) => {
      let requests: ExecRequest[];
      try {
        requests = reader.push(chunk).map((b) => ExecRequest.decode(b));
      } catch (e) {
        // Not the gateway's frames: the command goes with the connection.
        log(`${target.verb} in pod ${target.namespace}/${target.name}: closing a connection that sent a broken frame: ${e instanceof Error ? e.message : String(e)}`);
        return socket.destroy();
      }
      // In order: input typed after a resize reaches a terminal of the new size.
      for (const m of requests) {
        applied = applied.then(async () => {
          if (m.resize) await session.resize(m.resize);
          if (m.stdin !== undefined) session.stdin?.write(m.stdin);
          if (m.stdinClose) session.stdin?.end();
        });
      }
    });
    socket.on("close", () => session.kill());
    void session.exited.then((exit) => {
      send({ exit });
      socket.end();
    });
  });
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = `${message}\n`;
  socket.end(`HTTP/1.1 ${status} ${status === 404 ? "Not Found" : status === 409 ? "Conflict" : "Bad Request"}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
