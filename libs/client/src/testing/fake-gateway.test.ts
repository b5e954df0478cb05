import { describe, expect, it } from "vitest";
import { fromApiObject, toApiObject, type WatchEvent } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { FakeClock } from "@capstan/apimachinery/testing";
import type { JsonObject, ReflectorEvent } from "../list-watch.js";
import { createFakeGateway } from "./fake-gateway.js";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");
const pod = (name: string, extra: JsonObject = {}): JsonObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", labels: { app: "web" } },
  spec: { nodeName: "node-1", containers: [{ name: "app", image: "nginx" }] },
  ...extra,
});
const meta = (o: JsonObject | undefined) => (o?.["metadata"] ?? {}) as JsonObject;
const codeOf = (p: Promise<unknown>) => p.then(() => "OK", (e: unknown) => (isCapstanError(e) ? e.code : String(e)));

/** A handler as an informer is: what it was given, in order. */
function recorder() {
  const seen: string[] = [];
  return {
    seen,
    handler: {
      replace: (objects: JsonObject[], revision: number) => void seen.push(`list ${objects.map((o) => meta(o)["name"]).join(",")}@${revision}`),
      apply: (e: ReflectorEvent) => void seen.push(`${e.type} ${String(meta(e.object)["name"])}@${e.revision}`),
    },
  };
}

describe("FakeGateway", () => {
  it("keeps the gateway's rules: defaults, its clock, a namespace that must exist, a stale resourceVersion is a Conflict", async () => {
    const clock = new FakeClock(T0);
    const gw = await createFakeGateway({ clock });
    const created = fromApiObject(await gw.create(toApiObject(pod("web")))).json;

    expect(meta(created)).toMatchObject({ uid: "uid-web", creationTimestamp: "2026-03-01T12:00:00.000Z", generation: 1 });
    expect((created["spec"] as JsonObject)["restartPolicy"]).toBe("Always");
    expect(await codeOf(gw.create(toApiObject({ ...pod("lost"), metadata: { name: "lost", namespace: "nowhere" } })))).toBe("NotFound");
    await gw.update(toApiObject({ ...created, metadata: { ...meta(created), labels: { app: "v2" } } }));
    expect(await codeOf(gw.update(toApiObject(created)))).toBe("Conflict");
  });

  it("answers get, list and history from its log as of a past revision, refusing one it has not reached", async () => {
    const gw = await createFakeGateway();
    const created = fromApiObject(await gw.create(toApiObject(pod("web")))).json;
    const createdAt = gw.revision;
    await gw.update(toApiObject({ ...created, metadata: { ...meta(created), labels: { app: "v2" } } }));
    await gw.delete({ kind: "Pod", namespace: "default", name: "web", gracePeriodSeconds: 0 });
    const deletedAt = gw.revision;
    await gw.create(toApiObject(pod("web")));

    const labelsAt = async (revision: number) => meta(fromApiObject(await gw.get({ kind: "Pod", namespace: "default", name: "web", revision })).json)["labels"];
    expect(await labelsAt(createdAt)).toEqual({ app: "web" });
    expect(await labelsAt(createdAt + 1)).toEqual({ app: "v2" });
    expect(await codeOf(gw.get({ kind: "Pod", namespace: "default", name: "web", revision: deletedAt }))).toBe("NotFound");
    expect(await codeOf(gw.get({ kind: "Pod", namespace: "default", name: "web", revision: createdAt - 1 }))).toBe("NotFound");
    expect((await gw.list({ kind: "Pod", namespace: "default", revision: createdAt + 1 })).items.map((o) => meta(fromApiObject(o).json)["uid"])).toEqual(["uid-web"]);
    expect(await gw.list({ kind: "Pod", namespace: "default", revision: deletedAt })).toEqual({ items: [], resourceVersion: String(deletedAt), traces: {} });

    const { events, resourceVersion } = await gw.history({ kind: "Pod", namespace: "default", name: "web" });
    expect(events.map((e) => [e.type, e.verb, e.actor, meta(fromApiObject(e.object!).json)["uid"]])).toEqual([
      ["ADDED", "create", "test", "uid-web"],
      ["MODIFIED", "update", "test", "uid-web"],
      ["DELETED", "delete", "test", "uid-web"],
      ["ADDED", "create", "test", "uid-web-2"],
    ]);
    expect(resourceVersion).toBe(String(gw.revision));
    expect(await codeOf(gw.history({ kind: "Pod", namespace: "default", name: "never" }))).toBe("NotFound");

    const refusal = (revision: number) => gw.get({ kind: "Pod", namespace: "default", name: "web", revision }).catch((e: unknown) => (e as Error).message);
    expect(await refusal(gw.revision + 1)).toBe(`request is invalid: revision: Invalid value ${gw.revision + 1}: Too large resource version: ${gw.revision + 1}, current: ${gw.revision}`);
    expect(await refusal(-1)).toBe("request is invalid: revision: Invalid value -1: must be a revision, 0 or more");

    await gw.store.compact(createdAt + 1);
    expect(await labelsAt(createdAt + 1)).toEqual({ app: "v2" });
    expect(await refusal(createdAt)).toBe(`too old resource version: ${createdAt} (oldest available ${createdAt + 1})`);
  });

  it("lists an informer at a revision, then hands over each later event of its kind, held back until released", async () => {
    const gw = await createFakeGateway();
    await gw.apply(pod("a"));
    const { seen, handler } = recorder();
    const reflector = gw.listWatch("Pod")(handler);
    await reflector.synced;
    const listedAt = gw.revision;

    gw.hold("Pod");
    await gw.apply(pod("b"));
    await gw.delete({ kind: "Pod", namespace: "default", name: "a", gracePeriodSeconds: 0 });
    expect(seen).toEqual([`list a@${listedAt}`]);
    expect(reflector.revision).toBe(listedAt);

    await gw.release("Pod");
    expect(seen).toEqual([`list a@${listedAt}`, `ADDED b@${listedAt + 1}`, `DELETED a@${listedAt + 2}`]);
    expect(reflector.revision).toBe(gw.revision);
  });

  it("refuses the nth create of a kind from now on, once", async () => {
    const gw = await createFakeGateway();
    gw.refuseCreate("Pod", 2);
    const results = await Promise.all(["a", "b", "c"].map((n) => codeOf(gw.create(toApiObject(pod(n))))));
    expect(results).toEqual(["OK", "Unavailable", "OK"]);
  });

  it("refuses every write after the next n, until let through again", async () => {
    const gw = await createFakeGateway();
    gw.refuseWritesAfter(1);
    expect(await codeOf(gw.create(toApiObject(pod("a"))))).toBe("OK");
    expect(await codeOf(gw.delete({ kind: "Pod", namespace: "default", name: "a" }))).toBe("Unavailable");
    gw.refuseWritesAfter(Infinity);
    expect(await codeOf(gw.delete({ kind: "Pod", namespace: "default", name: "a", gracePeriodSeconds: 0 }))).toBe("OK");
  });

  it("puts objects in place through the verbs: a status written as its node agent would, a pod terminating on its node", async () => {
    const clock = new FakeClock(T0);
    const gw = await createFakeGateway({ clock });
    const applied = await gw.apply(pod("web", { status: { phase: "Running" }, metadata: { ...meta(pod("web")), deletionTimestamp: "any" } }));

    expect(applied["status"]).toMatchObject({ phase: "Running" });
    expect(meta(applied)).toMatchObject({ deletionTimestamp: "2026-03-01T12:00:30.000Z", deletionGracePeriodSeconds: 30 });
    await expect(gw.apply({ ...pod("pending", { spec: { containers: [{ name: "app", image: "nginx" }] } }), metadata: { name: "pending", deletionTimestamp: "any" } })).rejects.toThrow(
      "cannot stay terminating",
    );
    const revision = gw.revision;
    await gw.apply(applied);
    expect(gw.revision, "an apply that changes nothing writes nothing").toBe(revision);
  });

  it("merges an apply into the stored object as kubectl apply does: a field set to its zero value, labels replaced, what the server set kept", async () => {
    const gw = await createFakeGateway();
    const deployment = (paused: boolean, labels: Record<string, string>) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels },
      spec: { paused, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx" }] } } },
    });
    await gw.apply(deployment(true, { app: "web", team: "a" }));
    const applied = await gw.apply(deployment(false, { app: "web" }));

    expect((applied["spec"] as JsonObject)["paused"] ?? false).toBe(false);
    expect(meta(applied)).toMatchObject({ labels: { app: "web" }, uid: "uid-web", generation: 2 });
    expect((applied["spec"] as JsonObject)["revisionHistoryLimit"]).toBe(10);
  });

  it("watches the selected objects from a list's revision, and ends its watches as a restarting gateway would", async () => {
    const gw = await createFakeGateway();
    await gw.apply(pod("before"));
    const { resourceVersion } = await gw.list({ kind: "Pod" });
    const stream = gw.watch({ kind: "Pod", labelSelector: "app=web", resourceVersion });
    await gw.apply(pod("other", { metadata: { name: "other", namespace: "default", labels: { app: "db" } } }));
    await gw.apply(pod("after"));
    const events: WatchEvent[] = [];
    const read = (async () => {
      for await (const e of stream) events.push(e);
    })();
    await gw.settled();
    gw.endWatches();
    await read;
    expect(events.map((e) => `${e.type} ${String(meta(fromApiObject(e.object!).json)["name"])}`)).toEqual(["ADDED after"]);
  });
});
