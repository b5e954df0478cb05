import { describe, expect, it } from "vitest";
import { isIntOrStringInt, percentOf, scaledValueFromIntOrPercent } from "./int-or-string.js";

describe("scaledValueFromIntOrPercent", () => {
  it.each([
    { name: "an integer", value: "2", total: 10, roundUp: false, want: 2 },
    { name: "unset", value: undefined, total: 10, roundUp: true, want: 0 },
    { name: "25% of 3, up (maxSurge)", value: "25%", total: 3, roundUp: true, want: 1 },
    { name: "25% of 3, down (maxUnavailable)", value: "25%", total: 3, roundUp: false, want: 0 },
    { name: "25% of 4", value: "25%", total: 4, roundUp: false, want: 1 },
    { name: "10% of 7, up", value: "10%", total: 7, roundUp: true, want: 1 },
    { name: "100% of 5", value: "100%", total: 5, roundUp: false, want: 5 },
    { name: "0%", value: "0%", total: 5, roundUp: true, want: 0 },
  ])("$name → $want", ({ value, total, roundUp, want }) => {
    expect(scaledValueFromIntOrPercent(value, total, roundUp)).toBe(want);
  });

  it("rejects a string that is not a percentage", () => {
    expect(() => scaledValueFromIntOrPercent("http", 3, true)).toThrow(/must be an integer or percentage/);
  });
});

describe("isIntOrStringInt and percentOf", () => {
  it.each([
    { value: "1", int: true, percent: undefined },
    { value: "-1", int: true, percent: undefined },
    { value: "25%", int: false, percent: 25 },
    { value: "http", int: false, percent: undefined },
    { value: "", int: false, percent: undefined },
  ])("$value", ({ value, int, percent }) => {
    expect(isIntOrStringInt(value)).toBe(int);
    expect(percentOf(value)).toBe(percent);
  });
});
