import { createSocket } from "node:dgram";
import { randomInt } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { metrics } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { proxyConnections } from "./proxy-metrics.js";
import { createProxySocket } from "./create-proxy-socket.js";
import type { EndpointPicker, ProxySocket } from "./proxy-socket.js";

const connections = proxyConnections(metrics.getMeter("test"));
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A fresh loopback address, so parallel runs never collide. */
const anIP = () => `127.${randomInt(200, 250)}.${randomInt(0, 255)}.${randomInt(1, 254)}`;

async function listening(server: Server, ip: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, ip, resolve));
  cleanup.push(() => server.close());
  return `${ip}:${(server.address() as { port: number }).port}`;
}

/** An HTTP-less backend: answers each connection with its name and whatever it was sent, then closes. */
async function backend(name: string): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((s) => {
    s.on("data", (d) => s.end(`${name}:${d.toString()}`));
  });
  return { endpoint: await listening(server, anIP()), server };
}

async function proxy(pick: EndpointPicker, protocol: "TCP" | "UDP" = "TCP"): Promise<ProxySocket> {
  const socket = createProxySocket({ protocol, ip: anIP(), port: randomInt(20_000, 60_000) }, { pick, connections, udpIdleTimeoutMs: 1000 });
  await socket.listen();
  cleanup.push(() => socket.close());
  return socket;
}

function ask(p: ProxySocket, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const s = connect({ host: p.address.ip, port: p.address.port }, () => s.write(message));
    s.on("data", (d) => (answer += d.toString()));
    s.on("end", () => resolve(answer));
    s.on("error", reject);
  });
}

describe("TCP proxy socket", () => {
  it("forwards a connection to the endpoint picked for it", async () => {
    const a = await backend("a");
    const p = await proxy(() => a.endpoint);
    expect(await ask(p, "hello")).toBe("a:hello");
  });

  it("tries the next endpoint when one refuses, resetting affinity", async () => {
    const refused = anIP() + ":9";
    const b = await backend("b");
    const asked: boolean[] = [];
    const p = await proxy((_client, reset) => {
      asked.push(reset);
      return asked.length === 1 ? refused : b.endpoint;
    });
    expect(await ask(p, "x")).toBe("b:x");
    expect(asked).toEqual([false, true]);
  });

  it("refuses at once when there is no endpoint", async () => {
    const p = await proxy(() => undefined);
    const started = Date.now();
    await expect(ask(p, "x")).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("keeps an established connection when the endpoints change", async () => {
    const echo = createServer((s) => s.pipe(s));
    const first = await listening(echo, anIP());
    let endpoint = first;
    const p = await proxy(() => endpoint);
    const s: Socket = connect({ host: p.address.ip, port: p.address.port });
    cleanup.push(() => s.destroy());
    const read = () => new Promise<string>((resolve) => s.once("data", (d) => resolve(d.toString())));
    s.write("one");
    expect(await read()).toBe("one");
    const b = await backend("b");
    endpoint = b.endpoint;
    expect(await ask(p, "new")).toBe("b:new");
    s.write("two");
    expect(await read()).toBe("two");
  });

  it("stops accepting when closed but lets open connections finish", async () => {
    const echo = createServer((s) => s.pipe(s));
    const endpoint = await listening(echo, anIP());
    const p = await proxy(() => endpoint);
    const s = connect({ host: p.address.ip, port: p.address.port });
    cleanup.push(() => s.destroy());
    await new Promise((resolve) => s.once("connect", resolve));
    s.write("before");
    await new Promise((resolve) => s.once("data", resolve));
    p.close();
    await expect(ask(p, "x")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    s.write("after");
    expect(await new Promise<string>((resolve) => s.once("data", (d) => resolve(d.toString())))).toBe("after");
  });

  it("reports EADDRINUSE when the address is taken", async () => {
    const taken = createServer();
    const endpoint = await listening(taken, anIP());
    const [ip, port] = endpoint.split(":");
    const socket = createProxySocket({ protocol: "TCP", ip: ip!, port: Number(port) }, { pick: () => undefined, connections, udpIdleTimeoutMs: 1000 });
    await expect(socket.listen()).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});

describe("UDP proxy socket", () => {
  it("forwards datagrams and the replies, one upstream per client", async () => {
    const echo = createSocket("udp4");
    const echoIP = anIP();
    await new Promise<void>((resolve) => echo.bind(0, echoIP, resolve));
    cleanup.push(() => echo.close());
    const seen = new Set<number>();
    echo.on("message", (msg, from) => {
      seen.add(from.port);
      echo.send(`echo:${msg.toString()}`, from.port, from.address);
    });
    const p = await proxy(() => `${echoIP}:${echo.address().port}`, "UDP");
    const client = createSocket("udp4");
    cleanup.push(() => client.close());
    const reply = () => new Promise<string>((resolve) => client.once("message", (m) => resolve(m.toString())));
    client.send("one", p.address.port, p.address.ip);
    expect(await reply()).toBe("echo:one");
    client.send("two", p.address.port, p.address.ip);
    expect(await reply()).toBe("echo:two");
    expect(seen.size).toBe(1);
  });
});
