import { eventually as poll, type EventuallyOptions, type Pending } from "@capstan/apimachinery/testing";

/** The shared `eventually`, with end-to-end defaults: processes take longer, so 30 s, polled every 200 ms. */
export function eventually<T>(check: () => T | Pending | Promise<T | Pending>, opts: EventuallyOptions = {}): Promise<T> {
  return poll(check, { timeoutMs: 30_000, intervalMs: 200, ...opts });
}
