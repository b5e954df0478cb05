import { systemClock, type Clock } from "@capstan/apimachinery";

/** How long a key waits before its next retry; after client-go's workqueue.RateLimiter. */
export interface RateLimiter<K extends string = string> {
  /** The delay before `key` is retried; counts the attempt. */
  when(key: K): number;
  /** Clears the key's failure history (it succeeded, or was given up). */
  forget(key: K): void;
  /** Failures counted for `key` since it was last forgotten. */
  numRequeues(key: K): number;
}

export interface ExponentialRateLimiterOptions {
  /** Delay after the first failure; doubled after each further one. Default 5 ms. */
  readonly baseDelayMs?: number;
  /** The longest delay. Default 1000 s. */
  readonly maxDelayMs?: number;
}

/** Per-key exponential back-off: base·2^failures, capped (client-go's ItemExponentialFailureRateLimiter). */
export class ItemExponentialFailureRateLimiter<K extends string = string> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: ExponentialRateLimiterOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
  }

  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2 ** n overflows to Infinity for large n, which the cap turns back into maxDelayMs.
    return Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface BucketRateLimiterOptions {
  /** Sustained retries per second across all keys. Default 10. */
  readonly qps?: number;
  /** Retries allowed at once before the rate applies. Default 100. */
  readonly burst?: number;
  readonly clock?: Clock;
}

/**
 * One token bucket for all keys, so a burst of failures cannot turn into a retry storm against the
 * gateway. Each call reserves a token, waiting for it if the bucket is empty (golang.org/x/time/rate).
 */
export class BucketRateLimiter<K extends string = string> implements RateLimiter<K> {
  private readonly qps: number;
  private readonly burst: number;
  private readonly clock: Clock;
  private tokens: number;
  private last: number;

  constructor(opts: BucketRateLimiterOptions = {}) {
    this.qps = opts.qps ?? 10;
    this.burst = opts.burst ?? 100;
    this.clock = opts.clock ?? systemClock;
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  when(_key: K): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_key: K): void {}

  numRequeues(_key: K): number {
    return 0;
  }
}

/** The longest delay any of the limiters asks for. */
export class MaxOfRateLimiter<K extends string = string> implements RateLimiter<K> {
  private readonly limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(key: K): number {
    let delay = 0;
    for (const l of this.limiters) delay = Math.max(delay, l.when(key));
    return delay;
  }

  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }

  numRequeues(key: K): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.numRequeues(key));
    return n;
  }
}

/** client-go's default for controllers: per-key 5 ms → 1000 s back-off, and 10 qps / 100 burst overall. */
export function createDefaultControllerRateLimiter<K extends string = string>(clock: Clock = systemClock): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ItemExponentialFailureRateLimiter<K>({ baseDelayMs: 5, maxDelayMs: 1_000_000 }),
    new BucketRateLimiter<K>({ qps: 10, burst: 100, clock }),
  );
}
