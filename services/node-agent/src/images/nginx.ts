/**
 * The catalog's `nginx` image: a static file server in the spirit of nginx's default configuration.
 * `node nginx.js --root <dir> --listen <ip>:<port> [--listen …]`; serves GET and HEAD from the root,
 * `index.html` for a directory (403 without one, like nginx with autoindex off), writes an access log line
 * per request to stdout, errors to stderr, and exits 0 on SIGTERM/SIGQUIT/SIGINT.
 */
import { createReadStream, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { extname, join, posix } from "node:path";

const contentTypes: Record<string, string> = {
  ".html": "text/html",
  ".htm": "text/html",
  ".txt": "text/plain",
  ".css": "text/css",
  ".js": "application/javascript",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
};

interface Options {
  root: string;
  listen: Array<{ host: string; port: number }>;
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = { root: "/usr/share/nginx/html", listen: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${flag}`);
    if (flag === "--root") opts.root = value;
    else if (flag === "--listen") {
      const colon = value.lastIndexOf(":");
      opts.listen.push({ host: value.slice(0, colon) || "0.0.0.0", port: Number(value.slice(colon + 1)) });
    } else throw new Error(`unknown flag ${flag}`);
  }
  if (opts.listen.length === 0) opts.listen.push({ host: "0.0.0.0", port: 80 });
  return opts;
}

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function notice(level: "notice" | "error", message: string): void {
  process.stderr.write(`${timestamp()} [${level}] ${process.pid}#${process.pid}: ${message}\n`);
}

function accessLog(req: IncomingMessage, status: number, bytes: number): void {
  const ua = req.headers["user-agent"] ?? "-";
  const referer = req.headers.referer ?? "-";
  const when = new Date().toUTCString();
  process.stdout.write(
    `${req.socket.remoteAddress ?? "-"} - - [${when}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${bytes} "${referer}" "${ua}"\n`,
  );
}

function errorPage(res: ServerResponse, req: IncomingMessage, status: number, title: string): void {
  const body = `<html>\r\n<head><title>${status} ${title}</title></head>\r\n<body>\r\n<center><h1>${status} ${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(body), Server: "nginx" });
  res.end(req.method === "HEAD" ? undefined : body);
  accessLog(req, status, Buffer.byteLength(body));
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

async function handle(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return errorPage(res, req, 405, "Not Allowed");
  let urlPath: string;
  try {
    urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  } catch {
    return errorPage(res, req, 400, "Bad Request");
  }
  // posix.normalize of an absolute path cannot climb above "/", so the file stays under root.
  const relative = posix.normalize(urlPath);
  let path = join(root, relative);
  let st = await statOrUndefined(path);
  if (st?.isDirectory()) {
    if (!urlPath.endsWith("/")) {
      res.writeHead(301, { Location: `${urlPath}/`, Server: "nginx", "Content-Length": 0 });
      res.end();
      return accessLog(req, 301, 0);
    }
    path = join(path, "index.html");
    st = await statOrUndefined(path);
    if (!st) return errorPage(res, req, 403, "Forbidden");
  }
  if (!st?.isFile()) return errorPage(res, req, 404, "Not Found");
  const size = st.size;
  res.writeHead(200, {
    "Content-Type": contentTypes[extname(path).toLowerCase()] ?? "application/octet-stream",
    "Content-Length": size,
    "Last-Modified": st.mtime.toUTCString(),
    Server: "nginx",
  });
  if (req.method === "HEAD" || size === 0) {
    res.end();
    return accessLog(req, 200, 0);
  }
  // The file may grow while it is sent (another container appends to it): send exactly what was stat'ed.
  const body = createReadStream(path, { start: 0, end: size - 1 });
  body.on("error", (e) => {
    notice("error", `reading "${path}" failed: ${e.message}`);
    res.destroy(e);
  });
  body.pipe(res);
  res.on("finish", () => accessLog(req, 200, size));
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const servers: Server[] = [];
  for (const { host, port } of opts.listen) {
    const server = createServer((req, res) => {
      handle(opts.root, req, res).catch((e: unknown) => {
        notice("error", `${req.method} ${req.url}: ${e instanceof Error ? e.message : String(e)}`);
        if (!res.headersSent) errorPage(res, req, 500, "Internal Server Error");
        else res.destroy();
      });
    });
    server.on("error", (e) => {
      notice("error", `bind() to ${host}:${port} failed (${e.message})`);
      process.exit(1);
    });
    server.listen(port, host, () => notice("notice", `listening on ${host}:${port}, serving ${opts.root}`));
    servers.push(server);
  }
  const stop = (signal: NodeJS.Signals) => {
    notice("notice", `signal ${signal} received, exiting`);
    for (const s of servers) s.close();
    for (const s of servers) s.closeAllConnections();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGQUIT", stop);
  process.on("SIGINT", stop);
}

main();
