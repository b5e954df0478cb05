import { describe, expect, it } from "vitest";
import { eventInterval } from "./printer.js";

const NOW = Date.parse("2026-03-01T12:10:00.000Z");

describe("eventInterval", () => {
  it("is the age of an event seen once", () => {
    expect(eventInterval({ firstTimestamp: "2026-03-01T12:09:30.000Z", lastTimestamp: "2026-03-01T12:09:30.000Z", count: 1 }, NOW)).toBe("30s");
  });

  it("is kubectl's `LAST (xN over FIRST)` for an event seen again", () => {
    expect(eventInterval({ firstTimestamp: "2026-03-01T12:08:00.000Z", lastTimestamp: "2026-03-01T12:09:50.000Z", count: 3 }, NOW)).toBe("10s (x3 over 2m)");
  });
});
