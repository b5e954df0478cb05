/**
 * A CronJob's schedule as Kubernetes reads it (robfig/cron ParseStandard): five fields, minute hour
 * day-of-month month day-of-week, or a descriptor (@daily, …, @every 1h30m); times in spec.timeZone (UTC
 * when unset).
 * cron-parser computes the times; this file keeps it to the syntax Kubernetes accepts (cron-parser also
 * takes a seconds field, L, W and # that a Kubernetes cluster would reject).
 */
import { CronExpressionParser, type CronExpression } from "cron-parser";

/** The times a schedule fires. */
export interface CronSchedule {
  /** The first time after `after` (strictly) the schedule fires; undefined if it never does. */
  next(after: Date): Date | undefined;
}

export type ParsedSchedule = { readonly ok: true; readonly schedule: CronSchedule } | { readonly ok: false; readonly reason: string };

/** robfig/cron's descriptors; `@every <duration>` is apart (everySchedule). */
const descriptors: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const monthNames = /jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec/gi;
const dayNames = /sun|mon|tue|wed|thu|fri|sat/gi;
const fieldSyntax = /^[0-9*?,/-]+$/;
const fieldNames = ["minute", "hour", "day of month", "month", "day of week"] as const;

/** The schedule, or why Kubernetes would not take it. */
export function parseCronSchedule(schedule: string, timeZone = "UTC"): ParsedSchedule {
  const text = schedule.trim();
  if (text.length === 0) return { ok: false, reason: "empty spec string" };
  let expression: string;
  if (text.startsWith("@every ")) return everySchedule(text.slice("@every ".length));
  if (text.startsWith("@")) {
    const expanded = descriptors[text];
    if (expanded === undefined) return { ok: false, reason: `unrecognized descriptor: ${text}` };
    expression = expanded;
  } else {
    const fields = text.split(/\s+/);
    if (fields.length !== 5) return { ok: false, reason: `expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]` };
    for (const [i, f] of fields.entries()) {
      const names = i === 3 ? monthNames : i === 4 ? dayNames : undefined;
      if (!fieldSyntax.test(names ? f.replace(names, "0") : f)) return { ok: false, reason: `invalid ${fieldNames[i]} field: "${f}"` };
    }
    const sundayAsSeven = daysAboveSaturday(fields[4]!);
    if (sundayAsSeven !== undefined) return { ok: false, reason: `end of range (${sundayAsSeven}) above maximum (6): ${fields[4]}` };
    expression = fields.join(" ");
  }
  let parsed: CronExpression;
  try {
    parsed = CronExpressionParser.parse(expression, { tz: timeZone, currentDate: new Date(0) });
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  return { ok: true, schedule: { next: (after) => nextAfter(parsed, after) } };
}

/** Go's time.ParseDuration units, in milliseconds (below a millisecond only counts toward the sum). */
const durationUnits: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, "μs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const durationSyntax = /^(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;

/**
 * robfig/cron's `@every <duration>` (ConstantDelaySchedule): every whole second of a Go duration, at
 * least one, counted from the time it is asked about rather than from the clock's minutes.
 */
function everySchedule(duration: string): ParsedSchedule {
  const text = duration.trim();
  if (!durationSyntax.test(text)) return { ok: false, reason: `failed to parse duration @every ${duration}: time: invalid duration "${duration}"` };
  let ms = 0;
  for (const [, value = "", unit = ""] of text.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) ms += Number(value) * (durationUnits[unit] ?? 0);
  const delay = Math.max(1000, Math.floor(ms / 1000) * 1000);
  return { ok: true, schedule: { next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + delay) } };
}

/** A day of week above 6 in a range (not a step): cron-parser reads 7 as Sunday, robfig/cron refuses it. */
function daysAboveSaturday(field: string): number | undefined {
  for (const part of field.split(",")) {
    const range = part.split("/")[0] ?? "";
    const above = range.split("-").map(Number).find((n) => n > 6);
    if (above !== undefined) return above;
  }
  return undefined;
}

function nextAfter(expression: CronExpression, after: Date): Date | undefined {
  // Whole seconds, as robfig/cron: the next firing is later than `after` rounded down to its second.
  expression.reset(new Date(Math.floor(after.getTime() / 1000) * 1000));
  try {
    return expression.next().toDate();
  } catch {
    return undefined; // a schedule that never fires (the 30th of February)
  }
}

/** Whether a time zone is one the tz database names (Go's time.LoadLocation would find it). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}
