import { describe, expect, it } from "vitest";
import { FakeClock } from "@capstan/apimachinery/testing";
import { ReportQueue } from "./report-queue.js";

/** A write that stays in flight until the test finishes it. */
function harness(maxInFlight: number, failed: (uid: string) => boolean = () => false) {
  const clock = new FakeClock();
  const inFlight = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const written: string[] = [];
  let peak = 0;
  const queue = new ReportQueue({
    write: (uid) =>
      new Promise<void>((resolve, reject) => {
        written.push(uid);
        inFlight.set(uid, { resolve, reject });
        peak = Math.max(peak, inFlight.size);
      }).finally(() => inFlight.delete(uid)),
    failed,
    maxInFlight,
    coalesceMs: 50,
    retryMs: 1000,
    clock,
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { clock, queue, inFlight, written, settle, peak: () => peak };
}

describe("ReportQueue", () => {
  it("coalesces changes to one pod within the window into one write", async () => {
    const h = harness(4);
    h.queue.add("a");
    h.queue.add("a");
    h.queue.add("b");
    h.clock.advance(49);
    expect(h.written).toEqual([]);
    h.clock.advance(1);
    expect(h.written).toEqual(["a", "b"]);
  });

  it("keeps at most maxInFlight writes outstanding and goes on as they finish", async () => {
    const h = harness(2);
    for (const uid of ["a", "b", "c", "d", "e"]) h.queue.add(uid);
    h.clock.advance(50);
    expect(h.written).toEqual(["a", "b"]);
    h.inFlight.get("a")!.resolve();
    await h.settle();
    expect(h.written).toEqual(["a", "b", "c"]);
    for (const uid of ["b", "c", "d"]) {
      h.inFlight.get(uid)!.resolve();
      await h.settle();
    }
    expect(h.written).toEqual(["a", "b", "c", "d", "e"]);
    expect(h.peak()).toBe(2);
  });

  it("writes a pod changed during its write once more afterwards, never twice at once", async () => {
    const h = harness(4);
    h.queue.add("a");
    h.clock.advance(50);
    h.queue.add("a");
    h.clock.advance(50);
    expect(h.written).toEqual(["a"]);
    h.inFlight.get("a")!.resolve();
    await h.settle();
    expect(h.written).toEqual(["a", "a"]);
  });

  it.each([
    { name: "retried after retryMs when the failure says so", retry: true, want: ["a", "a"] },
    { name: "dropped when it does not", retry: false, want: ["a"] },
  ])("a failed write is $name", async ({ retry, want }) => {
    const h = harness(4, () => retry);
    h.queue.add("a");
    h.clock.advance(50);
    h.inFlight.get("a")!.reject(new Error("unavailable"));
    await h.settle();
    h.clock.advance(1050);
    expect(h.written).toEqual(want);
    expect(h.queue.pending).toBe(retry ? 1 : 0);
  });
});
