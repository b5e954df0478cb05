import { describe, expect, it } from "vitest";
import { isKnownTimeZone, parseCronSchedule } from "./schedule.js";

const nextOf = (schedule: string, after: string, timeZone?: string) => {
  const parsed = parseCronSchedule(schedule, timeZone);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.schedule.next(new Date(after))?.toISOString();
};

describe("parseCronSchedule", () => {
  it.each([
    ["every minute, strictly after", "* * * * *", "2026-01-01T10:00:00.000Z", undefined, "2026-01-01T10:01:00.000Z"],
    ["within a second rounds down", "* * * * *", "2026-01-01T10:00:59.900Z", undefined, "2026-01-01T10:01:00.000Z"],
    ["steps", "*/15 * * * *", "2026-01-01T10:07:00.000Z", undefined, "2026-01-01T10:15:00.000Z"],
    ["a day-of-week step, Saturday in it", "0 9 * * */2", "2026-01-03T00:00:00.000Z", undefined, "2026-01-03T09:00:00.000Z"],
    ["day names", "0 9 * * mon-fri", "2026-01-03T00:00:00.000Z", undefined, "2026-01-05T09:00:00.000Z"],
    ["month names", "0 0 1 Mar *", "2026-01-03T00:00:00.000Z", undefined, "2026-03-01T00:00:00.000Z"],
    ["@hourly", "@hourly", "2026-01-01T10:30:00.000Z", undefined, "2026-01-01T11:00:00.000Z"],
    ["@daily", "@daily", "2026-01-01T10:30:00.000Z", undefined, "2026-01-02T00:00:00.000Z"],
    ["@midnight", "@midnight", "2026-01-01T10:30:00.000Z", undefined, "2026-01-02T00:00:00.000Z"],
    ["@weekly, on Sunday", "@weekly", "2026-01-01T10:30:00.000Z", undefined, "2026-01-04T00:00:00.000Z"],
    ["@monthly", "@monthly", "2026-01-15T10:30:00.000Z", undefined, "2026-02-01T00:00:00.000Z"],
    ["@yearly", "@yearly", "2026-01-15T10:30:00.000Z", undefined, "2027-01-01T00:00:00.000Z"],
    ["@every, from the time asked", "@every 90s", "2026-01-01T10:00:10.500Z", undefined, "2026-01-01T10:01:40.000Z"],
    ["@every, Go's duration syntax", "@every 1h30m", "2026-01-01T10:00:00.000Z", undefined, "2026-01-01T11:30:00.000Z"],
    ["@every, at least a second", "@every 10ms", "2026-01-01T10:00:00.000Z", undefined, "2026-01-01T10:00:01.000Z"],
    ["in a time zone", "0 9 * * *", "2026-01-01T00:00:00.000Z", "America/New_York", "2026-01-01T14:00:00.000Z"],
    ["across a DST change", "0 9 * * *", "2026-03-29T00:00:00.000Z", "Europe/Berlin", "2026-03-29T07:00:00.000Z"],
  ])("%s", (_name, schedule, after, timeZone, expected) => {
    expect(nextOf(schedule, after, timeZone)).toBe(expected);
  });

  it.each([
    ["a seconds field", "* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"],
    ["too few fields", "* * *", "expected exactly 5 fields, found 3: [* * *]"],
    ["an unknown descriptor", "@minutely", "unrecognized descriptor: @minutely"],
    ["@every with no duration", "@every", "unrecognized descriptor: @every"],
    ["@every without a unit", "@every 5", 'failed to parse duration @every 5: time: invalid duration "5"'],
    ["L (not robfig/cron's)", "0 0 L * *", 'invalid day of month field: "L"'],
    ["# (not robfig/cron's)", "0 0 * * 1#2", 'invalid day of week field: "1#2"'],
    ["Sunday as 7", "0 0 * * 5-7", "end of range (7) above maximum (6): 5-7"],
    ["a name in the wrong field", "0 0 * mon *", 'invalid month field: "mon"'],
    ["a TZ prefix", "TZ=UTC * * * * *", "expected exactly 5 fields, found 6: [TZ=UTC * * * * *]"],
  ])("rejects %s", (_name, schedule, reason) => {
    expect(parseCronSchedule(schedule)).toEqual({ ok: false, reason });
  });

  it("rejects a value out of range", () => {
    expect(parseCronSchedule("61 * * * *").ok).toBe(false);
  });

  it("knows the tz database's zones", () => {
    expect(isKnownTimeZone("Europe/Berlin")).toBe(true);
    expect(isKnownTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
