import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "@capstan/apimachinery/testing";
import { NodeLeases, connectNats, nodeLeaseBucketName } from "@capstan/bus";
import { WatchedNodeLeaseTimes } from "./node-lease-times.js";

const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";

describe("WatchedNodeLeaseTimes on NATS", () => {
  let nc: Awaited<ReturnType<typeof connectNats>>;
  let prefix: string;
  let agent: NodeLeases;
  let times: WatchedNodeLeaseTimes;

  beforeEach(async () => {
    nc = await connectNats(url, "node-lease-times-test");
    prefix = `t${randomBytes(4).toString("hex")}.x`;
    agent = await NodeLeases.open(nc, prefix);
  });

  afterEach(async () => {
    times?.stop();
    await agent.destroy();
    await nc.close();
  });

  it("sees the leases renewed before it started, then every renewal as it comes", async () => {
    expect(nodeLeaseBucketName(prefix)).toBe(`${prefix.replace(".", "_")}_node_leases`);
    await agent.renew("node-1", 40, new Date("2026-03-01T12:00:00.000Z"));
    await agent.renew("node-2", 40, new Date("2026-03-01T12:00:01.000Z"));
    await agent.renew("node-1", 40, new Date("2026-03-01T12:00:02.000Z"));

    times = new WatchedNodeLeaseTimes(() => NodeLeases.open(nc, prefix), () => {});
    expect(times.hasSynced()).toBe(false);
    await times.start();
    // Synced means the latest lease of every node is in, with no waiting.
    expect(times.hasSynced()).toBe(true);
    expect(times.renewTime("node-1")).toBe(Date.parse("2026-03-01T12:00:02.000Z"));
    expect(times.renewTime("node-2")).toBe(Date.parse("2026-03-01T12:00:01.000Z"));
    expect(times.renewTime("node-3")).toBeUndefined();

    for (let beat = 1; beat <= 5; beat++) {
      const at = Date.parse("2026-03-01T12:00:02.000Z") + beat * 1000;
      await agent.renew("node-1", 40, new Date(at));
      await eventually(() => times.renewTime("node-1") === at, { what: `renewal ${beat} seen`, timeoutMs: 5_000 });
    }
    await agent.renew("node-3", 40, new Date("2026-03-01T12:01:00.000Z"));
    await eventually(() => times.renewTime("node-3"), { what: "a new node's first lease", timeoutMs: 5_000 });
  });

  it("is synced at once on an empty bucket", async () => {
    times = new WatchedNodeLeaseTimes(() => NodeLeases.open(nc, prefix), () => {});
    await times.start();
    expect(times.hasSynced()).toBe(true);
    expect(times.renewTime("node-1")).toBeUndefined();
  });
});
