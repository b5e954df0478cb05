import { spawn } from "node:child_process";
import http from "node:http";
import https from "node:https";
import { connect, isIPv6 } from "node:net";
import { maxProbeOutputBytes, type HTTPHeader, type ProbeResult } from "./probe.js";
import { signalGroup } from "./process-group.js";

/**
 * The three probe handlers, as the kubelet's probe/http, probe/tcp and probe/exec run them. Each resolves
 * to a ProbeResult (never rejects) within its timeout; an aborted probe stops its work and resolves Error.
 */

const cancelled: ProbeResult = { result: "Error", output: "probe cancelled" };

export interface HTTPGetRequest {
  scheme: "HTTP" | "HTTPS";
  host: string;
  port: number;
  path: string;
  headers: HTTPHeader[];
  timeoutMs: number;
}

/** `http://host:port/path`, the host bracketed when it is IPv6. */
export function probeURL(req: Pick<HTTPGetRequest, "scheme" | "host" | "port" | "path">): string {
  const host = isIPv6(req.host) ? `[${req.host}]` : req.host;
  const path = req.path === "" ? "/" : req.path.startsWith("/") ? req.path : `/${req.path}`;
  return `${req.scheme.toLowerCase()}://${host}:${req.port}${path}`;
}

/**
 * GET, without following redirects (a 3xx already counts as success): 200–399 succeeds, anything else or
 * no answer within the timeout fails. HTTPS skips certificate verification, as the kubelet does.
 */
export function httpGetProbe(req: HTTPGetRequest, signal?: AbortSignal): Promise<ProbeResult> {
  const url = probeURL(req);
  const headers: Record<string, string | string[]> = {};
  for (const h of req.headers) {
    const name = h.name.toLowerCase();
    const before = headers[name];
    // Host takes one value (the first, as Go's Header.Get); others repeat.
    headers[name] = before === undefined ? h.value : name === "host" ? before : [before, h.value].flat();
  }
  headers["user-agent"] ??= "kube-probe/capstan";
  headers["accept"] ??= "*/*";
  return settleOnce(req.timeoutMs, signal, `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`, (done) => {
    const target = new URL(url);
    const options: https.RequestOptions = {
      method: "GET",
      host: req.host,
      port: req.port,
      path: target.pathname + target.search,
      headers,
      agent: false,
      ...(req.scheme === "HTTPS" ? { rejectUnauthorized: false } : {}),
    };
    const request = (req.scheme === "HTTPS" ? https : http).request(options, (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      done(
        status >= 200 && status < 400
          ? { result: "Success", output: "" }
          : { result: "Failure", output: `HTTP probe failed with statuscode: ${status}` },
      );
    });
    request.on("error", (e) => done({ result: "Failure", output: `Get "${url}": ${e.message}` }));
    request.end();
    return () => request.destroy();
  });
}

export interface TCPSocketRequest {
  host: string;
  port: number;
  timeoutMs: number;
}

/** Opens a TCP connection and closes it at once: connecting within the timeout is success. */
export function tcpSocketProbe(req: TCPSocketRequest, signal?: AbortSignal): Promise<ProbeResult> {
  const address = `${isIPv6(req.host) ? `[${req.host}]` : req.host}:${req.port}`;
  return settleOnce(req.timeoutMs, signal, `dial tcp ${address}: i/o timeout`, (done) => {
    const socket = connect({ host: req.host, port: req.port });
    socket.once("connect", () => done({ result: "Success", output: "" }));
    socket.on("error", (e) => done({ result: "Failure", output: `dial tcp ${address}: ${e.message}` }));
    return () => socket.destroy();
  });
}

export interface ExecRequest {
  /** What to spawn, already wrapped to enter the container (see container-sandbox.ts `execCommand`). */
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** The probe's command, for messages. */
  command: string[];
  timeoutMs: number;
}

/**
 * Runs the command in its own process group: exit 0 within the timeout is success; its combined output
 * (at most 10 KiB) is the message. On timeout or abort the whole group is killed.
 */
export function execProbe(req: ExecRequest, signal?: AbortSignal): Promise<ProbeResult> {
  return settleOnce(req.timeoutMs, signal, `command ${JSON.stringify(req.command.join(" "))} timed out`, (done) => {
    const child = spawn(req.file, req.args, {
      env: req.env,
      ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer) => {
      if (size >= maxProbeOutputBytes) return;
      chunks.push(chunk.subarray(0, maxProbeOutputBytes - size));
      size += chunk.length;
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      const output = code === "ENOENT" ? `exec: ${JSON.stringify(req.file)}: executable file not found in $PATH` : e.message;
      done({ result: "Failure", output });
    });
    child.once("close", (code) => {
      const output = Buffer.concat(chunks).toString("utf8");
      done({ result: code === 0 ? "Success" : "Failure", output });
    });
    return () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) signalGroup(child.pid, "SIGKILL");
      child.stdout.destroy();
      child.stderr.destroy();
    };
  });
}

/**
 * Runs `start`, which reports through `done` and returns how to stop its work; the first of its report,
 * the timeout and the abort wins, and the work is stopped after any of them.
 */
function settleOnce(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  timeoutMessage: string,
  start: (done: (r: ProbeResult) => void) => () => void,
): Promise<ProbeResult> {
  if (signal?.aborted) return Promise.resolve(cancelled);
  return new Promise((resolve) => {
    let settled = false;
    let stop: (() => void) | undefined;
    const onAbort = () => done(cancelled);
    const timer = setTimeout(() => done({ result: "Failure", output: timeoutMessage }), timeoutMs);
    function done(r: ProbeResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(r);
      // Undefined when `start` reports synchronously: it is then stopped as soon as it returns.
      stop?.();
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      stop = start(done);
    } catch (e) {
      done({ result: "Error", output: e instanceof Error ? e.message : String(e) });
    }
    if (settled) stop?.();
  });
}
