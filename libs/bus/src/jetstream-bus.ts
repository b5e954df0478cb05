import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import { ExpiredError, UnavailableError } from "@capstan/apimachinery";
import { decodeBusEvent, encodeBusEvent, objectReference, type BusEvent } from "./bus-event.js";
import { eventFilterSubject, eventSubject, streamName, type SubjectFilter } from "./subjects.js";

export interface BusOptions {
  /** nats://host:port; several may be given comma-separated. */
  readonly url: string;
  /** Subject and stream prefix, so runs and tests never collide. */
  readonly prefix: string;
  /** Client name shown by the server (service name). */
  readonly name?: string;
  /**
   * The stream's owner (the gateway) creates it and sets its limits; everyone else only binds to it,
   * waiting for it to exist, so no reader can reset the owner's settings.
   */
  readonly owner?: boolean;
  /** Stream limits (owner only): old events are dropped past these, and a watch from before them is "expired". */
  readonly maxEvents?: number;
  readonly maxAgeSeconds?: number;
}

export interface EventSubscription extends AsyncIterable<BusEvent> {
  stop(): Promise<void>;
}

export interface StreamBounds {
  /** The oldest revision the stream still holds (last + 1 when empty). */
  readonly first: number;
  readonly last: number;
}

/**
 * What a message takes besides its object: the event's other fields, JSON keys and the headers
 * (traceparent, tracestate of at most 512, message id, expected sequence). An object may take the rest
 * of the server's max_payload.
 */
export const EVENT_ENVELOPE_BYTES = 4096;

export interface PublishResult {
  /** The last revision the stream holds after this call (the first event's predecessor if it took none). */
  readonly lastAccepted: number;
  /** Why the first refused publish was refused; the caller resumes from `bounds().last`. */
  readonly rejection?: Error;
  /** Whether that refusal only says the stream stood elsewhere than expected (another relay, a lost ack). */
  readonly outOfSequence?: boolean;
  /** Events sent as a reference because the message would exceed max_payload (see BusEvent.omittedObjectBytes). */
  readonly references: readonly { readonly revision: number; readonly objectBytes: number }[];
}

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  try {
    // noAsyncTraces: nats.js otherwise builds two Error objects per request (so every JetStream publish)
    // for a stack trace that is rarely read; at density that was ~9 % of the gateway's CPU.
    return await connect({ servers: url.split(","), name, timeout: 3000, maxReconnectAttempts: -1, noAsyncTraces: true });
  } catch (cause) {
    throw new UnavailableError(
      `cannot reach NATS at ${url}: start nats-server with JetStream (Debian: apt-get install nats-server; nats-server -js) or unset NATS_URL so the local stack starts its own`,
      { cause },
    );
  }
}

async function waitForStream(jsm: JetStreamManager, stream: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (await jsm.streams.info(stream).then(() => true, () => false)) return;
    if (attempt === 20) console.log(`waiting for the gateway to create stream ${stream}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The event stream of one Capstan installation on JetStream: stream sequence == event revision. */
export class JetStreamBus {
  private constructor(
    readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    readonly prefix: string,
    readonly stream: string,
  ) {}

  /** The largest message the server takes (its max_payload, 1 MiB unless configured). */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  /** The largest object (as JSON) an event can carry on this server. */
  get maxObjectBytes(): number {
    return this.maxPayload - EVENT_ENVELOPE_BYTES;
  }

  static async connect(opts: BusOptions): Promise<JetStreamBus> {
    const nc = await connectNats(opts.url, opts.name ?? "capstan");
    const jsm = await jetstreamManager(nc);
    const stream = streamName(opts.prefix);
    const config = {
      name: stream,
      subjects: [`${opts.prefix}.ev.>`],
      max_msgs: opts.maxEvents ?? -1,
      max_age: (opts.maxAgeSeconds ?? 0) * 1_000_000_000,
      duplicate_window: 120 * 1_000_000_000,
    };
    if (opts.owner) {
      const exists = await jsm.streams.info(stream).then(() => true, () => false);
      if (exists) await jsm.streams.update(stream, config);
      else await jsm.streams.add(config);
    } else {
      await waitForStream(jsm, stream);
    }
    return new JetStreamBus(nc, jetstream(nc), jsm, opts.prefix, stream);
  }

  async bounds(): Promise<StreamBounds> {
    const info = await this.jsm.streams.info(this.stream);
    return { first: info.state.first_seq, last: info.state.last_seq };
  }

  /**
   * Publishes events of consecutive revisions, pipelined, each expecting its predecessor as the
   * stream's last sequence, so the stream can never hold a gap or a duplicate. An event too large for
   * the server goes out as a reference to its object rather than blocking every later one.
   */
  async publishInOrder(events: readonly BusEvent[]): Promise<PublishResult> {
    const first = events[0];
    if (!first) return { lastAccepted: -1, references: [] };
    const references: { revision: number; objectBytes: number }[] = [];
    const acks = events.map((e) => {
      const h = headers();
      if (e.traceparent) h.set("traceparent", e.traceparent);
      if (e.tracestate) h.set("tracestate", e.tracestate);
      let payload = encodeBusEvent(e);
      if (payload.byteLength + headerBytes(e) > this.maxPayload) {
        const objectBytes = Buffer.byteLength(JSON.stringify(e.object));
        references.push({ revision: e.revision, objectBytes });
        payload = encodeBusEvent(objectReference(e, objectBytes));
      }
      return this.js.publish(eventSubject(this.prefix, e), payload, {
        expect: { lastSequence: e.revision - 1 },
        msgID: String(e.revision),
        headers: h,
      });
    });
    const results = await Promise.allSettled(acks);
    let lastAccepted = first.revision - 1;
    for (const [i, r] of results.entries()) {
      if (r.status === "rejected") {
        const rejection = r.reason instanceof Error ? r.reason : new Error(String(r.reason));
        return { lastAccepted, rejection, outOfSequence: isOutOfSequence(rejection), references };
      }
      lastAccepted = events[i]!.revision;
    }
    return { lastAccepted, references };
  }

  /**
   * Every event after `afterRevision` that matches the filter, once and in order, then live ones.
   * Throws ExpiredError when the stream no longer holds the revision after `afterRevision`.
   */
  async subscribe(filter: SubjectFilter, afterRevision: number): Promise<EventSubscription> {
    const { first } = await this.bounds();
    if (afterRevision + 1 < first) throw new ExpiredError(afterRevision, first);
    const consumer = await this.js.consumers.get(this.stream, {
      filter_subjects: eventFilterSubject(this.prefix, filter),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: afterRevision + 1,
    });
    const messages: ConsumerMessages = await consumer.consume({ max_messages: 1024 });
    return {
      async *[Symbol.asyncIterator]() {
        for await (const m of messages) {
          yield decodeBusEvent(m.seq, m.data, {
            traceparent: m.headers?.get("traceparent"),
            tracestate: m.headers?.get("tracestate"),
          });
        }
      },
      async stop() {
        await messages.close();
      },
    };
  }

  /** Removes this prefix's stream and all its events (test teardown, `capstan reset`). */
  async deleteStream(): Promise<void> {
    await this.jsm.streams.delete(this.stream);
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/** The headers' share of a message: the version line, trace context, message id and expected sequence. */
function headerBytes(e: BusEvent): number {
  return 128 + (e.traceparent?.length ?? 0) + (e.tracestate?.length ?? 0);
}

function isOutOfSequence(e: Error): boolean {
  return e instanceof JetStreamApiError && (e.code === JetStreamApiCodes.StreamWrongLastSequence || e.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}
