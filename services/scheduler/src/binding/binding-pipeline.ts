/**
 * Binds in flight, bounded. The scheduling loop assumes a pod in its cache, hands the bind here and
 * decides the next pod at once: it waits only when `maxInFlight` binds are outstanding, so a slow
 * gateway slows scheduling down instead of piling up unbounded work.
 */
export class BindingPipeline {
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private drainWaiters: (() => void)[] = [];

  constructor(readonly maxInFlight: number) {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }

  get size(): number {
    return this.inFlight;
  }

  /**
   * Counts a started bind until it settles; resolves once there is room for another. The bind handles
   * its own failures (forget, requeue, event): a rejection here is a bug and is left unhandled, loudly.
   */
  async add(bind: Promise<void>): Promise<void> {
    this.inFlight++;
    void bind.finally(() => this.settled());
    while (this.inFlight >= this.maxInFlight) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
  }

  /** Resolves when every bind added so far has settled. */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private settled(): void {
    this.inFlight--;
    this.slotWaiters.shift()?.();
    if (this.inFlight === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }
}
