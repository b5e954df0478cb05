import { metrics, type Meter } from "@opentelemetry/api";
import {
  observeLongestRunningProcessor,
  secondsSince,
  workQueueInstruments,
  type WorkQueueAttributes,
  type WorkQueueInstruments,
} from "@capstan/telemetry";
import { systemClock, type Clock, type Timer } from "@capstan/apimachinery";
import { createDefaultControllerRateLimiter, type RateLimiter } from "./rate-limiter.js";

/**
 * Keys waiting to be reconciled (client-go's rate-limiting work queue). A key is queued at most once;
 * a key being processed is never handed to a second worker: added again meanwhile, it is queued once
 * more when `done` is called, so the change that re-added it is seen.
 */
export interface WorkQueue<K extends string> {
  add(key: K): void;
  /** Adds the key once `delayMs` has passed; a key already waiting keeps the earlier time. */
  addAfter(key: K, delayMs: number): void;
  /** Adds the key after the rate limiter's delay for it (per-key back-off on failure). */
  addRateLimited(key: K): void;
  /** Ends the key's back-off: call it when the key was processed successfully. */
  forget(key: K): void;
  numRequeues(key: K): number;
  /** The next key, waiting for one; undefined once the queue is shut down. */
  get(): Promise<K | undefined>;
  /** Marks a key from `get` as processed. */
  done(key: K): void;
  /** Drops queued and waiting keys and releases every `get`; later adds are ignored. */
  shutDown(): void;
  readonly shuttingDown: boolean;
  /** Keys queued and ready, not counting keys in flight or waiting for their delay. */
  readonly depth: number;
}

export interface WorkQueueOptions<K extends string> {
  /** Shown on the queue's metrics (capstan.workqueue.*). */
  readonly name?: string;
  readonly rateLimiter?: RateLimiter<K>;
  readonly clock?: Clock;
  /** Where the metrics go; the global meter provider's by default. */
  readonly meter?: Meter;
}

export function createWorkQueue<K extends string>(opts: WorkQueueOptions<K> = {}): WorkQueue<K> {
  return new RateLimitingWorkQueue(opts);
}

class RateLimitingWorkQueue<K extends string> implements WorkQueue<K> {
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<K>;
  private readonly metrics: WorkQueueInstruments;
  private readonly attributes: WorkQueueAttributes;
  private readonly stopObservingLongestRunning: () => void;

  // A FIFO as an array with a moving head, so dequeuing a key is O(1).
  private queue: K[] = [];
  private head = 0;
  /** Keys that need processing: queued, or re-added while in flight. */
  private readonly dirty = new Set<K>();
  /** Keys being processed, each with when a worker took it (clock ms). */
  private readonly processing = new Map<K, number>();
  /** When each queued key was queued (clock ms), for the queue-duration metric. */
  private readonly queuedAt = new Map<K, number>();
  private readonly waiting = new Map<K, { readyAt: number; timer: Timer }>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private stopped = false;

  constructor(opts: WorkQueueOptions<K>) {
    this.clock = opts.clock ?? systemClock;
    this.rateLimiter = opts.rateLimiter ?? createDefaultControllerRateLimiter<K>(this.clock);
    const meter = opts.meter ?? metrics.getMeter("@capstan/controller-runtime");
    this.metrics = workQueueInstruments(meter);
    this.attributes = { "capstan.workqueue.name": opts.name ?? "" };
    // Present from the start, as client-go registers them: a queue no key ever waited in still shows depth 0.
    for (const counter of [this.metrics.depth, this.metrics.adds, this.metrics.retries]) counter.add(0, this.attributes);
    this.stopObservingLongestRunning = observeLongestRunningProcessor(meter, this.attributes, () => {
      const now = this.clock.now();
      let longest = 0;
      for (const startedAt of this.processing.values()) longest = Math.max(longest, secondsSince(startedAt, now));
      return longest;
    });
  }

  get shuttingDown(): boolean {
    return this.stopped;
  }

  get depth(): number {
    return this.queue.length - this.head;
  }

  add(key: K): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.metrics.adds.add(1, this.attributes);
    this.dirty.add(key);
    if (!this.processing.has(key)) this.enqueue(key);
  }

  addAfter(key: K, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    existing?.timer.cancel();
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { readyAt, timer });
  }

  addRateLimited(key: K): void {
    if (!this.stopped) this.metrics.retries.add(1, this.attributes);
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  get(): Promise<K | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = this.dequeue();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: K): void {
    const startedAt = this.processing.get(key);
    if (startedAt !== undefined) this.metrics.workDuration.record(secondsSince(startedAt, this.clock.now()), this.attributes);
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.stopped) this.enqueue(key);
  }

  shutDown(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const { timer } of this.waiting.values()) timer.cancel();
    this.waiting.clear();
    this.metrics.depth.add(-this.depth, this.attributes);
    this.stopObservingLongestRunning();
    this.queue = [];
    this.queuedAt.clear();
    this.head = 0;
    this.dirty.clear();
    for (const resolve of this.getters.splice(0)) resolve(undefined);
  }

  private enqueue(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      // A worker is idle: hand the key over directly, it never sits in the queue.
      this.dirty.delete(key);
      this.metrics.queueDuration.record(0, this.attributes);
      this.processing.set(key, this.clock.now());
      getter(key);
      return;
    }
    this.queue.push(key);
    this.queuedAt.set(key, this.clock.now());
    this.metrics.depth.add(1, this.attributes);
  }

  private dequeue(): K | undefined {
    if (this.head === this.queue.length) return undefined;
    const key = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.metrics.depth.add(-1, this.attributes);
    const now = this.clock.now();
    this.metrics.queueDuration.record(secondsSince(this.queuedAt.get(key) ?? now, now), this.attributes);
    this.queuedAt.delete(key);
    this.dirty.delete(key);
    this.processing.set(key, now);
    return key;
  }
}
