import type { JetStreamBus } from "@capstan/bus";
import type { EventStore, StoredEvent } from "@capstan/eventstore";
import type { BusEvent } from "@capstan/bus";

const BATCH = 1000;
const IDLE_POLL_MS = 1000;

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
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failing = false;
    let synced = false;
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
          await this.idle();
          continue;
        }
        const accepted = await this.bus.publishInOrder(events.map(toBusEvent));
        if (accepted < events[events.length - 1]!.revision) synced = false;
        else this.published = accepted;
        if (failing) this.log("outbox relay: publishing again");
        failing = false;
      } catch (e) {
        if (!failing) this.log(`outbox relay: ${e instanceof Error ? e.message : String(e)}; retrying`);
        failing = true;
        synced = false;
        await this.idle();
      }
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, IDLE_POLL_MS);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
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
    ...(e.traceparent ? { traceparent: e.traceparent } : {}),
    ...(e.tracestate ? { tracestate: e.tracestate } : {}),
  };
}
