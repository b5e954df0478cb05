import { spawn, type ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const program = fileURLToPath(new URL("../../dist/images/agnhost.js", import.meta.url));
if (!existsSync(program)) throw new Error(`${program} is missing: build first (npx tsc -b services/node-agent)`);

// Each test its own loopback address, so ports never clash with other tests or processes.
let nextHost = 1;
const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) child.kill("SIGKILL");
});

interface Agnhost {
  child: ChildProcess;
  host: string;
  exited: Promise<number | null>;
}

async function startAgnhost(args: string[]): Promise<Agnhost> {
  const host = `127.77.${process.pid % 250}.${nextHost++}`;
  const child = spawn(process.execPath, [program, ...args], {
    env: { ...process.env, POD_IP: host, HOSTNAME: "my-pod-7d9f" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // Ready once every server it starts says so on stdout.
  const servers = args[0] === "serve-hostname" ? Math.max(1, args.filter((a) => a === "--udp" || a === "--tcp").length) : 2;
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if ((out.match(/Serving/g) ?? []).length >= servers) resolve();
    });
    child.once("exit", (code) => reject(new Error(`agnhost exited ${code} before serving`)));
  });
  return { child, host, exited };
}

function http(host: string, port: number, path: string, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("agnhost serve-hostname", () => {
  it("answers HTTP with the pod's hostname", async () => {
    const { host } = await startAgnhost(["serve-hostname"]);
    expect(await http(host, 9376, "/anything")).toEqual({ status: 200, body: "my-pod-7d9f" });
  });

  it("answers TCP and UDP with the pod's hostname", async () => {
    const { host } = await startAgnhost(["serve-hostname", "--http=false", "--tcp", "--udp", "--port", "9376"]);
    const tcp = await new Promise<string>((resolve, reject) => {
      let text = "";
      connect(9376, host)
        .on("data", (c) => (text += c.toString()))
        .on("end", () => resolve(text))
        .on("error", reject);
    });
    expect(tcp).toBe("my-pod-7d9f");
    const udp = await new Promise<string>((resolve) => {
      const socket = createSocket("udp4");
      socket.on("message", (msg) => {
        socket.close();
        resolve(msg.toString());
      });
      socket.send("hi", 9376, host);
    });
    expect(udp).toBe("my-pod-7d9f");
  });

  it.each([
    { name: "a bad port", args: ["serve-hostname", "--port", "http"], error: 'invalid value "http" for flag --port: must be an integer from 1 to 65535' },
    { name: "--http with --udp", args: ["serve-hostname", "--udp"], error: "can't use --http with --tcp or --udp (set --http=false)" },
    { name: "an unknown subcommand", args: ["serve"], error: 'unknown command "serve" for "agnhost"' },
  ])("refuses $name with a clear error", async ({ args, error }) => {
    const child = spawn(process.execPath, [program, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(err).toContain(error);
  });
});

/** A raw HTTP/1.1 exchange on `socket`: sends `GET path` once `send` resolves, reads until the server closes. */
function rawGet(host: string, port: number, send: Promise<unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const socket = connect(port, host);
    socket.on("data", (c: Buffer) => (text += c.toString()));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
    void send.then(() => socket.write("GET / HTTP/1.1\r\nHost: pod\r\n\r\n"));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("agnhost shutdown", () => {
  it("serves a connection whose request arrives after SIGTERM, refuses new ones, then exits 0", async () => {
    const { child, host, exited } = await startAgnhost(["serve-hostname", "--port", "9377"]);
    const early = rawGet(host, 9377, sleep(100).then(() => child.kill("SIGTERM")).then(() => sleep(300)));
    const answer = await early;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer.endsWith("my-pod-7d9f")).toBe(true);
    expect(await exited).toBe(0);
  });

  it("answers the next request of an idle keep-alive connection with Connection: close", async () => {
    const { child, host, exited } = await startAgnhost(["serve-hostname", "--port", "9378"]);
    const socket = connect(9378, host);
    let text = "";
    socket.on("data", (c: Buffer) => (text += c.toString()));
    const ended = new Promise<void>((resolve) => socket.on("end", resolve));
    socket.write("GET / HTTP/1.1\r\nHost: pod\r\n\r\n");
    await sleep(100);
    expect(text).toMatch(/Connection: keep-alive/i);
    child.kill("SIGTERM");
    await sleep(300);
    // The listener is closed by now: new connections are refused, this one is still served.
    await expect(http(host, 9378, "/")).rejects.toThrow(/ECONNREFUSED/);
    text = "";
    socket.write("GET / HTTP/1.1\r\nHost: pod\r\n\r\n");
    await ended;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(await exited).toBe(0);
  });

  it("closes a connection that sends nothing for a second after SIGTERM, then exits 0", async () => {
    const { child, host, exited } = await startAgnhost(["serve-hostname", "--port", "9379"]);
    const socket = connect(9379, host);
    const ended = new Promise<number>((resolve) => socket.on("close", () => resolve(Date.now())));
    socket.on("error", () => {});
    await sleep(100);
    const signalled = Date.now();
    child.kill("SIGTERM");
    const closedAt = await ended;
    expect(closedAt - signalled).toBeGreaterThanOrEqual(900);
    expect(await exited).toBe(0);
  });

  it("serves the connections its listener had queued when SIGTERM arrived", async () => {
    const { child, host, exited } = await startAgnhost(["serve-hostname", "--port", "9380"]);
    // Stopped, it accepts nothing: the kernel queues the connections and their requests, and the signal waits.
    child.kill("SIGSTOP");
    const answers = Array.from({ length: 5 }, () => rawGet(host, 9380, Promise.resolve()));
    await sleep(200);
    child.kill("SIGTERM");
    child.kill("SIGCONT");
    for (const answer of await Promise.all(answers)) expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*my-pod-7d9f$/);
    expect(await exited).toBe(0);
  });
});

describe("agnhost netexec", () => {
  it.each([
    { name: "hostname", path: "/hostname", status: 200, body: "my-pod-7d9f" },
    { name: "healthz", path: "/healthz", status: 200, body: "" },
    { name: "readyz", path: "/readyz", status: 200, body: "ok" },
    { name: "echo", path: "/echo?msg=hello%20there", status: 200, body: "hello there" },
    { name: "echo with a status code", path: "/echo?msg=teapot&code=418", status: 418, body: "teapot" },
    { name: "an unknown path", path: "/nope", status: 404, body: "404 page not found\n" },
  ])("answers $name", async ({ path, status, body }) => {
    const { host } = await startAgnhost(["netexec", "--http-port=8080"]);
    expect(await http(host, 8080, path)).toEqual({ status, body });
  });

  it("flips /readyz to 503 after POST /readyz/fail, and back after POST /readyz/pass", async () => {
    const { host } = await startAgnhost(["netexec", "--http-port", "8081", "--udp-port", "8091"]);
    expect((await http(host, 8081, "/readyz")).status).toBe(200);
    expect((await http(host, 8081, "/readyz/fail")).status).toBe(405);
    expect((await http(host, 8081, "/readyz/fail", "POST")).status).toBe(200);
    expect(await http(host, 8081, "/readyz")).toEqual({ status: 503, body: "failed on purpose" });
    await http(host, 8081, "/readyz/pass", "POST");
    expect((await http(host, 8081, "/readyz")).status).toBe(200);
  });

  it("finishes a request in flight on SIGTERM, then exits 0", async () => {
    const { child, host, exited } = await startAgnhost(["netexec", "--http-port", "8082"]);
    // /echo reads a urlencoded body, so the request is in flight until its body has arrived.
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const headers = { "Content-Type": "application/x-www-form-urlencoded" };
      const req = request({ host, port: 8082, path: "/echo", method: "POST", headers, agent: false }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.write("msg=la");
      setTimeout(() => {
        child.kill("SIGTERM");
        setTimeout(() => req.end("te"), 300);
      }, 200);
    });
    expect(await answer).toEqual({ status: 200, body: "late" });
    expect(await exited).toBe(0);
  });
});
