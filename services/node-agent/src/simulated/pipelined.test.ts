import { describe, expect, it } from "vitest";
import { pipelined } from "./pipelined.js";

describe("pipelined", () => {
  it.each([
    { name: "more items than lanes", items: 10, maxInFlight: 3, wantPeak: 3 },
    { name: "fewer items than lanes", items: 2, maxInFlight: 8, wantPeak: 2 },
    { name: "no items", items: 0, maxInFlight: 4, wantPeak: 0 },
  ])("runs every item, at most maxInFlight at once: $name", async ({ items, maxInFlight, wantPeak }) => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    await pipelined(Array.from({ length: items }, (_, i) => i), maxInFlight, async (i) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 1 + (i % 3)));
      inFlight--;
      done.push(i);
    });
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: items }, (_, i) => i));
    expect(peak).toBe(wantPeak);
  });
});
