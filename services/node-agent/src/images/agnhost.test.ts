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
