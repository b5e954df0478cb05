import {
  ObjectRegistry,
  objectSelection,
  kindInfo,
  selected,
  type ObjectRegistryOptions,
  type WatchEvent,
  type WatchRequest,
} from "@capstan/api";
import { ExpiredError } from "@capstan/apimachinery";
import type { JetStreamBus } from "@capstan/bus";
import type { EventStore, JsonObject } from "@capstan/eventstore";
import type { WatchMetrics, WatchTransport } from "@capstan/telemetry";

export type { BindingRequest, CallContext } from "@capstan/api";

export type ObjectServiceOptions = Omit<ObjectRegistryOptions, "onCommit"> & {
  /** Where watches report their subscribers and delivery lag; none by default. */
  readonly watchMetrics?: WatchMetrics;
};

/**
 * The API as the gateway serves it: the kind-agnostic registry (validation, defaulting, admission, the
 * decisions, reads with selectors) over the Postgres event store, and Watch over the JetStream stream
 * the outbox relay feeds, woken after every commit.
 */
export class ObjectService extends ObjectRegistry {
  constructor(
    private readonly events: EventStore,
    private readonly bus: JetStreamBus,
    onCommit: () => void,
    { watchMetrics, ...opts }: ObjectServiceOptions,
  ) {
    super(events, { ...opts, onCommit });
    this.watchMetrics = watchMetrics;
  }

  private readonly watchMetrics: WatchMetrics | undefined;

  /** Every later event of the selected objects, once and in order; ExpiredError if `from` is gone. */
  async *watch(req: WatchRequest, signal: AbortSignal, transport: WatchTransport): AsyncGenerator<WatchEvent> {
    const info = kindInfo(req.kind);
    const sel = objectSelection(info.kind, req.labelSelector, req.fieldSelector);
    const from = await this.watchFrom(req.resourceVersion);
    // The stream may hold revisions the log has compacted away; a watch answers as a read would there.
    const compacted = await this.events.compactedRevision();
    if (from < compacted) throw new ExpiredError(from, compacted);
    const sub = await this.bus.subscribe(
      {
        kind: info.kind,
        ...(info.namespaced && req.namespace ? { namespace: req.namespace } : {}),
        ...(sel.nodeName !== undefined ? { nodeName: sel.nodeName } : {}),
        ...(sel.name !== undefined ? { name: sel.name } : {}),
      },
      from,
    );
    const stop = () => void sub.stop();
    signal.addEventListener("abort", stop);
    this.watchMetrics?.subscribed(info.kind, transport, 1);
    try {
      for await (const e of sub) {
        if (signal.aborted) break;
        const object = selected(sel, e.omittedObjectBytes === undefined ? e.object : await this.loggedObject(e.revision));
        if (!object) continue;
        if (e.committedAt) this.watchMetrics?.delivered(transport, Date.parse(e.committedAt));
        yield { type: e.type, object, resourceVersion: String(e.revision) };
      }
    } finally {
      this.watchMetrics?.subscribed(info.kind, transport, -1);
      signal.removeEventListener("abort", stop);
      await sub.stop();
    }
  }

  /** Whether an object of a kind (in a namespace; "" for all) changed after `revision` up to `head`. */
  changedSince(kind: string, namespace: string, revision: number, head: number): Promise<boolean> {
    return this.events.changedBetween({ kind, ...(namespace === "" ? {} : { namespace }) }, revision, head);
  }

  /** The object an event of the log carries: for one the bus could carry only as a reference (too large for it). */
  private async loggedObject(revision: number): Promise<JsonObject> {
    const [event] = await this.events.readEvents(revision - 1, 1);
    if (event?.revision !== revision) throw new Error(`event ${revision} is not in the log`);
    return event.object;
  }
}
