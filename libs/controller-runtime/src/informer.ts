import type { Selector } from "@capstan/apimachinery";
import type { JsonObject, Reflector, ReflectorEvent, ReflectorHandler } from "@capstan/client";
import type { TraceContextCarrier } from "@capstan/telemetry";
import { ObjectCache, type IndexFunc } from "./object-cache.js";
import { metadataOf, objectKey } from "./object-key.js";
import { startReflector, type ReflectorOptions } from "./reflector.js";

/**
 * Told after the cache has changed. `trace` is the context of the write that caused the change (for a
 * list, of the object's last write; empty for a delete a re-list found), so a reconcile can continue the
 * user's trace. Keep handlers quick: enqueue keys.
 */
export interface ResourceEventHandler<T extends JsonObject = JsonObject> {
  onAdd?(obj: T, trace: TraceContextCarrier): void;
  onUpdate?(oldObj: T, newObj: T, trace: TraceContextCarrier): void;
  /** `obj` is the object's last known state. */
  onDelete?(obj: T, trace: TraceContextCarrier): void;
}

/** Starts feeding a handler: a reflector, or a fake one in tests. */
export type ListWatch = (handler: ReflectorHandler) => Reflector;

export interface InformerOptions {
  readonly kind: string;
  readonly listWatch: ListWatch;
  readonly log: (message: string) => void;
}

type Notification<T> =
  | { readonly type: "add"; readonly obj: T }
  | { readonly type: "update"; readonly old: T; readonly obj: T }
  | { readonly type: "delete"; readonly obj: T };

const NO_TRACE: TraceContextCarrier = {};

/**
 * One kind's objects, listed then watched into an indexed in-memory cache (client-go's shared
 * informer). Share one per kind between the controllers of a process.
 */
export class Informer<T extends JsonObject = JsonObject> {
  readonly kind: string;
  /** Resolves once the first list is in the cache. */
  readonly synced: Promise<void>;
  private readonly cache = new ObjectCache<T>();
  /** The trace of each cached object's last write, by key, for handlers registered after it was cached. */
  private readonly lastWrites = new Map<string, TraceContextCarrier>();
  private readonly handlers = new Set<ResourceEventHandler<T>>();
  private readonly listWatch: ListWatch;
  private readonly log: (message: string) => void;
  private reflector: Reflector | undefined;
  private markSynced: () => void = () => {};
  private isSynced = false;
  private readonly waiters = new Set<{ revision: number; resolve: (reached: boolean) => void }>();

  constructor(opts: InformerOptions) {
    this.kind = opts.kind;
    this.listWatch = opts.listWatch;
    this.log = opts.log;
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
  }

  get hasSynced(): boolean {
    return this.isSynced;
  }

  /** The revision the cache reflects. */
  get revision(): number {
    return this.reflector?.revision ?? 0;
  }

  /** Starts listing and watching; calling it again does nothing. */
  start(): this {
    this.reflector ??= this.listWatch({
      replace: (objects, _revision, traces) => this.replace(objects as T[], traces ?? {}),
      apply: (event) => this.apply(event),
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.reflector?.stop();
  }

  /**
   * Resolves true once the cache reflects `revision` — typically the revision of the caller's own write
   * of this kind, so its next read sees that write — or false after timeoutMs.
   */
  waitForRevision(revision: number, timeoutMs = 10_000): Promise<boolean> {
    if (this.revision >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        revision,
        resolve: (reached: boolean) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.cache.addIndexer(name, fn);
  }

  /**
   * Registers a handler, which is first told of every object already cached (as adds, with the trace of
   * its last write), so it misses nothing whenever it is registered. Returns a function that removes it.
   */
  addEventHandler(handler: ResourceEventHandler<T>): () => void {
    this.handlers.add(handler);
    for (const obj of this.cache.list()) this.call(handler, { type: "add", obj }, this.lastWrites.get(objectKey(obj)) ?? NO_TRACE);
    return () => void this.handlers.delete(handler);
  }

  get(namespace: string, name: string): T | undefined {
    return this.cache.get(namespace, name);
  }

  /** Objects in `namespace` (all when absent or ""), matching the label selector if given. */
  list(namespace?: string, labelSelector?: string | Selector): T[] {
    return this.cache.list(namespace, labelSelector);
  }

  byIndex(index: string, value: string): T[] {
    return this.cache.byIndex(index, value);
  }

  private replace(objects: T[], traces: Readonly<Record<string, TraceContextCarrier>>): void {
    const listed = new Set(objects.map(objectKey));
    const changes: Notification<T>[] = [];
    for (const key of [...this.cache.keys()]) {
      if (!listed.has(key)) changes.push({ type: "delete", obj: this.cache.delete(key)! });
    }
    this.lastWrites.clear();
    for (const obj of objects) {
      const trace = traces[metadataOf(obj).uid ?? ""];
      if (trace?.traceparent) this.lastWrites.set(objectKey(obj), trace);
      const old = this.cache.set(obj);
      if (!old) changes.push({ type: "add", obj });
      else if (resourceVersion(old) !== resourceVersion(obj)) changes.push({ type: "update", old, obj });
    }
    if (!this.isSynced) {
      this.isSynced = true;
      this.markSynced();
    }
    for (const change of changes) {
      this.notify(change, change.type === "delete" ? NO_TRACE : (this.lastWrites.get(objectKey(change.obj)) ?? NO_TRACE));
    }
    this.wakeWaiters();
  }

  private apply(event: ReflectorEvent): void {
    const obj = event.object as T;
    const trace: TraceContextCarrier = {};
    if (event.traceparent) trace.traceparent = event.traceparent;
    if (event.tracestate) trace.tracestate = event.tracestate;
    const key = objectKey(obj);
    if (event.type === "DELETED") {
      this.cache.delete(key);
      this.lastWrites.delete(key);
      this.notify({ type: "delete", obj }, trace);
    } else {
      if (trace.traceparent) this.lastWrites.set(key, trace);
      else this.lastWrites.delete(key);
      const old = this.cache.set(obj);
      this.notify(old ? { type: "update", old, obj } : { type: "add", obj }, trace);
    }
    this.wakeWaiters();
  }

  /** The reflector advances its revision before handing over the change, so the cache holds it now. */
  private wakeWaiters(): void {
    for (const w of this.waiters) if (this.revision >= w.revision) w.resolve(true);
  }

  private notify(change: Notification<T>, trace: TraceContextCarrier): void {
    for (const handler of this.handlers) this.call(handler, change, trace);
  }

  // A failing handler must not break the cache or starve the other handlers.
  private call(handler: ResourceEventHandler<T>, change: Notification<T>, trace: TraceContextCarrier): void {
    try {
      if (change.type === "add") handler.onAdd?.(change.obj, trace);
      else if (change.type === "update") handler.onUpdate?.(change.old, change.obj, trace);
      else handler.onDelete?.(change.obj, trace);
    } catch (e) {
      this.log(`${this.kind} ${change.type} handler for ${objectKey(change.obj)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

function resourceVersion(obj: JsonObject): string | undefined {
  return metadataOf(obj).resourceVersion;
}

/** An informer fed by the gateway (list) and the bus (watch). Call `start()`, or let a controller do it. */
export function createInformer<T extends JsonObject = JsonObject>(opts: ReflectorOptions): Informer<T> {
  return new Informer<T>({ kind: opts.kind, log: opts.log, listWatch: (handler) => startReflector(opts, handler) });
}
