import { describe, expect, it } from "vitest";
import { durationText, parseDuration, parseRequestTimeout } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    { name: "zero", text: "0", ms: 0 },
    { name: "seconds", text: "30s", ms: 30_000 },
    { name: "minutes", text: "2m", ms: 120_000 },
    { name: "hours", text: "1h", ms: 3_600_000 },
    { name: "compound", text: "1h30m5s", ms: 5_405_000 },
    { name: "milliseconds", text: "500ms", ms: 500 },
    { name: "fraction", text: "1.5s", ms: 1500 },
  ])("$name: $text", ({ text, ms }) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    { name: "no unit", text: "30" },
    { name: "unknown unit", text: "3d" },
    { name: "trailing garbage", text: "30s!" },
    { name: "negative", text: "-1s" },
    { name: "empty", text: "" },
    { name: "words", text: "soon" },
  ])("rejects $name: $text", ({ text }) => {
    expect(() => parseDuration(text)).toThrow(`invalid duration "${text}": use a number with a unit, e.g. 30s, 2m or 1h`);
  });
});

describe("durationText", () => {
  it.each([
    { ms: 50, text: "50ms" },
    { ms: 30_000, text: "30s" },
    { ms: 90_000, text: "1m30s" },
    { ms: 7_200_000, text: "2h" },
  ])("$ms ms is $text", ({ ms, text }) => {
    expect(durationText(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe("parseRequestTimeout", () => {
  it.each([
    { text: "0", ms: 0 },
    { text: "5", ms: 5000 },
    { text: "250ms", ms: 250 },
    { text: "2m", ms: 120_000 },
  ])("$text is $ms ms", ({ text, ms }) => {
    expect(parseRequestTimeout(text)).toBe(ms);
  });

  it.each(["abc", "-1s", "5d", ""])("refuses %j with kubectl's message", (text) => {
    expect(() => parseRequestTimeout(text)).toThrow(/^Invalid timeout value\. Timeout must be a single integer in seconds/);
  });
});
