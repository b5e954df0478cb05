/** kubectl's short human durations (apimachinery's duration.HumanDuration): 45s, 5m7s, 3h12m, 4d, 2y. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ""}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return `${h}h${m % 60 ? `${m % 60}m` : ""}`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return `${d}d${h % 24 ? `${h % 24}h` : ""}`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

/** How long ago an RFC 3339 timestamp was, as kubectl's AGE column shows it; <unknown> without one. */
export function age(timestamp: unknown, now = Date.now()): string {
  if (typeof timestamp !== "string" || !timestamp) return "<unknown>";
  return humanDuration(now - Date.parse(timestamp));
}
