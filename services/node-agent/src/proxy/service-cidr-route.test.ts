import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureServiceCIDRIsLocal, holdServiceCIDRRoute } from "./service-cidr-route.js";

describe("ensureServiceCIDRIsLocal", () => {
  it("routes a CIDR outside loopback to lo as local", async () => {
    const calls: string[][] = [];
    const routed = await ensureServiceCIDRIsLocal("10.96.0.0/16", async (file, args) => calls.push([file, ...args]));
    expect(routed).toBe(true);
    expect(calls).toEqual([["ip", "route", "replace", "local", "10.96.0.0/16", "dev", "lo"]]);
  });

  it("does nothing for a CIDR inside 127.0.0.0/8", async () => {
    const calls: string[][] = [];
    expect(await ensureServiceCIDRIsLocal("127.96.0.0/16", async (file, args) => calls.push([file, ...args]))).toBe(false);
    expect(calls).toEqual([]);
  });

  it("says how to fix it when the route cannot be set", async () => {
    const failing = async () => {
      throw new Error("Command failed: ip route replace local 10.96.0.0/16 dev lo\nRTNETLINK answers: Operation not permitted\n");
    };
    await expect(ensureServiceCIDRIsLocal("10.96.0.0/16", failing)).rejects.toThrow(
      'cannot make the service CIDR 10.96.0.0/16 local with "ip route replace local 10.96.0.0/16 dev lo" (RTNETLINK answers: Operation not permitted): run the node agent as root with iproute2 installed, or set CAPSTAN_SERVICE_CIDR inside 127.0.0.0/8',
    );
  });

  it("refuses a malformed CIDR", async () => {
    await expect(ensureServiceCIDRIsLocal("10.96.0.0", async () => {})).rejects.toThrow("must be an IPv4 CIDR");
  });
});

describe("holdServiceCIDRRoute", () => {
  const holdersDirs: string[] = [];
  afterEach(() => {
    for (const dir of holdersDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A host with one route table and agents that are alive until they die. */
  function aHost() {
    const holdersDir = mkdtempSync(join(tmpdir(), "capstan-route-holders-"));
    holdersDirs.push(holdersDir);
    const routes = new Set<string>();
    const dead = new Set<number>();
    const command = (before: (verb: string) => Promise<void>) => async (_file: string, args: string[]) => {
      const [, verb, , cidr] = args;
      await before(verb!);
      if (verb === "replace") routes.add(cidr!);
      else if (!routes.delete(cidr!)) throw new Error("Command failed: ip route del\nRTNETLINK answers: No such process");
    };
    const agent = (pid: number, before = async (_verb: string) => {}) =>
      holdServiceCIDRRoute("10.96.0.0/24", { holdersDir, command: command(before), self: { pid, startTime: 100 + pid }, isAlive: (p, t) => !dead.has(p) && t === 100 + p });
    return { routes, dead, agent };
  }

  it.each([
    { name: "one agent", agents: 1, killed: [] as number[] },
    { name: "three agents", agents: 3, killed: [] },
    { name: "three agents, two killed with SIGKILL before they could release", agents: 3, killed: [1, 2] },
  ])("keeps the route while an agent holds it, and the last one to release removes it: $name", async ({ agents, killed }) => {
    const host = aHost();
    const held = await Promise.all(Array.from({ length: agents }, (_, i) => host.agent(i + 1)));
    expect(host.routes).toEqual(new Set(["10.96.0.0/24"]));
    for (const pid of killed) host.dead.add(pid);
    const releasing = held.filter((_, i) => !killed.includes(i + 1));
    for (const [i, route] of releasing.entries()) {
      await route!.release();
      expect(host.routes.size, `after ${i + 1} of ${releasing.length} released`).toBe(i + 1 === releasing.length ? 0 : 1);
    }
  });

  it("puts the route back for an agent that set it just before the last other holder deleted it", async () => {
    const host = aHost();
    let second: ReturnType<typeof host.agent> | undefined;
    // The first, finding no other holder, is about to delete the route when the second writes itself down and sets it.
    const first = await host.agent(1, async (verb) => {
      if (verb !== "del" || second) return;
      second = host.agent(2);
      await second;
    });
    await first!.release();
    expect(host.routes).toEqual(new Set(["10.96.0.0/24"]));
    await (await second)!.release();
    expect(host.routes).toEqual(new Set());
  });

  it("needs no route inside 127.0.0.0/8", async () => {
    expect(await holdServiceCIDRRoute("127.96.0.0/16", { command: async () => expect.fail("no command") })).toBeUndefined();
  });
});
