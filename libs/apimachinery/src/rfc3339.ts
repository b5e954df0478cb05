/** A time as Kubernetes writes metav1.Time: RFC 3339 in UTC, to the second ("2026-12-04T01:30:00Z"). */
export function rfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
