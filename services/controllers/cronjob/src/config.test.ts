import { describe, expect, it } from "vitest";
import { cronJobClock } from "./config.js";

describe("cronJobClock", () => {
  it.each([
    ["unset", {}],
    ["empty", { CAPSTAN_CRONJOB_CLOCK_OFFSET_MS: "" }],
  ])("is the machine's clock when %s", (_name, env) => {
    const before = Date.now();
    const now = cronJobClock(env)().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    ["ahead", 90_000],
    ["behind", -5_000],
  ])("runs %s of the machine's clock by the offset", (_name, offset) => {
    const before = Date.now();
    const now = cronJobClock({ CAPSTAN_CRONJOB_CLOCK_OFFSET_MS: String(offset) })().getTime();
    expect(now).toBeGreaterThanOrEqual(before + offset);
    expect(now).toBeLessThanOrEqual(Date.now() + offset);
  });

  it.each([["abc"], ["1.5"], ["1e30"]])("refuses %s, naming the setting", (raw) => {
    expect(() => cronJobClock({ CAPSTAN_CRONJOB_CLOCK_OFFSET_MS: raw })).toThrow(`CAPSTAN_CRONJOB_CLOCK_OFFSET_MS: not a whole number of milliseconds: ${raw}`);
  });
});
