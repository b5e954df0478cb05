import { describe, expect, it } from "vitest";
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  createDefaultControllerRateLimiter,
} from "./rate-limiter.js";
import { FakeClock } from "./testing/index.js";

describe("ItemExponentialFailureRateLimiter", () => {
  it.each([
    { name: "defaults: 5 ms doubling", opts: {}, failures: 5, delays: [5, 10, 20, 40, 80] },
    { name: "capped at the max", opts: { baseDelayMs: 100, maxDelayMs: 500 }, failures: 5, delays: [100, 200, 400, 500, 500] },
  ])("$name", ({ opts, failures, delays }) => {
    const limiter = new ItemExponentialFailureRateLimiter(opts);
    expect(Array.from({ length: failures }, () => limiter.when("a"))).toEqual(delays);
    expect(limiter.numRequeues("a")).toBe(failures);
  });

  it("caps at 1000 s by default, from the 19th failure", () => {
    const limiter = new ItemExponentialFailureRateLimiter();
    const delays = Array.from({ length: 20 }, () => limiter.when("a"));
    expect(delays.slice(16)).toEqual([327_680, 655_360, 1_000_000, 1_000_000]);
  });

  it("stays at the cap however many failures (no overflow)", () => {
    const limiter = new ItemExponentialFailureRateLimiter({ maxDelayMs: 60_000 });
    for (let i = 0; i < 2000; i++) limiter.when("a");
    expect(limiter.when("a")).toBe(60_000);
  });

  it("backs off each key on its own, and forget starts a key over", () => {
    const limiter = new ItemExponentialFailureRateLimiter();
    limiter.when("a");
    limiter.when("a");
    expect(limiter.when("b")).toBe(5);
    expect(limiter.when("a")).toBe(20);
    limiter.forget("a");
    expect(limiter.numRequeues("a")).toBe(0);
    expect(limiter.when("a")).toBe(5);
    expect(limiter.when("b")).toBe(10);
  });
});

describe("BucketRateLimiter", () => {
  it("lets a burst through, then spaces retries at the rate, refilling with time", () => {
    const clock = new FakeClock();
    const limiter = new BucketRateLimiter({ qps: 10, burst: 3, clock });
    expect([limiter.when("a"), limiter.when("b"), limiter.when("c")]).toEqual([0, 0, 0]);
    // Reservations queue up: the 4th waits one token (100 ms), the 5th two.
    expect(limiter.when("d")).toBeCloseTo(100);
    expect(limiter.when("e")).toBeCloseTo(200);
    clock.advance(1000);
    // 1 s at 10 qps refills the 2 tokens owed and the burst of 3, no more.
    expect([limiter.when("f"), limiter.when("g"), limiter.when("h")]).toEqual([0, 0, 0]);
    expect(limiter.when("i")).toBeCloseTo(100);
  });
});

describe("MaxOfRateLimiter", () => {
  it("waits for the slower limiter and forgets in all", () => {
    const clock = new FakeClock();
    const limiter = new MaxOfRateLimiter(
      new ItemExponentialFailureRateLimiter({ baseDelayMs: 50 }),
      new BucketRateLimiter({ qps: 1, burst: 1, clock }),
    );
    expect(limiter.when("a")).toBe(50); // bucket has a token: per-key back-off decides
    expect(limiter.when("b")).toBeCloseTo(1000); // bucket empty: it decides
    expect(limiter.numRequeues("a")).toBe(1);
    limiter.forget("a");
    expect(limiter.numRequeues("a")).toBe(0);
  });

  it("as the controller default: 5 ms per key until 100 keys have failed at once", () => {
    const limiter = createDefaultControllerRateLimiter(new FakeClock());
    const delays = Array.from({ length: 101 }, (_, i) => limiter.when(`k${i}`));
    expect(delays.slice(0, 100).every((d) => d === 5)).toBe(true);
    expect(delays[100]).toBeCloseTo(100);
  });
});
