import type { BusEventType } from "@capstan/bus";
import type { JsonObject, Reflector, ReflectorHandler } from "@capstan/client";
import type { TraceContextCarrier } from "@capstan/telemetry";
import type { ListWatch } from "../informer.js";

/**
 * Stands in for the gateway and the bus behind an informer: a test lists and emits events by hand,
 * so reconcilers run against a real cache without NATS.
 */
export class FakeListWatch {
  private handler: ReflectorHandler | undefined;
  private revision = 0;

  /** Pass this as an informer's `listWatch`. */
  readonly listWatch: ListWatch = (handler) => {
    this.handler = handler;
    const self = this;
    return {
      synced: Promise.resolve(),
      get revision() {
        return self.revision;
      },
      async stop() {
        self.handler = undefined;
      },
    } satisfies Reflector;
  };

  /** A (re-)list: the full current set, with the trace of each object's last write by uid. */
  async list(objects: JsonObject[], traces: Readonly<Record<string, TraceContextCarrier>> = {}): Promise<void> {
    this.revision++;
    await this.started().replace(objects, this.revision, traces);
  }

  async emit(type: BusEventType, object: JsonObject, trace: { traceparent?: string } = {}): Promise<void> {
    this.revision++;
    await this.started().apply({ type, object, revision: this.revision, traceparent: trace.traceparent });
  }

  private started(): ReflectorHandler {
    if (!this.handler) throw new Error("the informer has not been started");
    return this.handler;
  }
}
