import { systemClock, type Clock } from "@capstan/apimachinery";

export interface ReportQueueOptions {
  /** Writes the current status of one pod. */
  readonly write: (uid: string) => Promise<void>;
  /** Called when a write failed; true → write that pod again after `retryMs`. */
  readonly failed: (uid: string, e: unknown) => boolean;
  /** Writes at most this many at once: pipelined, yet bounded so a burst cannot swamp the gateway. */
  readonly maxInFlight: number;
  /** A change waits this long first, so a burst of changes to one pod becomes one write. */
  readonly coalesceMs: number;
  readonly retryMs: number;
  readonly clock?: Clock;
}

/**
 * Pod status writes, coalesced per pod and pipelined with a bound: a pod changed again while its
 * write is in flight is written once more afterwards (never two writes of one pod at once, so an
 * older status cannot land after a newer one).
 */
export class ReportQueue {
  private readonly waiting = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly again = new Set<string>();
  private scheduled = false;
  private readonly clock: Clock;

  constructor(private readonly opts: ReportQueueOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /** The pod's status changed: write it soon. */
  add(uid: string): void {
    if (this.inFlight.has(uid)) {
      this.again.add(uid);
      return;
    }
    this.waiting.add(uid);
    if (!this.scheduled) {
      this.scheduled = true;
      this.clock.setTimeout(() => {
        this.scheduled = false;
        this.pump();
      }, this.opts.coalesceMs);
    }
  }

  /** Pods waiting for or in the middle of a write. */
  get pending(): number {
    return this.waiting.size + this.inFlight.size;
  }

  private pump(): void {
    for (const uid of this.waiting) {
      if (this.inFlight.size >= this.opts.maxInFlight) return;
      this.waiting.delete(uid);
      this.inFlight.add(uid);
      this.opts
        .write(uid)
        .then(
          () => false,
          (e: unknown) => this.opts.failed(uid, e),
        )
        .then((retry) => {
          this.inFlight.delete(uid);
          if (this.again.delete(uid)) this.waiting.add(uid);
          else if (retry) this.clock.setTimeout(() => this.add(uid), this.opts.retryMs);
          this.pump();
        });
    }
  }
}
