/** Polls `probe` until it returns something other than undefined; fails at the deadline instead of sleeping blindly. */
export async function eventually<T>(probe: () => T | undefined, opts: { timeoutMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${opts.what ?? "condition"} not met within ${opts.timeoutMs ?? 10_000} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
