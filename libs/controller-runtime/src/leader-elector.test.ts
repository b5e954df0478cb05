import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { connectNats } from "@capstan/bus";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { isCapstanError } from "@capstan/apimachinery";
import { createLeaderElector, leaseBucketName, type LeaderElection, type StoppedLeadingReason } from "./leader-elector.js";
import { eventually } from "./testing/index.js";

const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const prefix = `t${randomBytes(4).toString("hex")}`;
const connections: NatsConnection[] = [];
const elections: LeaderElection[] = [];

/** One candidate process: its own connection, so one can be cut off alone. */
interface Candidate {
  readonly nc: NatsConnection;
  readonly election: LeaderElection;
  startedAt?: number;
  stoppedAt?: number;
  stopReason?: StoppedLeadingReason;
  aborted?: boolean;
}

async function candidate(identity: string, leaseDurationMs: number, name = "replicaset"): Promise<Candidate> {
  const nc = await connectNats(url, identity);
  connections.push(nc);
  const elector = await createLeaderElector({ nc, prefix, log: () => {} });
  const c = {} as { -readonly [K in keyof Candidate]: Candidate[K] };
  c.nc = nc;
  c.election = elector.runWhenLeader(
    { name, identity, leaseDurationMs },
    (leading) => {
      c.startedAt = Date.now();
      leading.addEventListener("abort", () => (c.aborted = true));
    },
    (reason) => {
      c.stoppedAt = Date.now();
      c.stopReason = reason;
    },
  );
  elections.push(c.election);
  return c;
}

const leaderOf = (...cs: Candidate[]) => {
  const leaders = cs.filter((c) => c.election.isLeader);
  return leaders.length === 1 ? leaders[0] : undefined;
};

afterEach(async () => {
  for (const e of elections.splice(0)) await e.stop({ release: false });
  for (const nc of connections.splice(0)) await nc.close();
  const nc = await connectNats(url, "cleanup");
  await (await new Kvm(nc).open(leaseBucketName(prefix))).destroy();
  await nc.close();
});

describe("LeaderElector on NATS KV", () => {
  it("lets exactly one of two candidates lead, and keeps it leading while it renews", async () => {
    const a = await candidate("a", 600);
    const b = await candidate("b", 600);
    const leader = await eventually(() => leaderOf(a, b));
    const other = leader === a ? b : a;
    // Several lease durations: the leader renews, the other never takes over.
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      expect(leader.election.isLeader).toBe(true);
      expect(other.election.isLeader).toBe(false);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(other.startedAt).toBeUndefined();
  });

  it("hands over once a crashed leader's lease expires, not before", async () => {
    const lease = 1500;
    const a = await candidate("a", lease);
    await eventually(() => (a.election.isLeader ? true : undefined));
    const b = await candidate("b", lease);
    await new Promise((r) => setTimeout(r, lease)); // b has seen a renew
    expect(b.election.isLeader).toBe(false);

    const crashedAt = Date.now();
    await a.election.stop({ release: false }); // timers stop, the lease stays as it was
    await eventually(() => (b.election.isLeader ? true : undefined), { timeoutMs: 3 * lease });
    const takeover = b.startedAt! - crashedAt;
    // a renewed at most a third of a lease before it crashed; b waits out the rest, and not much more.
    expect(takeover).toBeGreaterThanOrEqual((lease * 2) / 3 - 100);
    expect(takeover).toBeLessThan(lease + 500);
  });

  it("hands over at once when the leader releases the lease", async () => {
    const lease = 10_000;
    const a = await candidate("a", lease);
    await eventually(() => (a.election.isLeader ? true : undefined));
    const b = await candidate("b", lease);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.election.isLeader).toBe(false);

    const releasedAt = Date.now();
    await a.election.stop();
    expect(a.stopReason).toBe("stopped");
    expect(a.aborted).toBe(true);
    await eventually(() => (b.election.isLeader ? true : undefined), { timeoutMs: 2000 });
    expect(b.startedAt! - releasedAt).toBeLessThan(1000);
    expect(b.startedAt!).toBeGreaterThanOrEqual(a.stoppedAt!);
  });

  it("makes a leader that cannot renew stop by its deadline, before another takes over", async () => {
    const lease = 1500;
    const a = await candidate("a", lease);
    await eventually(() => (a.election.isLeader ? true : undefined));
    const b = await candidate("b", lease);

    await a.nc.close(); // cut off: every renewal fails
    await eventually(() => a.stopReason, { timeoutMs: 2 * lease });
    expect(a.stopReason).toBe("renew-deadline-exceeded");
    expect(a.aborted).toBe(true);
    expect(a.election.isLeader).toBe(false);

    await eventually(() => (b.election.isLeader ? true : undefined), { timeoutMs: 3 * lease });
    expect(b.startedAt!).toBeGreaterThan(a.stoppedAt!);
  });

  it("tells a presumed-dead leader that comes back that it lost the lease", async () => {
    const lease = 900;
    const a = await candidate("a", lease);
    await eventually(() => (a.election.isLeader ? true : undefined));
    // Someone else writes the lease, as a candidate would after a's lease expired unseen.
    const kv = await new Kvm(a.nc).open(leaseBucketName(prefix));
    const entry = await kv.get("replicaset");
    await kv.update("replicaset", JSON.stringify({ holder: "b", acquireTime: "", renewTime: "", leaseDurationMs: lease }), entry!.revision);
    await eventually(() => a.stopReason, { timeoutMs: 2 * lease });
    expect(a.stopReason).toBe("lost");
  });

  it("lets onStoppedLeading stop the election itself, as a service shutting down would", async () => {
    const nc = await connectNats(url, "reentrant");
    connections.push(nc);
    const elector = await createLeaderElector({ nc, prefix, log: () => {} });
    let stoppedWith: StoppedLeadingReason | undefined;
    const election: LeaderElection = elector.runWhenLeader(
      { name: "replicaset", identity: "a", leaseDurationMs: 900 },
      () => {},
      async (reason) => {
        await election.stop();
        stoppedWith = reason;
      },
    );
    elections.push(election);
    await eventually(() => (election.isLeader ? true : undefined));
    const kv = await new Kvm(nc).open(leaseBucketName(prefix));
    const entry = await kv.get("replicaset");
    await kv.update("replicaset", JSON.stringify({ holder: "b", leaseDurationMs: 900 }), entry!.revision);
    await eventually(() => stoppedWith, { timeoutMs: 2000 });
    expect(stoppedWith).toBe("lost");
    await election.stop(); // and again from outside: already over, resolves
  });

  it("keeps leases of different controllers apart", async () => {
    const a = await candidate("a", 1000, "replicaset");
    const b = await candidate("b", 1000, "deployment");
    await eventually(() => (a.election.isLeader && b.election.isLeader ? true : undefined));
  });

  it("refuses a renew deadline that is not shorter than the lease", async () => {
    const nc = await connectNats(url, "config");
    connections.push(nc);
    const elector = await createLeaderElector({ nc, prefix });
    let error: unknown;
    try {
      elector.runWhenLeader({ name: "x", identity: "a", leaseDurationMs: 1000, renewDeadlineMs: 1000 }, () => {}, () => {});
    } catch (e) {
      error = e;
    }
    expect(isCapstanError(error, "Invalid")).toBe(true);
    expect((error as Error).message).toMatch(/renewDeadlineMs: must be less than leaseDurationMs/);
  });
});
