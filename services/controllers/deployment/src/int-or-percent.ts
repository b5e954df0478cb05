import { scaledValueFromIntOrPercent } from "@capstan/api";

/**
 * maxSurge / maxUnavailable against the desired replicas: surge rounds up and unavailability down, so a
 * rollout always makes progress without overshooting; both zero would deadlock, so unavailability
 * becomes 1 (Kubernetes' ResolveFenceposts).
 */
export function resolveFenceposts(maxSurge: string, maxUnavailable: string, replicas: number): { surge: number; unavailable: number } {
  const surge = scaledValueFromIntOrPercent(maxSurge, replicas, true);
  const unavailable = scaledValueFromIntOrPercent(maxUnavailable, replicas, false);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}
