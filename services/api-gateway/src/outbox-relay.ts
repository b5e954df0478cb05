import type { JetStreamBus } from "@capstan/bus";
import type { EventStore, StoredEvent } from "@capstan/eventstore";
import type { BusEvent } from "@capstan/bus";

const BATCH = 1000;
const IDLE_POLL_MS = 1000;
/** A relay that cannot publish retries after this, doubling up to the maximum: never a hot loop. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 10_000;

/**
 * Moves committed events from the log to JetStream in revision order. Its only checkpoint is the
 * stream's own last sequence (== the last relayed revision), so a crash anywhere between commit and
 * publish resumes exactly where the stream stands: nothing lost, nothing twice.
 */
export class OutboxRelay {
  private running = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private published = 0;

  constructor(
    private readonly store: EventStore,
    private readonly bus: JetStreamBus,
    private readonly log: (message: string) => void,
  ) {}

  /** The last revision known to be on the stream. */
  get lastPublished(): number {
    return this.published;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Called after each commit so new events go out without waiting for the poll. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failing = false;
    let retryMs = 0;
    let synced = false;
    // A stream standing elsewhere than expected is resynced once at once; again without progress is a failure.
    let resynced = false;
    while (this.running) {
      try {
        if (!synced) {
          this.published = (await this.bus.bounds()).last;
          const head = await this.store.headRevision();
          if (this.published > head) {
            throw new Error(`stream ${this.bus.stream} holds revision ${this.published} but the log ends at ${head}: they belong to different installations`);
          }
          synced = true;
        }
        const events = await this.store.readEvents(this.published, BATCH);
        if (events.length === 0) {
          await this.pause(IDLE_POLL_MS, "commit");
          continue;
        }
        const result = await this.bus.publishInOrder(events.map(toBusEvent));
        for (const r of result.references) {
          const e = events.find((x) => x.revision === r.revision)!;
          this.log(
            `outbox relay: event ${r.revision} (${e.kind} ${e.namespace ? `${e.namespace}/` : ""}${e.name}, ${r.objectBytes} bytes) is larger than NATS' max_payload of ${this.bus.maxPayload} bytes: published as a reference, watchers read the object from the gateway`,
          );
        }
        if (result.lastAccepted > this.published) resynced = false;
        this.published = result.lastAccepted;
        if (result.rejection) {
          synced = false;
          if (result.outOfSequence && !resynced) {
            resynced = true;
            continue;
          }
          throw result.rejection;
        }
        if (failing) this.log("outbox relay: publishing again");
        failing = false;
        retryMs = 0;
      } catch (e) {
        retryMs = Math.min(RETRY_MAX_MS, retryMs === 0 ? RETRY_MIN_MS : retryMs * 2);
        if (!failing) {
          this.log(
            `error: outbox relay cannot publish revision ${this.published + 1} to stream ${this.bus.stream}: ${e instanceof Error ? e.message : String(e)}; watchers see no new events until it can (retrying with back-off up to ${RETRY_MAX_MS / 1000}s)`,
          );
        }
        failing = true;
        synced = false;
        // Commits do not cut a back-off short, or a failing relay would spin at the rate of writes.
        await this.pause(retryMs, "stop");
      }
    }
  }

  /** Waits ms, or less if woken: by a commit or a stop ("commit"), or by a stop only ("stop"). */
  private pause(ms: number, wakeOn: "commit" | "stop"): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = wakeOn === "commit" ? done : () => !this.running && done();
    });
  }
}

function toBusEvent(e: StoredEvent): BusEvent {
  return {
    revision: e.revision,
    type: e.type,
    kind: e.kind,
    namespace: e.namespace,
    name: e.name,
    nodeName: e.nodeName,
    object: e.object,
    actor: e.actor,
    committedAt: e.committedAt,
    ...(e.traceparent ? { traceparent: e.traceparent } : {}),
    ...(e.tracestate ? { tracestate: e.tracestate } : {}),
  };
}
