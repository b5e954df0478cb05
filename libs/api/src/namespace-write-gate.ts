/**
 * Orders a namespace's writes around one that must count them all (a ResourceQuota's create or update):
 * that write waits until the namespace's writes in flight have ended, and writes that start meanwhile
 * wait until it has — Kubernetes' quota admission serializes a namespace's work the same way. Without
 * it, a pod that read the namespace's quota names just before a new quota committed would commit after
 * the quota's count without being charged to it.
 */
export class NamespaceWriteGate {
  private readonly inFlight = new Map<string, Set<Promise<unknown>>>();
  private readonly held = new Map<string, Promise<unknown>>();

  /** Runs a write once no write holds the namespace, counted in flight until it ends. */
  async pass<T>(namespace: string, write: () => Promise<T>): Promise<T> {
    for (let holder = this.held.get(namespace); holder; holder = this.held.get(namespace)) await ended(holder);
    // No await from the last check to here: a holder that starts later sees this write in flight.
    const running = write();
    const writes = this.inFlight.get(namespace) ?? new Set<Promise<unknown>>();
    this.inFlight.set(namespace, writes);
    writes.add(running);
    try {
      return await running;
    } finally {
      writes.delete(running);
      if (writes.size === 0) this.inFlight.delete(namespace);
    }
  }

  /** Runs a write that holds the namespace: after the holder before it and the writes in flight end, and alone until it ends. */
  async hold<T>(namespace: string, write: () => Promise<T>): Promise<T> {
    const previous = this.held.get(namespace);
    const running = (async () => {
      if (previous) await ended(previous);
      await Promise.allSettled([...(this.inFlight.get(namespace) ?? [])]);
      return write();
    })();
    // Held from now on, before any await: a write that starts after this call waits for it.
    this.held.set(namespace, running);
    try {
      return await running;
    } finally {
      if (this.held.get(namespace) === running) this.held.delete(namespace);
    }
  }
}

/** When a write has ended, however: its outcome is its own caller's to handle. */
function ended(write: Promise<unknown>): Promise<void> {
  return write.then(
    () => undefined,
    () => undefined,
  );
}
