import { describe, expect, it } from "vitest";
import { ensureServiceCIDRIsLocal } from "./service-cidr-route.js";

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
