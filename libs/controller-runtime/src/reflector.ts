import { fromApiObject } from "@capstan/api";
import { isCapstanError, type JsonObject } from "@capstan/apimachinery";
import type { BusEvent, EventSubscription, JetStreamBus } from "@capstan/bus";
import type { CapstanClient, Reflector, ReflectorHandler } from "@capstan/client";

export interface ReflectorOptions {
  readonly client: CapstanClient;
  readonly bus: JetStreamBus;
  readonly kind: string;
  readonly namespace?: string;
  /** Only objects bound to this node (pods): filtered by the gateway on list and by the stream on watch. */
  readonly nodeName?: string;
  readonly log: (message: string) => void;
}

/**
 * List then watch, exactly (DESIGN.md §3.4): list from the gateway at revision R, then every later
 * event from the stream; on "expired" or a broken stream it lists again, resuming never skipping.
 */
export function startReflector(opts: ReflectorOptions, handler: ReflectorHandler): Reflector {
  let stopped = false;
  let revision = 0;
  let subscription: EventSubscription | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  const run = async () => {
    let failures = 0;
    while (!stopped) {
      try {
        const listed = await opts.client.list({
          kind: opts.kind,
          namespace: opts.namespace ?? "",
          fieldSelector: opts.nodeName !== undefined ? `spec.nodeName=${opts.nodeName}` : "",
        });
        revision = Number(listed.resourceVersion);
        await handler.replace(listed.items.map((o) => fromApiObject(o).json), revision, listed.traces);
        markSynced();
        subscription = await opts.bus.subscribe(
          {
            kind: opts.kind,
            ...(opts.namespace ? { namespace: opts.namespace } : {}),
            ...(opts.nodeName !== undefined ? { nodeName: opts.nodeName } : {}),
          },
          revision,
        );
        failures = 0;
        for await (const e of subscription) {
          if (stopped) break;
          revision = e.revision;
          const object = e.omittedObjectBytes === undefined ? e.object : await omittedObject(opts.client, e);
          if (object) await handler.apply({ type: e.type, object, revision: e.revision, traceparent: e.traceparent, tracestate: e.tracestate });
        }
      } catch (e) {
        if (stopped) break;
        failures++;
        if (!isCapstanError(e, "Expired")) {
          opts.log(`watch ${opts.kind}: ${e instanceof Error ? e.message : String(e)}; listing again`);
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** Math.min(failures, 6))));
      }
    }
  };
  const loop = run();

  return {
    synced,
    get revision() {
      return revision;
    },
    async stop() {
      stopped = true;
      await subscription?.stop();
      await loop;
    },
  };
}

/**
 * The object of an event the bus carried only as a reference (too large for it): as the gateway holds it
 * now, which a later event corrects if it changed since. A deleted object cannot be read any more; its
 * reference names it, which is what a delete needs. Undefined when it is gone already: its DELETED follows.
 */
async function omittedObject(client: CapstanClient, e: BusEvent): Promise<JsonObject | undefined> {
  if (e.type === "DELETED") return e.object;
  try {
    return fromApiObject(await client.get({ kind: e.kind, namespace: e.namespace, name: e.name })).json;
  } catch (error) {
    if (isCapstanError(error, "NotFound")) return undefined;
    throw error;
  }
}
