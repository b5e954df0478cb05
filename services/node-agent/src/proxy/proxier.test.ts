import { randomInt } from "node:crypto";
import { connect, createServer, type Server } from "node:net";
import { Informer } from "@capstan/controller-runtime";
import { FakeListWatch } from "@capstan/controller-runtime/testing";
import { metrics } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { Proxier } from "./proxier.js";

type Json = Record<string, unknown>;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const anIP = () => `127.${randomInt(200, 250)}.${randomInt(0, 255)}.${randomInt(1, 254)}`;

let rv = 0;
function aService(name: string, clusterIP: string, spec: Json = {}): Json {
  return {
    kind: "Service",
    metadata: { namespace: "shop", name, resourceVersion: String(++rv) },
    spec: { type: "ClusterIP", clusterIP, ports: [{ name: "http", protocol: "TCP", port: 80 }], ...spec },
  };
}

function aSlice(service: string, endpoints: { ip: string; port: number; ready?: boolean }[]): Json {
  return {
    kind: "EndpointSlice",
    metadata: { namespace: "shop", name: `${service}-x`, labels: { "kubernetes.io/service-name": service }, resourceVersion: String(++rv) },
    addressType: "IPv4",
    ports: [{ name: "http", protocol: "TCP", port: TARGET_PORT }],
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true } })),
  };
}

/** Pods' port: an EndpointSlice has one port number for all its endpoints. */
const TARGET_PORT = randomInt(20_000, 60_000);

/** A backend on a fresh address that answers every connection with its name. */
async function backend(name: string): Promise<{ ip: string; port: number }> {
  const server: Server = createServer((s) => s.end(name));
  const ip = anIP();
  await new Promise<void>((resolve) => server.listen(TARGET_PORT, ip, resolve));
  cleanup.push(() => void server.close());
  return { ip, port: TARGET_PORT };
}

function ask(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = "";
    const s = connect({ host: ip, port });
    s.on("data", (d) => (answer += d.toString()));
    s.on("end", () => resolve(answer));
    s.on("error", reject);
  });
}

async function eventuallyAsync<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function aProxier(services: Json[], slices: Json[]) {
  const serviceSource = new FakeListWatch();
  const sliceSource = new FakeListWatch();
  const log: string[] = [];
  const proxier = new Proxier({
    nodeIP: anIP(),
    services: new Informer({ kind: "Service", listWatch: serviceSource.listWatch, log: () => {} }),
    endpointSlices: new Informer({ kind: "EndpointSlice", listWatch: sliceSource.listWatch, log: () => {} }),
    meter: metrics.getMeter("test"),
    udpIdleTimeoutMs: 1000,
    log: (m) => log.push(m),
  });
  const started = proxier.start();
  await serviceSource.list(services);
  await sliceSource.list(slices);
  await started;
  cleanup.push(() => proxier.stop());
  return { proxier, serviceSource, sliceSource, log };
}

describe("Proxier", () => {
  it("serves a service's cluster IP over its ready endpoints, round robin", async () => {
    const [a, b, c] = [await backend("a"), await backend("b"), await backend("c")];
    const clusterIP = anIP();
    await aProxier([aService("web", clusterIP)], [aSlice("web", [a, b, { ...c, ready: false }])]);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ask(clusterIP, 80));
    expect(answers.sort()).toEqual(["a", "a", "b", "b"]);
  });

  it("applies an EndpointSlice change to the next connection and closes the listener of a deleted service", async () => {
    const [a, b] = [await backend("a"), await backend("b")];
    const clusterIP = anIP();
    const service = aService("web", clusterIP);
    const { serviceSource, sliceSource, log } = await aProxier([service], [aSlice("web", [a])]);
    expect(await ask(clusterIP, 80)).toBe("a");
    await sliceSource.emit("MODIFIED", aSlice("web", [{ ...a, ready: false }, b]));
    expect(await ask(clusterIP, 80)).toBe("b");
    await sliceSource.emit("MODIFIED", aSlice("web", []));
    await expect(ask(clusterIP, 80)).rejects.toMatchObject({ code: "ECONNRESET" });
    await serviceSource.emit("DELETED", service);
    await eventuallyAsync(() => ask(clusterIP, 80).then(() => undefined, (e: NodeJS.ErrnoException) => (e.code === "ECONNREFUSED" ? true : undefined)));
    expect(log).toContain(`proxy: stopped listening on TCP ${clusterIP}:80 for shop/web:http`);
  });

  it("takes over an address another agent held once it is free", async () => {
    const a = await backend("a");
    const clusterIP = anIP();
    const other = createServer((s) => s.end("other"));
    await new Promise<void>((resolve) => other.listen(80, clusterIP, resolve));
    const { log } = await aProxier([aService("web", clusterIP)], [aSlice("web", [a])]);
    expect(await ask(clusterIP, 80)).toBe("other");
    await new Promise((resolve) => other.close(resolve));
    expect(await eventuallyAsync(async () => ((await ask(clusterIP, 80)) === "a" ? "a" : undefined), 3000)).toBe("a");
    expect(log.filter((l) => l.includes("EADDRINUSE") || l.includes("in use"))).toHaveLength(1);
  });
});
