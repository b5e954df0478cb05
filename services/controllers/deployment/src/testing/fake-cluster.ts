import { isDeepStrictEqual } from "node:util";
import { fromApiObject, toApiObject, type ApiObject, type DeleteRequest, type DeleteResponse } from "@capstan/api";
import { AlreadyExistsError, ConflictError, NotFoundError, UnavailableError, type ObjectKey } from "@capstan/apimachinery";
import type { FakeClock } from "@capstan/apimachinery/testing";
import type { JsonObject, Reflector, ReflectorEvent, ReflectorHandler } from "@capstan/client";
import { Informer } from "@capstan/controller-runtime";

type Meta = JsonObject & { name?: string; generateName?: string; namespace?: string; uid?: string; resourceVersion?: string; generation?: number; deletionTimestamp?: string };
const metaOf = (o: JsonObject) => (o["metadata"] ?? {}) as Meta;
const idOf = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/** One kind's watch: delivers each event at its revision, or keeps them while the test holds it back. */
class Feed {
  handler: ReflectorHandler | undefined;
  revision = 0;
  held: ReflectorEvent[] | undefined;

  async deliver(event: ReflectorEvent): Promise<void> {
    if (this.held) return void this.held.push(event);
    if (!this.handler) return;
    this.revision = event.revision;
    await this.handler.apply(event);
  }
}

/**
 * The gateway and the informers in memory. Writes follow the gateway's rules that reconcilers rely on
 * (one global revision, a stale resourceVersion or uid is a Conflict, generateName, graceful pod
 * deletion, update keeps the status and updateStatus keeps the rest) and reach each kind's informer as
 * an event of their revision: at once, or when the test releases a kind it holds back, as a watch that
 * lags behind the writes.
 */
export class FakeCluster {
  revision = 0;
  private readonly objects = new Map<string, JsonObject>();
  private readonly feeds = new Map<string, Feed>();
  private readonly refused = new Map<string, Set<number>>();
  private readonly creates = new Map<string, number>();
  private names = 0;

  constructor(private readonly clock: FakeClock) {}

  /** A started informer of the kind, listed at the current revision. */
  async informer(kind: string): Promise<Informer> {
    const feed = this.feed(kind);
    const informer = new Informer({
      kind,
      log: () => {},
      listWatch: (handler): Reflector => {
        feed.handler = handler;
        return { synced: Promise.resolve(), get revision() { return feed.revision; }, stop: async () => void (feed.handler = undefined) };
      },
    }).start();
    feed.revision = this.revision;
    await feed.handler!.replace(this.list(kind), this.revision);
    return informer;
  }

  /** Its watch lags: events of the kind reach its informer only on `release`. */
  hold(kind: string): void {
    this.feed(kind).held ??= [];
  }

  async release(kind: string): Promise<void> {
    const feed = this.feed(kind);
    const held = feed.held ?? [];
    feed.held = undefined;
    for (const event of held) await feed.deliver(event);
  }

  /** Lets every write that can happen without a held watch happen: resolves once the revision stops moving. */
  async settled(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      const before = this.revision;
      await new Promise((resolve) => setImmediate(resolve));
      quiet = this.revision === before ? quiet + 1 : 0;
    }
  }

  /** The nth create of the kind from now on (1 = the next) fails as the gateway being unavailable would. */
  refuseCreate(kind: string, nth: number): void {
    const refused = this.refused.get(kind) ?? new Set();
    refused.add((this.creates.get(kind) ?? 0) + nth);
    this.refused.set(kind, refused);
  }

  /** What the store holds, whether or not an informer has seen it yet. */
  list(kind: string, namespace?: string): JsonObject[] {
    return [...this.objects.values()].filter((o) => o["kind"] === kind && (namespace === undefined || metaOf(o).namespace === namespace));
  }

  get(kind: string, name: string, namespace = "default"): JsonObject | undefined {
    return this.objects.get(idOf(kind, namespace, name));
  }

  /** A write by someone else (a user, a kubelet): stores the object as given, at the next revision. */
  async put(json: JsonObject): Promise<JsonObject> {
    const m = metaOf(json);
    const namespace = m.namespace ?? "default";
    const existing = this.objects.get(idOf(String(json["kind"]), namespace, m.name ?? ""));
    const uid = m.uid ?? metaOf(existing ?? {}).uid ?? `uid-${m.name}`;
    return this.store({ ...json, metadata: { ...m, namespace, uid, generation: m.generation ?? 1 } }, existing ? "MODIFIED" : "ADDED");
  }

  /** Changes a stored object as someone else would, e.g. a kubelet reporting a pod Ready. */
  async change(kind: string, name: string, change: (o: JsonObject) => JsonObject, namespace = "default"): Promise<JsonObject> {
    const current = this.get(kind, name, namespace);
    if (!current) throw new Error(`no ${kind} ${namespace}/${name}`);
    return this.store(change(structuredClone(current)), "MODIFIED");
  }

  /** The node agents have stopped every terminating pod: they leave the store. */
  async finishTerminating(): Promise<void> {
    for (const o of this.list("Pod")) if (metaOf(o).deletionTimestamp) await this.remove(o);
  }

  // The gateway's API, as reconcilers call it.

  async create(obj: ApiObject): Promise<ApiObject> {
    const { kind, json } = fromApiObject(obj);
    const n = (this.creates.get(kind) ?? 0) + 1;
    this.creates.set(kind, n);
    const m = metaOf(json);
    const namespace = m.namespace ?? "default";
    if (this.refused.get(kind)?.has(n)) throw new UnavailableError(`create ${kind} number ${n} refused by the test`);
    const name = m.name || `${m.generateName ?? ""}${(++this.names).toString(36).padStart(5, "0")}`;
    if (this.get(kind, name, namespace)) throw new AlreadyExistsError({ kind, namespace, name });
    const metadata = { ...m, name, namespace, uid: `uid-${name}`, generation: 1, creationTimestamp: this.stamp() };
    return toApiObject(await this.store({ ...json, metadata }, "ADDED"));
  }

  async update(obj: ApiObject): Promise<ApiObject> {
    const { json, stored } = this.checked(obj);
    const m = metaOf(stored);
    const generation = (m.generation ?? 1) + (isDeepStrictEqual(json["spec"], stored["spec"]) ? 0 : 1);
    const metadata = { ...metaOf(json), uid: m.uid, generation, ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}) };
    return toApiObject(await this.store({ ...json, metadata, status: stored["status"] }, "MODIFIED"));
  }

  async updateStatus(obj: ApiObject): Promise<ApiObject> {
    const { json, stored } = this.checked(obj);
    return toApiObject(await this.store({ ...stored, status: json["status"] }, "MODIFIED"));
  }

  async delete(req: Partial<DeleteRequest> & { kind: string; name: string }): Promise<DeleteResponse> {
    const key = { kind: req.kind, namespace: req.namespace ?? "", name: req.name };
    const current = this.objects.get(idOf(key.kind, key.namespace, key.name));
    if (!current) throw new NotFoundError(key);
    if (req.preconditions?.uid && req.preconditions.uid !== metaOf(current).uid) throw new ConflictError(key, "Precondition failed: UID");
    if (req.kind !== "Pod" || req.gracePeriodSeconds === 0) return { object: toApiObject(await this.remove(current)), deleted: true };
    if (metaOf(current).deletionTimestamp) return { object: toApiObject(current), deleted: false };
    const terminating = { ...current, metadata: { ...metaOf(current), deletionTimestamp: this.stamp(), deletionGracePeriodSeconds: 30 } };
    return { object: toApiObject(await this.store(terminating, "MODIFIED")), deleted: false };
  }

  /** The written object and the stored one, after the gateway's checks. */
  private checked(obj: ApiObject): { json: JsonObject; stored: JsonObject } {
    const { kind, json } = fromApiObject(obj);
    const m = metaOf(json);
    const key: ObjectKey = { kind, namespace: m.namespace ?? "", name: m.name ?? "" };
    const stored = this.objects.get(idOf(kind, key.namespace, key.name));
    if (!stored) throw new NotFoundError(key);
    if (m.resourceVersion && m.resourceVersion !== metaOf(stored).resourceVersion) throw new ConflictError(key, "the object has been modified");
    return { json, stored };
  }

  /** Stores the object as the gateway would echo it (through the typed API) and tells its kind's watch. */
  private async store(json: JsonObject, type: "ADDED" | "MODIFIED"): Promise<JsonObject> {
    const revision = ++this.revision;
    const typed = fromApiObject(toApiObject({ ...json, metadata: { ...metaOf(json), resourceVersion: String(revision) } })).json;
    const m = metaOf(typed);
    this.objects.set(idOf(String(typed["kind"]), m.namespace ?? "", m.name ?? ""), typed);
    await this.feed(String(typed["kind"])).deliver({ type, object: typed, revision });
    return typed;
  }

  private async remove(json: JsonObject): Promise<JsonObject> {
    const revision = ++this.revision;
    const m = metaOf(json);
    this.objects.delete(idOf(String(json["kind"]), m.namespace ?? "", m.name ?? ""));
    const gone = { ...json, metadata: { ...m, resourceVersion: String(revision) } };
    await this.feed(String(json["kind"])).deliver({ type: "DELETED", object: gone, revision });
    return gone;
  }

  private feed(kind: string): Feed {
    let feed = this.feeds.get(kind);
    if (!feed) this.feeds.set(kind, (feed = new Feed()));
    return feed;
  }

  private stamp(): string {
    return new Date(this.clock.now()).toISOString();
  }
}
