/**
 * maxSurge / maxUnavailable: an absolute number or a percentage of the desired replicas. Surge rounds
 * up and unavailability down, so a rollout always makes progress without overshooting; both zero would
 * deadlock, so unavailability becomes 1 (as Kubernetes' ResolveFenceposts does).
 */
export function resolveFenceposts(maxSurge: number | string, maxUnavailable: number | string, replicas: number): { surge: number; unavailable: number } {
  const surge = scaled(maxSurge, replicas, Math.ceil);
  const unavailable = scaled(maxUnavailable, replicas, Math.floor);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}

function scaled(value: number | string, total: number, round: (n: number) => number): number {
  if (typeof value === "number") return value;
  const match = /^(\d+)%$/.exec(value);
  if (match) return round((Number(match[1]) * total) / 100);
  const n = Number(value);
  if (Number.isInteger(n)) return n;
  throw new Error(`invalid value ${JSON.stringify(value)}: must be an integer or a percentage`);
}
