import { describe, expect, it } from "vitest";
import { RoundRobin } from "./round-robin.js";

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const picks = (rr: RoundRobin, n: number, client = "10.0.0.1") => Array.from({ length: n }, () => rr.next("ns/svc:", client));

describe("RoundRobin", () => {
  it("takes the endpoints in turn", () => {
    const rr = new RoundRobin();
    rr.update("ns/svc:", ["a", "b", "c"], undefined);
    expect(picks(rr, 5)).toEqual(["a", "b", "c", "a", "b"]);
  });

  it("has nothing to offer without endpoints or for an unknown port", () => {
    const rr = new RoundRobin();
    expect(rr.next("ns/svc:", "10.0.0.1")).toBeUndefined();
    rr.update("ns/svc:", [], undefined);
    expect(rr.next("ns/svc:", "10.0.0.1")).toBeUndefined();
  });

  it("sends new picks only to the new endpoints after an update", () => {
    const rr = new RoundRobin();
    rr.update("ns/svc:", ["a", "b", "c"], undefined);
    picks(rr, 2);
    rr.update("ns/svc:", ["a", "c"], undefined);
    expect(new Set(picks(rr, 4))).toEqual(new Set(["a", "c"]));
  });

  it("keeps a ClientIP client on its endpoint until the session times out", () => {
    const c = clock();
    const rr = new RoundRobin(c.now);
    rr.update("ns/svc:", ["a", "b", "c"], 10);
    const first = rr.next("ns/svc:", "10.0.0.1");
    expect(picks(rr, 3, "10.0.0.1")).toEqual([first, first, first]);
    expect(rr.next("ns/svc:", "10.0.0.2")).not.toBe(first);
    c.advance(9_999);
    expect(rr.next("ns/svc:", "10.0.0.1")).toBe(first);
    c.advance(10_000);
    expect(rr.next("ns/svc:", "10.0.0.1")).not.toBe(first);
  });

  it("moves a sticky client after a failed dial, and when its endpoint goes away", () => {
    const rr = new RoundRobin();
    rr.update("ns/svc:", ["a", "b"], 60);
    expect(rr.next("ns/svc:", "10.0.0.1")).toBe("a");
    expect(rr.next("ns/svc:", "10.0.0.1", true)).toBe("b");
    expect(rr.next("ns/svc:", "10.0.0.1")).toBe("b");
    rr.update("ns/svc:", ["a", "c"], 60);
    expect(rr.next("ns/svc:", "10.0.0.1")).not.toBe("b");
  });

  it("forgets stale sessions", () => {
    const c = clock();
    const rr = new RoundRobin(c.now);
    rr.update("ns/svc:", ["a", "b"], 1);
    expect(rr.next("ns/svc:", "10.0.0.1")).toBe("a");
    c.advance(1_000);
    rr.cleanupStaleStickySessions();
    expect(rr.next("ns/svc:", "10.0.0.1")).toBe("b");
  });
});
