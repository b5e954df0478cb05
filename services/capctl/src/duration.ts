const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/** A duration as kubectl's flags take it (Go's time.ParseDuration: 30s, 2m, 1h30m, 500ms, 0), in milliseconds. */
export function parseDuration(text: string): number {
  if (text === "0") return 0;
  const invalid = () => new Error(`invalid duration "${text}": use a number with a unit, e.g. 30s, 2m or 1h`);
  if (text === "") throw invalid();
  let ms = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex;
    const match = PART.exec(text);
    if (!match || match.index !== at) throw invalid();
    ms += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  return ms;
}

/** kubectl's --request-timeout: a duration, or a bare integer in seconds; in milliseconds. */
export function parseRequestTimeout(text: string): number {
  const invalid = new Error("Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)");
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  try {
    return parseDuration(text);
  } catch {
    throw invalid;
  }
}

/** A duration as a flag would take it back: 50ms, 30s, 1m30s, 2h. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = Math.round(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(seconds / 3600), "h"],
    [Math.floor((seconds % 3600) / 60), "m"],
    [seconds % 60, "s"],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join("");
}
