import { describe, expect, it } from "vitest";
import { humanDuration } from "./human-duration.js";

describe("humanDuration", () => {
  it.each([
    ["seconds", 45_000, "45s"],
    ["under two minutes", 119_000, "119s"],
    ["minutes and seconds", 5 * 60_000 + 7_000, "5m7s"],
    ["minutes", 42 * 60_000, "42m"],
    ["hours and minutes", 3 * 3_600_000 + 12 * 60_000, "3h12m"],
    ["hours", 20 * 3_600_000, "20h"],
    ["days", 4 * 86_400_000, "4d"],
    ["years", 800 * 86_400_000, "2y"],
  ])("%s", (_name, ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});
