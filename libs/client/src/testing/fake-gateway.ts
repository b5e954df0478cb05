import { isDeepStrictEqual } from "node:util";
import {
  ensureSystemObjects,
  findKind,
  fromApiObject,
  kindInfo,
  objectSelection,
  ObjectRegistry,
  selected,
  toApiObject,
  type ApiObject,
  type BindRequest,
  type CallContext,
  type DefaultingOptions,
  type DeleteRequest,
  type DeleteResponse,
  type EvictRequest,
  type GetRequest,
  type HistoryRequest,
  type HistoryResponse,
  type ListRequest,
  type ListResponse,
  type ServiceAllocationConfig,
  type WatchEvent,
  type WatchRequest,
} from "@capstan/api";
import { UnavailableError, type ObjectKey } from "@capstan/apimachinery";
import type { StoredEvent } from "@capstan/eventstore";
import { createInMemoryEventStore, type InMemoryEventStore } from "@capstan/eventstore/testing";
import type { CapstanClient, ExecCall, Stream } from "../capstan-client.js";
import type { JsonObject, Reflector, ReflectorHandler } from "../list-watch.js";
import { EventFeed } from "./event-feed.js";

export interface FakeGatewayOptions {
  /** The gateway's time: creation and deletion timestamps, PodScheduled. Default: the system clock. */
  readonly clock?: { now(): number };
  /** The actor of every write. Default "test". */
  readonly actor?: string;
  /** The largest object a write may leave, as the gateway's CAPSTAN_MAX_OBJECT_BYTES. Default: no limit. */
  readonly maxObjectBytes?: number;
  readonly defaulting?: DefaultingOptions;
  readonly serviceAllocation?: Partial<ServiceAllocationConfig>;
}

/** What an informer's list-watch may narrow to, as a reflector's options. */
export interface ListWatchOptions {
  readonly namespace?: string;
  readonly nodeName?: string;
}

/**
 * The gateway in memory: the registry the gateway serves (validation, defaulting, admission, the
 * decisions) over an in-memory event store that commits with the store's own batch planner, so it keeps
 * every rule the gateway keeps. It starts as a new cluster does, with the system namespaces and
 * priority classes. Besides the client's API it offers what tests need: synchronous reads of the store,
 * list-watches for informers, a kind's events held back (a watch lagging behind the writes), creates
 * refused, and `apply` to put objects in place through the verbs.
 */
export class FakeGateway implements CapstanClient {
  readonly store: InMemoryEventStore;
  readonly registry: ObjectRegistry;
  private readonly ctx: CallContext;
  private readonly feeds = new Set<EventFeed>();
  private readonly held = new Set<string>();
  private readonly refused = new Map<string, Set<number>>();
  private readonly creates = new Map<string, number>();
  private readonly uids = new Map<string, number>();
  private names = 0;
  private writesLeft = Infinity;

  constructor(opts: FakeGatewayOptions = {}) {
    const now = opts.clock ? () => new Date(opts.clock!.now()) : () => new Date();
    this.store = createInMemoryEventStore({ now, ...(opts.maxObjectBytes !== undefined ? { maxObjectBytes: opts.maxObjectBytes } : {}) });
    this.registry = new ObjectRegistry(this.store, {
      now,
      // Readable and unique: the first "web" is uid-web, a later namesake uid-web-2.
      newUid: (key) => {
        const n = (this.uids.get(key.name) ?? 0) + 1;
        this.uids.set(key.name, n);
        return n === 1 ? `uid-${key.name}` : `uid-${key.name}-${n}`;
      },
      nameSuffix: () => (++this.names).toString(36).padStart(5, "0"),
      ...(opts.defaulting ? { defaulting: opts.defaulting } : {}),
      ...(opts.serviceAllocation ? { serviceAllocation: opts.serviceAllocation } : {}),
    });
    this.ctx = { actor: opts.actor ?? "test" };
  }

  // The client's API.

  async create(object: ApiObject): Promise<ApiObject> {
    const { kind } = fromApiObject(object);
    const n = (this.creates.get(kind) ?? 0) + 1;
    this.creates.set(kind, n);
    if (this.refused.get(kind)?.delete(n)) throw new UnavailableError(`create ${kind} number ${n} refused by the test`);
    this.admitWrite("create");
    return this.registry.create(object, this.ctx);
  }

  get(req: GetRequest): Promise<ApiObject> {
    return this.registry.get(req);
  }

  history(req: HistoryRequest): Promise<HistoryResponse> {
    return this.registry.history(req);
  }

  list(req: Partial<ListRequest> & { kind: string }): Promise<ListResponse> {
    return this.registry.list({ namespace: "", labelSelector: "", fieldSelector: "", ...req });
  }

  async update(object: ApiObject): Promise<ApiObject> {
    this.admitWrite("update");
    return this.registry.update(object, this.ctx);
  }

  async updateStatus(object: ApiObject): Promise<ApiObject> {
    this.admitWrite("updateStatus");
    return this.registry.updateStatus(object, this.ctx);
  }

  async finalize(object: ApiObject): Promise<ApiObject> {
    this.admitWrite("finalize");
    return this.registry.finalize(object, this.ctx);
  }

  async delete(req: Partial<DeleteRequest> & { kind: string; name: string }): Promise<DeleteResponse> {
    this.admitWrite("delete");
    return this.registry.delete({ namespace: "", propagationPolicy: "", ...req }, this.ctx);
  }

  async evict(req: Partial<EvictRequest> & { name: string }): Promise<DeleteResponse> {
    this.admitWrite("evict");
    return this.registry.evict({ namespace: "", ...req }, this.ctx);
  }

  async bind(req: Omit<BindRequest, "traceparent" | "tracestate">): Promise<ApiObject> {
    this.admitWrite("bind");
    return this.registry.bind(req.namespace, req.name, req.nodeName, req.preconditions?.uid, this.ctx);
  }

  async bindBatch(bindings: BindRequest[]): Promise<PromiseSettledResult<ApiObject>[]> {
    this.admitWrite("bindBatch");
    return this.registry.bindBatch(
      bindings.map((b) => ({
        namespace: b.namespace,
        name: b.name,
        nodeName: b.nodeName,
        uid: b.preconditions?.uid,
        ctx: { ...this.ctx, ...(b.traceparent ? { traceparent: b.traceparent } : {}), ...(b.tracestate ? { tracestate: b.tracestate } : {}) },
      })),
    );
  }

  /** Every later event of the selected objects, once and in order, as the gateway's Watch (held back with its kind). */
  watch(req: Partial<WatchRequest> & { kind: string }): Stream<WatchEvent> {
    const full: WatchRequest = { namespace: "", labelSelector: "", fieldSelector: "", resourceVersion: "", ...req };
    const info = kindInfo(full.kind);
    const sel = objectSelection(info.kind, full.labelSelector, full.fieldSelector);
    const namespace = info.namespaced ? full.namespace : "";
    const items: (WatchEvent | Error)[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    let feed: EventFeed | undefined;
    const push = (item: WatchEvent | Error) => {
      items.push(item);
      wake?.();
    };
    const end = () => {
      ended = true;
      feed?.stop();
      wake?.();
    };
    this.registry.watchFrom(full.resourceVersion).then((from) => {
      if (ended) return;
      feed = this.feed(info.kind, from, (e) => {
        if (namespace && e.namespace !== namespace) return;
        const object = selected(sel, e.object);
        if (object) push({ type: e.type, object, resourceVersion: String(e.revision) });
      }, end);
    }, (e: unknown) => push(e instanceof Error ? e : new Error(String(e))));
    return {
      cancel: end,
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            const item = items.shift();
            if (item instanceof Error) throw item;
            if (item) yield item;
            else if (ended) return;
            else await new Promise<void>((resolve) => (wake = resolve));
          }
        } finally {
          end();
        }
      },
    };
  }

  logs(): Stream<Uint8Array> {
    return {
      cancel: () => {},
      // eslint-disable-next-line require-yield
      async *[Symbol.asyncIterator]() {
        throw new UnavailableError("the fake gateway runs no node agents: there are no logs");
      },
    };
  }

  exec(): ExecCall {
    return {
      cancel: () => {},
      send: () => {},
      // eslint-disable-next-line require-yield
      async *[Symbol.asyncIterator]() {
        throw new UnavailableError("the fake gateway runs no node agents: there is nothing to exec in or attach to");
      },
    };
  }

  attach(): ExecCall {
    return this.exec();
  }

  /** Ends every open Watch stream, as the client's connection closing does. */
  close(): void {
    this.endWatches();
  }

  // What tests add.

  /** Ends every open Watch stream, as a restarting gateway does: its clients list and watch again. */
  endWatches(): void {
    for (const feed of [...this.feeds]) if (feed.onEnd) feed.stop();
  }

  /** The revision of the last write. */
  get revision(): number {
    return this.store.revision;
  }

  /** The object as stored now (a copy), whether or not any watch has delivered it yet. */
  stored(kind: string, name: string, namespace?: string): JsonObject | undefined {
    const record = this.store.find(keyOf(kind, name, namespace));
    return record ? structuredClone(record.object) : undefined;
  }

  /** The kind's objects as stored now (copies), in one namespace or all. */
  objects(kind: string, namespace?: string): JsonObject[] {
    return this.store.records({ kind, ...(namespace !== undefined ? { namespace } : {}) }).map((r) => structuredClone(r.object));
  }

  /**
   * Puts an object in place through the API, as its users would: a create (or, when anything but its
   * status differs, an update merging it into the stored one, as kubectl apply does), then its status as its controller or node agent would
   * write it; and a deletion when it is given a deletionTimestamp, which must leave it terminating (a
   * pod on a node, an object with finalizers). Server fields (uid, resourceVersion, creationTimestamp,
   * generation) are the gateway's. Returns the object as stored.
   */
  async apply(object: JsonObject): Promise<JsonObject> {
    const { status, ...rest } = object;
    const { uid: _uid, resourceVersion: _rv, creationTimestamp: _created, generation: _generation, deletionTimestamp, deletionGracePeriodSeconds, ...metadata } =
      (object["metadata"] ?? {}) as JsonObject;
    const body = { ...rest, metadata };
    const kind = String(object["kind"]);
    const name = String(metadata["name"] ?? "");
    let current = this.stored(kind, name, metadata["namespace"] as string | undefined);
    if (!current) current = json(await this.create(toApiObject(body)));
    else if (!this.alreadySays(current, body)) {
      // As kubectl apply merges: what the object gives replaces what is stored, the rest (what the server set) stays.
      const { status: _status, metadata: storedMeta, ...stored } = current;
      const { metadata: _metadata, ...given } = body;
      const merged = { ...(overlay(stored, given) as JsonObject), metadata: { ...(storedMeta as JsonObject), ...metadata } };
      current = json(await this.update(toApiObject(merged)));
    }
    if (status !== undefined && !isDeepStrictEqual(this.typed({ ...current, status })["status"], this.typed(current)["status"])) {
      current = json(await this.updateStatus(toApiObject({ ...current, status })));
    }
    if (deletionTimestamp !== undefined && (current["metadata"] as JsonObject)["deletionTimestamp"] === undefined) {
      const meta = current["metadata"] as JsonObject;
      const grace = typeof deletionGracePeriodSeconds === "number" ? { gracePeriodSeconds: deletionGracePeriodSeconds } : {};
      const res = await this.delete({ kind, namespace: String(meta["namespace"] ?? ""), name, ...grace });
      if (res.deleted) throw new Error(`${kind} ${name} cannot stay terminating: nothing holds it (a finalizer, or for a pod its node)`);
      current = json(res.object!);
    }
    return current;
  }

  /** Changes a stored object as someone else would (a user, a node agent): `change` gets a copy, `apply` writes the result. */
  async change(kind: string, name: string, change: (o: JsonObject) => JsonObject | void, namespace?: string): Promise<JsonObject> {
    const current = this.stored(kind, name, namespace);
    if (!current) throw new Error(`no ${kind} ${namespace ?? ""}/${name} is stored`);
    return this.apply(change(current) ?? current);
  }

  /**
   * A list-watch for an informer (its `listWatch`): lists at a revision, then hands over every later
   * event of the kind as the bus would, unless the kind is held back.
   */
  listWatch(kind: string, opts: ListWatchOptions = {}): (handler: ReflectorHandler) => Reflector {
    return (handler) => {
      let revision = 0;
      let stopped = false;
      let feed: EventFeed | undefined;
      const synced = (async () => {
        const listed = await this.list({
          kind,
          namespace: opts.namespace ?? "",
          fieldSelector: opts.nodeName !== undefined ? `spec.nodeName=${opts.nodeName}` : "",
        });
        revision = Number(listed.resourceVersion);
        await handler.replace(listed.items.map(json), revision, listed.traces);
        if (stopped) return;
        feed = this.feed(kind, revision, (e) => {
          if (opts.namespace && e.namespace !== opts.namespace) return;
          if (opts.nodeName !== undefined && e.nodeName !== opts.nodeName) return;
          revision = e.revision;
          return handler.apply({
            type: e.type,
            object: structuredClone(e.object),
            revision: e.revision,
            traceparent: e.traceparent,
            tracestate: e.tracestate,
          });
        });
      })();
      return {
        synced,
        get revision() {
          return revision;
        },
        async stop() {
          stopped = true;
          feed?.stop();
        },
      };
    };
  }

  /** Its watches lag: the kind's events wait until `release`. */
  hold(kind: string): void {
    this.held.add(kind);
  }

  /** Hands over the kind's held events, in order, and resolves once its watchers have taken them. */
  async release(kind: string): Promise<void> {
    this.held.delete(kind);
    await Promise.all([...this.feeds].filter((f) => f.kind === kind).map((f) => f.drain()));
  }

  /** The nth create of the kind from now on (1 = the next) fails, as the gateway being unavailable would. */
  refuseCreate(kind: string, nth: number): void {
    const refused = this.refused.get(kind) ?? new Set();
    refused.add((this.creates.get(kind) ?? 0) + nth);
    this.refused.set(kind, refused);
  }

  /**
   * After `n` more writes (of any verb), every write fails as the gateway being unavailable would — a
   * writer that dies between two writes; Infinity lets them through again.
   */
  refuseWritesAfter(n: number): void {
    this.writesLeft = n;
  }

  /** Lets every write that can happen without a held watch happen: resolves once the revision stops moving. */
  async settled(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      const before = this.revision;
      await new Promise((resolve) => setImmediate(resolve));
      quiet = this.revision === before ? quiet + 1 : 0;
    }
  }

  /**
   * Whether the stored object already has every field `requested` gives: what the server added (defaults,
   * uid, priority, a cluster IP) is no difference, but labels, annotations, finalizers and owners it gives
   * must match exactly.
   */
  private alreadySays(current: JsonObject, requested: JsonObject): boolean {
    const stored = this.typed(current);
    const storedMeta = (stored["metadata"] ?? {}) as JsonObject;
    const given = (requested["metadata"] ?? {}) as JsonObject;
    const askedMeta = (this.typed(requested)["metadata"] ?? {}) as JsonObject;
    for (const f of ["labels", "annotations", "finalizers", "ownerReferences"]) {
      if (f in given && !isDeepStrictEqual(storedMeta[f], askedMeta[f])) return false;
    }
    const { metadata: _a, status: _s, ...askedRest } = requested;
    const { metadata: _b, status: _t, ...storedRest } = stored;
    return isSubset(askedRest, storedRest);
  }

  /** As the API answers it: through the typed message and back. */
  private typed(object: JsonObject): JsonObject {
    return json(toApiObject(object));
  }

  private admitWrite(verb: string): void {
    if (this.writesLeft <= 0) throw new UnavailableError(`${verb} refused by the test`);
    this.writesLeft--;
  }

  private feed(kind: string, after: number, deliver: (e: StoredEvent) => void | Promise<void>, onEnd?: () => void): EventFeed {
    const feed = new EventFeed(kind, deliver, () => this.held.has(kind), onEnd, () => this.feeds.delete(feed));
    this.feeds.add(feed);
    feed.follow(this.store, after);
    return feed;
  }
}

/** A gateway with a new cluster's system namespaces and priority classes. */
export async function createFakeGateway(opts: FakeGatewayOptions = {}): Promise<FakeGateway> {
  const gateway = new FakeGateway(opts);
  await ensureSystemObjects(gateway.registry);
  return gateway;
}

function json(o: ApiObject): JsonObject {
  return fromApiObject(o).json;
}

function keyOf(kind: string, name: string, namespace: string | undefined): ObjectKey {
  const namespaced = findKind(kind)?.namespaced ?? true;
  return { kind: findKind(kind)?.kind ?? kind, namespace: namespaced ? namespace || "default" : "", name };
}

/** `base` with `top` laid over it: objects merge field by field, anything else `top` has replaces. */
function overlay(base: unknown, top: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(top)) return top;
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(top)) out[k] = k in base ? overlay(base[k], v) : v;
  return out;
}

function isZero(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) return Object.values(v).every(isZero);
  return v === undefined || v === null || v === false || v === 0 || v === "";
}

function isPlainObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Every field `part` has, `whole` has with the same value (absent counting as a zero value, which the
 * typed JSON leaves out); arrays match element by element.
 */
function isSubset(part: unknown, whole: unknown): boolean {
  if (whole === undefined) return isZero(part);
  if (Array.isArray(part)) return Array.isArray(whole) && part.length === whole.length && part.every((p, i) => isSubset(p, whole[i]));
  if (part !== null && typeof part === "object") {
    if (whole === null || typeof whole !== "object" || Array.isArray(whole)) return false;
    return Object.entries(part).every(([k, v]) => isSubset(v, (whole as JsonObject)[k]));
  }
  return isDeepStrictEqual(part, whole);
}
