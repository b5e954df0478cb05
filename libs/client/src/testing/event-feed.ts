import type { StoredEvent } from "@capstan/eventstore";
import type { InMemoryEventStore } from "@capstan/eventstore/testing";

/**
 * One watcher's events of a kind, from the in-memory log: handed over in order as they commit, or kept
 * while the kind is held back. A handler that returns a promise gets the next event once it settles.
 */
export class EventFeed {
  private readonly queue: StoredEvent[] = [];
  private draining: Promise<void> | undefined;
  private unfollow: (() => void) | undefined;
  private stopped = false;

  constructor(
    readonly kind: string,
    private readonly deliver: (e: StoredEvent) => void | Promise<void>,
    private readonly isHeld: () => boolean,
    /** A Watch stream ends with its feed; an informer's list-watch has none. */
    readonly onEnd: (() => void) | undefined,
    private readonly onStop: () => void,
  ) {}

  follow(store: InMemoryEventStore, after: number): void {
    this.unfollow = store.follow(after, (e) => {
      if (e.kind !== this.kind || this.stopped) return;
      this.queue.push(e);
      void this.drain();
    });
    if (this.stopped) this.unfollow();
  }

  /** Hands over what is queued unless held; resolves once the handler has taken it. */
  drain(): Promise<void> {
    if (this.draining) return this.draining;
    while (this.queue.length > 0 && !this.isHeld() && !this.stopped) {
      const taken = this.deliver(this.queue.shift()!);
      if (taken instanceof Promise) {
        this.draining = taken
          .catch((e: unknown) => queueMicrotask(() => {
            throw e;
          }))
          .then(() => {
            this.draining = undefined;
            return this.drain();
          });
        return this.draining;
      }
    }
    return Promise.resolve();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.unfollow?.();
    this.onStop();
    this.onEnd?.();
  }
}
