/**
 * The catalog's `agnhost` image: the subcommands of Kubernetes' e2e test image that Service tests use.
 *
 *   serve-hostname [--http=true] [--close] [--port 9376] | [--http=false] [--tcp] [--udp]
 *       answers every HTTP request, TCP connection or UDP datagram with the pod's hostname.
 *   netexec [--http-port 8080] [--udp-port 8081, -1 for none] [--delay-shutdown 0]
 *       HTTP: / (the time), /hostname, /healthz, /echo?msg=…[&code=N], /clientip, /exit?code=N,
 *       /shutdown, and /readyz (200 "ok"; 503 once SIGTERM arrived). UDP: `hostname`, `echo <msg>`,
 *       `clientip`. Parameters come from the query or a urlencoded POST body, as Go's FormValue reads them.
 *       Capstan extension, to flip readiness in tests: `POST /readyz/fail` makes /readyz answer 503 until
 *       `POST /readyz/pass`.
 *
 * Servers listen on the pod's IP (POD_IP, as pods share the host's network here), all addresses without
 * it. On SIGTERM (after netexec's --delay-shutdown) they stop accepting and exit 0 once they have served
 * what they hold, so a rolling update loses no request: connections the kernel had already accepted, a
 * request in flight, a connection whose first request is still on its way, and an idle keep-alive
 * connection's next request (answered with `Connection: close`). A connection that sends nothing for
 * DRAIN_IDLE_MS is closed. (Kubernetes' serve-hostname keeps serving until it is killed instead.)
 */
import { createSocket } from "node:dgram";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTcpServer, Server as TcpServer, type Socket } from "node:net";
import { hostname as osHostname } from "node:os";

type Closable = { close(callback?: () => void): unknown };

/** What the pod calls itself: the HOSTNAME the runtime sets, as the sandbox's UTS name is not there without one. */
const podHostname = process.env["HOSTNAME"] || osHostname();
const listenHost = process.env["POD_IP"] || "0.0.0.0";
/** Set on SIGTERM: /readyz fails from then on, and answers close their connection (keep-alive cannot hold the exit back). */
let terminating = false;
/** netexec --delay-shutdown: how long it keeps serving after SIGTERM, so endpoints can drop the pod first. */
let shutdownDelayMs = 0;
/** While shutting down, how long a connection may wait without a request in progress before it is closed. */
const DRAIN_IDLE_MS = 1000;
/** Connections accepted so far, by every server: shutting down, the listeners close once this stands still. */
let acceptedConnections = 0;

const usage = `agnhost: Kubernetes e2e test image (Capstan catalog)

Usage: agnhost serve-hostname [--http=true|false] [--close] [--udp] [--tcp] [--port 9376]
       agnhost netexec [--http-port 8080] [--udp-port 8081] [--delay-shutdown 0]
`;

/** Go-style flags: `--name value`, `--name=value`, and bare `--name` for booleans. */
function parseFlags(argv: readonly string[], booleans: ReadonlySet<string>): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument "${arg}"`);
    const name = m[1]!;
    if (m[2] !== undefined) flags.set(name, m[2]);
    else if (booleans.has(name)) flags.set(name, "true");
    else if (i + 1 < argv.length) flags.set(name, argv[++i]!);
    else throw new Error(`flag needs an argument: --${name}`);
  }
  return flags;
}

function intFlag(flags: Map<string, string>, name: string, fallback: number, min: number, max: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`invalid value "${raw}" for flag --${name}: must be an integer from ${min} to ${max}`);
  return value;
}

function boolFlag(flags: Map<string, string>, name: string, fallback: boolean): boolean {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  if (raw !== "true" && raw !== "false") throw new Error(`invalid value "${raw}" for flag --${name}`);
  return raw === "true";
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);
}

/** An HTTP connection: whether a request is being answered, and its timer once the server shuts down. */
interface HttpConnection {
  busy: boolean;
  idle: NodeJS.Timeout | undefined;
}

function listenHttp(port: number, handle: (req: IncomingMessage, res: ServerResponse) => void): Closable {
  const connections = new Map<Socket, HttpConnection>();
  let draining = false;
  const closeWhenIdle = (socket: Socket, c: HttpConnection) => {
    clearTimeout(c.idle);
    c.idle = setTimeout(() => c.busy || socket.destroy(), DRAIN_IDLE_MS);
  };
  const server = createHttpServer((req, res) => {
    const c = connections.get(req.socket);
    if (c) {
      c.busy = true;
      clearTimeout(c.idle);
      res.once("close", () => {
        c.busy = false;
        if (draining) closeWhenIdle(req.socket, c);
      });
    }
    if (terminating) res.setHeader("Connection", "close");
    handle(req, res);
  });
  server.on("connection", (socket: Socket) => {
    acceptedConnections++;
    const c: HttpConnection = { busy: false, idle: undefined };
    connections.set(socket, c);
    socket.once("close", () => {
      clearTimeout(c.idle);
      connections.delete(socket);
    });
    if (draining) closeWhenIdle(socket, c);
  });
  server.on("error", (e) => {
    process.stderr.write(`listen on ${listenHost}:${port}: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(port, listenHost, () => log(`Serving HTTP on ${listenHost}:${port}`));
  return {
    close(done?: () => void) {
      draining = true;
      // net.Server's close only stops listening and calls back once every connection is gone;
      // http.Server's would also close each idle keep-alive connection at once, under a client that
      // may be sending its next request on it right then.
      TcpServer.prototype.close.call(server, done);
      for (const [socket, c] of connections) if (!c.busy) closeWhenIdle(socket, c);
    },
  };
}

function reply(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function serveHostname(argv: readonly string[]): Closable[] {
  const flags = parseFlags(argv, new Set(["http", "udp", "tcp", "close"]));
  const port = intFlag(flags, "port", 9376, 1, 65535);
  const [http, tcp, udp] = [boolFlag(flags, "http", true), boolFlag(flags, "tcp", false), boolFlag(flags, "udp", false)];
  if (http && (tcp || udp)) throw new Error("can't use --http with --tcp or --udp (set --http=false)");
  const closeEach = boolFlag(flags, "close", false);
  const servers: Closable[] = [];
  if (http) {
    servers.push(
      listenHttp(port, (_req, res) => {
        if (closeEach) res.setHeader("Connection", "close");
        reply(res, 200, podHostname);
      }),
    );
  }
  if (tcp) {
    const server: TcpServer = createTcpServer((socket) => {
      acceptedConnections++;
      socket.end(podHostname);
    });
    server.listen(port, listenHost, () => log(`Serving TCP on ${listenHost}:${port}`));
    servers.push(server);
  }
  if (udp) {
    const socket = createSocket("udp4");
    socket.on("message", (_msg, from) => socket.send(podHostname, from.port, from.address));
    socket.bind(port, listenHost, () => log(`Serving UDP on ${listenHost}:${port}`));
    servers.push(socket);
  }
  if (servers.length === 0) throw new Error("serve-hostname: at least one of --http, --tcp or --udp must be set");
  return servers;
}

/** Go's Request.FormValue: the query, and for a urlencoded POST or PUT the body too (which it waits for). */
async function formValues(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const form = new URLSearchParams(url.search);
  const type = req.headers["content-type"] ?? "";
  if ((req.method === "POST" || req.method === "PUT") && type.startsWith("application/x-www-form-urlencoded")) {
    let body = "";
    for await (const chunk of req) body += String(chunk);
    for (const [k, v] of new URLSearchParams(body)) form.append(k, v);
  }
  return form;
}

function netexec(argv: readonly string[]): Closable[] {
  const flags = parseFlags(argv, new Set());
  const httpPort = intFlag(flags, "http-port", 8080, 1, 65535);
  const udpPort = intFlag(flags, "udp-port", 8081, -1, 65535);
  const delayShutdownSeconds = intFlag(flags, "delay-shutdown", 0, 0, 3600);
  let failedOnPurpose = false;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const form = await formValues(req, url);
    log(`${req.method} ${url.pathname}${url.search}`);
    switch (url.pathname) {
      case "/":
        return reply(res, 200, `NOW: ${new Date().toISOString()}`);
      case "/hostname":
      case "/hostName":
        return reply(res, 200, podHostname);
      case "/healthz":
        return reply(res, 200, "");
      case "/echo": {
        const code = Number(form.get("code") ?? "200");
        if (!Number.isInteger(code) || code < 100 || code > 599) return reply(res, 200, `argument 'code' must be an integer or empty, got "${form.get("code")}"\n`);
        return reply(res, code, form.get("msg") ?? "");
      }
      case "/clientip":
        return reply(res, 200, `${req.socket.remoteAddress ?? ""}:${req.socket.remotePort ?? ""}`);
      case "/readyz":
        if (terminating) return reply(res, 503, "shutting down");
        return failedOnPurpose ? reply(res, 503, "failed on purpose") : reply(res, 200, "ok");
      case "/readyz/fail":
      case "/readyz/pass":
        if (req.method !== "POST") return reply(res, 405, `${url.pathname} needs POST`);
        failedOnPurpose = url.pathname === "/readyz/fail";
        return reply(res, 200, failedOnPurpose ? "readyz now fails" : "readyz now passes");
      case "/exit":
      case "/shutdown": {
        const code = Number(form.get("code") ?? "0");
        reply(res, 200, "");
        res.on("finish", () => process.exit(code));
        return;
      }
      default:
        return reply(res, 404, "404 page not found\n");
    }
  };
  const servers: Closable[] = [
    listenHttp(httpPort, (req, res) => {
      handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) reply(res, 500, e instanceof Error ? e.message : String(e));
        else res.destroy();
      });
    }),
  ];
  if (udpPort > 0) {
    const udp = createSocket("udp4");
    udp.on("message", (msg, from) => {
      const text = msg.toString().trim();
      const answer =
        text === "hostname" ? podHostname : text === "clientip" ? `${from.address}:${from.port}` : text.startsWith("echo ") ? text.slice(5) : "";
      udp.send(answer, from.port, from.address);
    });
    udp.bind(udpPort, listenHost, () => log(`Serving UDP on ${listenHost}:${udpPort}`));
    servers.push(udp);
  }
  shutdownDelayMs = delayShutdownSeconds * 1000;
  return servers;
}

/**
 * Calls `then` after a turn of the event loop that accepted no connection, or after DRAIN_IDLE_MS.
 * Node accepts one queued connection per turn, and closing a listener resets those still queued, which
 * the kernel had already completed for their clients.
 */
function whenNothingIsQueued(then: () => void): void {
  const deadline = Date.now() + DRAIN_IDLE_MS;
  let seen = -1;
  const turn = () => {
    if (acceptedConnections === seen || Date.now() > deadline) return then();
    seen = acceptedConnections;
    setImmediate(turn);
  };
  setImmediate(turn);
}

const subcommands: Record<string, (argv: readonly string[]) => Closable[]> = {
  "serve-hostname": serveHostname,
  netexec,
};

function main(): void {
  const [name, ...argv] = process.argv.slice(2);
  const run = name === undefined ? undefined : subcommands[name];
  if (!run) {
    process.stderr.write(name === undefined || name === "help" || name === "--help" ? usage : `unknown command "${name}" for "agnhost"\n${usage}`);
    process.exit(name === undefined || name === "help" || name === "--help" ? 0 : 1);
  }
  let servers: Closable[];
  try {
    servers = run(argv);
  } catch (e) {
    process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const stop = (signal: NodeJS.Signals) => {
    log(`${signal} received, finishing in-flight requests`);
    terminating = true;
    setTimeout(
      () =>
        whenNothingIsQueued(() => {
          let open = servers.length;
          for (const s of servers) {
            s.close(() => {
              if (--open === 0) process.exit(0);
            });
          }
        }),
      shutdownDelayMs,
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main();
