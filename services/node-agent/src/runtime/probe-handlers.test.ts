import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http, { type IncomingHttpHeaders } from "node:http";
import { createServer as createTCPServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execProbe, httpGetProbe, probeURL, tcpSocketProbe } from "./probe-handlers.js";
import { maxProbeOutputBytes } from "./probe.js";
import { readProcess } from "./process-group.js";
import { eventually } from "./testing.js";

const host = "127.0.0.1";

function listen(server: Server | http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
}

/** A port nothing listens on (it was just freed). */
async function closedPort(): Promise<number> {
  const server = createTCPServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("httpGetProbe", () => {
  const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    const status = Number(/^\/status\/(\d+)/.exec(req.url ?? "")?.[1] ?? 200);
    if (req.url === "/hang") return; // never answers
    if (status >= 300 && status < 400) res.setHeader("Location", "http://elsewhere.invalid/");
    res.writeHead(status).end("body");
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  let port = 0;
  const get = (path: string, extra: Partial<Parameters<typeof httpGetProbe>[0]> = {}) =>
    httpGetProbe({ scheme: "HTTP", host, port, path, headers: [], timeoutMs: 1000, ...extra });

  beforeAll(async () => {
    port = await listen(server);
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    { name: "200 succeeds", path: "/status/200", want: { result: "Success", output: "" } },
    { name: "a redirect (302) succeeds without being followed", path: "/status/302", want: { result: "Success", output: "" } },
    { name: "399 succeeds", path: "/status/399", want: { result: "Success", output: "" } },
    { name: "404 fails", path: "/status/404", want: { result: "Failure", output: "HTTP probe failed with statuscode: 404" } },
    { name: "500 fails", path: "/status/500", want: { result: "Failure", output: "HTTP probe failed with statuscode: 500" } },
  ])("$name", async ({ path, want }) => {
    expect(await get(path)).toEqual(want);
  });

  it("sends the path with its query, the probe's headers (Host included) and the kubelet's defaults", async () => {
    seen.length = 0;
    const headers = [
      { name: "X-Custom", value: "a" },
      { name: "x-custom", value: "b" },
      { name: "Host", value: "example.test" },
    ];
    expect((await get("healthz?full=1", { headers })).result).toBe("Success");
    expect(seen[0]?.url).toBe("/healthz?full=1");
    expect(seen[0]?.headers).toMatchObject({ "x-custom": "a, b", host: "example.test", accept: "*/*", "user-agent": "kube-probe/capstan" });
  });

  it("fails when nothing listens", async () => {
    const closed = await closedPort();
    const r = await httpGetProbe({ scheme: "HTTP", host, port: closed, path: "/", headers: [], timeoutMs: 1000 });
    expect(r).toEqual({ result: "Failure", output: `Get "http://${host}:${closed}/": connect ECONNREFUSED ${host}:${closed}` });
  });

  it("fails after its timeout when the server does not answer", async () => {
    const t0 = Date.now();
    const r = await get("/hang", { timeoutMs: 300 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(r).toEqual({ result: "Failure", output: `Get "http://${host}:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    // The request was abandoned: the server sees its connection close.
    await eventually(() => expect(sockets.size).toBe(0));
  });

  it("stops when aborted", async () => {
    const abort = new AbortController();
    const aborted = httpGetProbe({ scheme: "HTTP", host, port, path: "/hang", headers: [], timeoutMs: 10_000 }, abort.signal);
    abort.abort();
    expect(await aborted).toEqual({ result: "Error", output: "probe cancelled" });
  });

  it.each([
    { name: "IPv4", host: "127.1.2.3", path: "/x", want: "http://127.1.2.3:80/x" },
    { name: "IPv6 is bracketed", host: "::1", path: "/", want: "http://[::1]:80/" },
    { name: "an empty path is /", host: "h", path: "", want: "http://h:80/" },
    { name: "a relative path gets its slash", host: "h", path: "ready", want: "http://h:80/ready" },
  ])("probeURL: $name", ({ host, path, want }) => {
    expect(probeURL({ scheme: "HTTP", host, port: 80, path })).toBe(want);
  });
});

describe("tcpSocketProbe", () => {
  it("succeeds when the port accepts a connection, and closes it", async () => {
    const server = createTCPServer();
    const closed = new Promise<void>((resolve) => server.on("connection", (s) => s.on("close", () => resolve())));
    const port = await listen(server);
    try {
      expect(await tcpSocketProbe({ host, port, timeoutMs: 1000 })).toEqual({ result: "Success", output: "" });
      await closed;
    } finally {
      server.close();
    }
  });

  it("fails when nothing listens", async () => {
    const port = await closedPort();
    expect(await tcpSocketProbe({ host, port, timeoutMs: 1000 })).toEqual({
      result: "Failure",
      output: `dial tcp ${host}:${port}: connect ECONNREFUSED ${host}:${port}`,
    });
  });
});

describe("execProbe", () => {
  const sh = (script: string, timeoutMs = 2000) =>
    execProbe({ file: "/bin/sh", args: ["-c", script], env: { PATH: "/usr/bin:/bin", WHO: "probe" }, command: ["/bin/sh", "-c", script], timeoutMs });

  it.each([
    { name: "exit 0 succeeds, with its output", script: 'echo "ok $WHO"', want: { result: "Success", output: "ok probe\n" } },
    { name: "a non-zero exit fails, with stdout and stderr", script: "echo out; echo err >&2; exit 3", want: { result: "Failure", output: "out\nerr\n" } },
  ])("$name", async ({ script, want }) => {
    expect(await sh(script)).toEqual(want);
  });

  it("fails for a missing executable", async () => {
    const r = await execProbe({ file: "no-such-binary", args: [], env: { PATH: "/usr/bin:/bin" }, command: ["no-such-binary"], timeoutMs: 1000 });
    expect(r).toEqual({ result: "Failure", output: 'exec: "no-such-binary": executable file not found in $PATH' });
  });

  it("keeps at most 10 KiB of output", async () => {
    const r = await sh("head -c 50000 /dev/zero | tr '\\\\0' x");
    expect(r.result).toBe("Success");
    expect(r.output).toHaveLength(maxProbeOutputBytes);
  });

  it("fails after its timeout and kills the command's whole process group", async () => {
    const dir = mkdtempSync(join(tmpdir(), "capstan-exec-probe-"));
    try {
      const t0 = Date.now();
      const r = await sh(`sleep 30 & echo $! > ${dir}/pid; wait`, 300);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(r).toEqual({ result: "Failure", output: `command "/bin/sh -c sleep 30 & echo $! > ${dir}/pid; wait" timed out` });
      const pid = Number(readFileSync(join(dir, "pid"), "utf8"));
      await eventually(() => expect(readProcess(pid)?.state ?? "gone").toMatch(/gone|Z/));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
