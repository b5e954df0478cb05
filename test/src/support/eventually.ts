/** Polls until `check` stops throwing (or returns a truthy value), or the deadline passes with its last error. */
type Pending = undefined | null | false;

export async function eventually<T>(check: () => Promise<T | Pending> | T | Pending, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined && value !== null) return value as T;
      last = new Error(`${opts.what ?? "condition"} not met yet`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const message = last instanceof Error ? last.message : String(last);
      throw new Error(`timed out waiting for ${opts.what ?? "condition"}: ${message}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
