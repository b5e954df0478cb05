import { isSpanContextValid, metrics, trace, type Histogram, type Meter, type Tracer } from "@opentelemetry/api";
import type { JsonObject } from "@capstan/client";
import {
  contextFromTraceparent,
  objectAttributes,
  reconcileDuration,
  secondsSince,
  withSpan,
  type ReconcileAttributes,
  type ReconcileResult as ReconcileOutcome,
  type TraceContextCarrier,
} from "@capstan/telemetry";
import { systemClock, type Clock } from "@capstan/apimachinery";
import type { Informer } from "./informer.js";
import { controllerRefOf, metadataOf, namespacedKey, objectKey, splitObjectKey } from "./object-key.js";
import type { RateLimiter } from "./rate-limiter.js";
import { isTerminalError, type Reconciler } from "./reconciler.js";
import { createWorkQueue, type WorkQueue } from "./work-queue.js";

export interface ControllerOptions {
  /** Keys reconciled in parallel; one key is never reconciled twice at once. Default 1. */
  readonly workers?: number;
  readonly rateLimiter?: RateLimiter<string>;
  readonly clock?: Clock;
  /** Defaults to the global providers that initTelemetry installs. */
  readonly meter?: Meter;
  readonly tracer?: Tracer;
  readonly log?: (message: string) => void;
}

/** A reconciler with its work queue and workers. */
export interface Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  /** Starts the informers (if not yet), waits until they have synced, then runs the workers. */
  start(): Promise<void>;
  /** Stops taking keys and waits for the reconciles in flight. Informers are left to their owner. */
  stop(): Promise<void>;
}

/** The keys to reconcile when an object changes. */
export type KeysOf<T extends JsonObject = JsonObject> = (obj: T) => Iterable<string>;

/** The object's own key: for the kind a controller is for. */
export const ownKey: KeysOf = (obj) => [objectKey(obj)];

/** The key of the object's controlling owner if it is of `ownerKind` (owners share their children's namespace). */
export function controllerOwnerKey(ownerKind: string): KeysOf {
  return (obj) => {
    const ref = controllerRefOf(obj);
    return ref && ref.kind === ownerKind ? [namespacedKey(metadataOf(obj).namespace ?? "", ref.name)] : [];
  };
}

/**
 * Wiring that reads as a sentence (controller-runtime's builder):
 * `controller("replicaset").for(replicaSets).owns(pods).complete(reconciler)`.
 */
export function controller(name: string, opts: ControllerOptions = {}): ControllerBuilder {
  return new ControllerBuilder(name, opts);
}

export class ControllerBuilder {
  private forKind: string | undefined;
  private readonly sources: { informer: Informer<JsonObject>; keysOf: KeysOf }[] = [];

  constructor(
    private readonly name: string,
    private readonly opts: ControllerOptions,
  ) {}

  /** The kind reconciled: a change to one of its objects enqueues that object's key. */
  for<T extends JsonObject>(informer: Informer<T>): this {
    this.forKind = informer.kind;
    return this.watches(informer, ownKey);
  }

  /** Children this controller creates: a change to one enqueues its controlling owner of the `for` kind. */
  owns<T extends JsonObject>(informer: Informer<T>): this {
    if (this.forKind === undefined) throw new Error(`controller ${this.name}: call for() before owns()`);
    return this.watches(informer, controllerOwnerKey(this.forKind));
  }

  /** Any other kind, with its own mapping from a changed object to the keys to reconcile. */
  watches<T extends JsonObject>(informer: Informer<T>, keysOf: KeysOf<T>): this {
    // Sources of different object types share one list; each keysOf reads the objects its informer holds.
    this.sources.push({ informer: informer as unknown as Informer<JsonObject>, keysOf: keysOf as KeysOf });
    return this;
  }

  complete(reconciler: Reconciler): Controller {
    const subject = this.forKind === undefined ? undefined : this.sources.find((s) => s.informer.kind === this.forKind)?.informer;
    return new QueueController(this.name, reconciler, this.sources, subject, this.opts);
  }
}

class QueueController implements Controller {
  readonly queue: WorkQueue<string>;
  private readonly workers: number;
  private readonly tracer: Tracer;
  private readonly duration: Histogram<ReconcileAttributes>;
  private readonly log: (message: string) => void;
  private readonly unsubscribe: (() => void)[] = [];
  /** The trace of the latest change that enqueued each key, continued by its next reconcile. */
  private readonly traces = new Map<string, TraceContextCarrier>();
  private starting: Promise<void> | undefined;
  private running: Promise<void>[] = [];
  private stopped = false;
  private halt: () => void = () => {};
  /** Resolves on stop(), so a start still waiting for informers to sync returns. */
  private readonly halted = new Promise<void>((resolve) => (this.halt = resolve));

  constructor(
    readonly name: string,
    private readonly reconciler: Reconciler,
    private readonly sources: readonly { informer: Informer<JsonObject>; keysOf: KeysOf }[],
    /** The informer of the kind reconciled (the `for` kind), whose object a reconcile's span names. */
    private readonly subject: Informer<JsonObject> | undefined,
    opts: ControllerOptions,
  ) {
    const meter = opts.meter ?? metrics.getMeter("@capstan/controller-runtime");
    this.queue = createWorkQueue<string>({
      name,
      meter,
      clock: opts.clock ?? systemClock,
      ...(opts.rateLimiter ? { rateLimiter: opts.rateLimiter } : {}),
    });
    this.workers = opts.workers ?? 1;
    this.tracer = opts.tracer ?? trace.getTracer("@capstan/controller-runtime");
    this.duration = reconcileDuration(meter);
    this.log = opts.log ?? ((message) => console.log(message));
  }

  start(): Promise<void> {
    this.starting ??= this.run();
    return this.starting;
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    for (const { informer, keysOf } of this.sources) {
      this.unsubscribe.push(informer.addEventHandler(this.enqueueing(keysOf)));
      informer.start();
    }
    await Promise.race([Promise.all(this.sources.map((s) => s.informer.synced)), this.halted]);
    if (this.stopped) return;
    this.running = Array.from({ length: this.workers }, () => this.work());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.halt();
    for (const off of this.unsubscribe.splice(0)) off();
    this.queue.shutDown();
    await Promise.all(this.running);
  }

  private enqueueing(keysOf: KeysOf) {
    const enqueue = (obj: JsonObject, trace: TraceContextCarrier) => {
      for (const key of keysOf(obj)) {
        if (trace.traceparent) this.traces.set(key, trace);
        this.queue.add(key);
      }
    };
    return {
      onAdd: enqueue,
      // Both: a child that changed owner must wake the old owner as well as the new.
      onUpdate: (old: JsonObject, obj: JsonObject, trace: TraceContextCarrier) => {
        enqueue(old, trace);
        enqueue(obj, trace);
      },
      onDelete: enqueue,
    };
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcileKey(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** The object a reconcile of `key` starts from, as the cache holds it (none once it is deleted). */
  private reconciledObjectAttributes(key: string) {
    if (!this.subject) return {};
    const { namespace, name } = splitObjectKey(key);
    const obj = this.subject.get(namespace, name);
    return obj ? objectAttributes(obj) : {};
  }

  private async reconcileKey(key: string): Promise<void> {
    const started = performance.now();
    const carrier = this.traces.get(key);
    this.traces.delete(key);
    let traceSuffix = "";
    let outcome: ReconcileOutcome;
    try {
      const result = await withSpan(
        this.tracer,
        "Controller/Reconcile",
        { "capstan.controller": this.name, "capstan.key": key, ...this.reconciledObjectAttributes(key) },
        (span) => {
          const sc = span.spanContext();
          if (isSpanContextValid(sc)) traceSuffix = ` trace_id=${sc.traceId}`;
          return this.reconciler.reconcile(key);
        },
        contextFromTraceparent(carrier?.traceparent, carrier?.tracestate),
      );
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, result.requeueAfterMs);
        outcome = "requeue";
      } else {
        outcome = "success";
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (isTerminalError(e)) {
        this.queue.forget(key);
        outcome = "terminal_error";
        this.log(`${this.name}: reconcile ${key} failed, not retrying: ${message}${traceSuffix}`);
      } else {
        this.queue.addRateLimited(key);
        outcome = "error";
        this.log(`${this.name}: reconcile ${key} failed (retry ${this.queue.numRequeues(key)}): ${message}${traceSuffix}`);
      }
    }
    this.duration.record(secondsSince(started), {
      "capstan.controller": this.name,
      "capstan.reconcile.result": outcome,
    });
  }
}
