/** What a check returns while its condition does not hold yet. */
export type Pending = undefined | null | false;

export interface EventuallyOptions {
  /** Default 10 s. */
  readonly timeoutMs?: number;
  /** Between checks; default 10 ms. */
  readonly intervalMs?: number;
  /** Named in the error at the deadline. */
  readonly what?: string;
}

/**
 * Polls `check` until it returns a value (anything but undefined, null or false), which it resolves
 * with; a check that throws is not yet satisfied either. At the deadline it fails with the last reason,
 * so a test waits on a condition instead of sleeping blindly.
 */
export async function eventually<T>(check: () => T | Pending | Promise<T | Pending>, opts: EventuallyOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value as T;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const reason = last === undefined ? "not met" : last instanceof Error ? last.message : String(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? "the condition"}: ${reason}`, last === undefined ? {} : { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 10));
  }
}
