import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXEC_PROTOCOL, ExecFrameReader, ExecRequest, ExecResponse, execFrame } from "@capstan/api";
import { UnavailableError } from "@capstan/apimachinery";
import { execTarget, serveExec } from "./exec-server.js";
import { startExec } from "./runtime/container-exec.js";
import type { ExecOptions, ExecSession, Runtime } from "./runtime/index.js";

describe("execTarget", () => {
  it.each([
    {
      name: "a command with stdin and a terminal",
      url: "/exec/default/web/app?command=sh&command=-c&command=echo%20hi&input=1&tty=1&width=80&height=24",
      want: { verb: "exec", namespace: "default", name: "web", container: "app", opts: { command: ["sh", "-c", "echo hi"], stdin: true, tty: true, terminalSize: { width: 80, height: 24 } } },
    },
    {
      name: "neither stdin nor terminal",
      url: "/exec/ns/pod/c?command=true",
      want: { verb: "exec", namespace: "ns", name: "pod", container: "c", opts: { command: ["true"], stdin: false, tty: false } },
    },
    {
      name: "an attach",
      url: "/attach/ns/pod/c",
      want: { verb: "attach", namespace: "ns", name: "pod", container: "c", opts: { command: [], stdin: false, tty: false } },
    },
    { name: "an attach with a command", url: "/attach/ns/pod/c?command=true", want: undefined },
    { name: "no command", url: "/exec/ns/pod/c", want: undefined },
    { name: "no container", url: "/exec/ns/pod?command=true", want: undefined },
    { name: "another route", url: "/containerLogs/ns/pod/c?command=true", want: undefined },
    { name: "extra path segments", url: "/exec/ns/pod/c/x?command=true", want: undefined },
  ])("$name", ({ url, want }) => {
    expect(execTarget(new URL(url, "http://node"))).toEqual(want);
  });
});

describe("serveExec", () => {
  let server: Server;
  let port: number;
  const logged: string[] = [];
  let last: ExecSession | undefined;
  const session = (argv: string[], opts: ExecOptions) =>
    (last = startExec({ file: argv[0]!, args: argv.slice(1), reportsStart: false }, { PATH: process.env["PATH"] ?? "/usr/bin:/bin" }, opts));
  const runtime = {
    status: (uid: string) => (uid === "uid-web" ? {} : undefined),
    exec: (_uid: string, container: string, opts: ExecOptions) => {
      if (container !== "app") throw new UnavailableError(`container ${container} in pod web is not running`);
      return session(opts.command, opts);
    },
  } as unknown as Runtime;

  beforeAll(async () => {
    server = createServer();
    serveExec(server, runtime, (ns, name) => (ns === "default" && name === "web" ? "uid-web" : undefined), (m) => logged.push(m));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Opens an exec; resolves to the upgraded socket, or the refusal's status and body. */
  function open(path: string): Promise<{ socket: Duplex; head: Buffer } | { status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const r = request({ host: "127.0.0.1", port, path, method: "POST", headers: { Connection: "Upgrade", Upgrade: EXEC_PROTOCOL } });
      r.on("upgrade", (_res, socket, head) => resolve({ socket, head }));
      r.on("response", (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      r.on("error", reject);
      r.end();
    });
  }

  /** Every response on the socket until it closes. */
  function responses(socket: Duplex, head: Buffer): Promise<ExecResponse[]> {
    const reader = new ExecFrameReader();
    const out = reader.push(head).map((b) => ExecResponse.decode(b));
    socket.on("data", (chunk: Buffer) => out.push(...reader.push(chunk).map((b) => ExecResponse.decode(b))));
    return new Promise((resolve) => socket.on("close", () => resolve(out)));
  }

  it("runs the command with the stdin sent, then sends its output and exit", async () => {
    const opened = await open("/exec/default/web/app?command=sh&command=-c&command=cat%3B%20echo%20err%20%3E%262%3B%20exit%205&input=1");
    if (!("socket" in opened)) throw new Error(`refused: ${opened.body}`);
    const all = responses(opened.socket, opened.head);
    opened.socket.write(execFrame(ExecRequest.encode({ stdin: Buffer.from("in\n") }).finish()));
    opened.socket.write(execFrame(ExecRequest.encode({ stdinClose: true }).finish()));
    const got = await all;
    const text = (pick: (m: ExecResponse) => Uint8Array | undefined) => got.map((m) => Buffer.from(pick(m) ?? []).toString()).join("");
    expect(text((m) => m.stdout)).toBe("in\n");
    expect(text((m) => m.stderr)).toBe("err\n");
    expect(got.at(-1)?.exit).toEqual({ exitCode: 5, message: "" });
  });

  it.each([
    { name: "a pod not on this node", path: "/exec/default/db/app?command=true", status: 404, body: "pod default/db does not run on this node\n" },
    { name: "a container not running", path: "/exec/default/web/init?command=true", status: 409, body: "container init in pod web is not running\n" },
    { name: "no command", path: "/exec/default/web/app", status: 400, body: "not an exec or attach request\n" },
  ])("refuses $name in one line", async ({ path, status, body }) => {
    expect(await open(path)).toEqual({ status, body });
  });

  it("closes a connection that sends a broken frame, ending the command", async () => {
    const opened = await open("/exec/default/web/app?command=sleep&command=30&input=1");
    if (!("socket" in opened)) throw new Error(`refused: ${opened.body}`);
    const all = responses(opened.socket, opened.head);
    opened.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await all;
    expect(await last?.exited).toEqual({ exitCode: 137, message: "terminated by SIGKILL" });
    expect(logged).toEqual([expect.stringMatching(/^exec in pod default\/web: closing a connection that sent a broken frame: an exec frame of \d+ bytes is over the limit/)]);
  });
});
