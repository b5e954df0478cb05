import { describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/client";
import { NAMESPACE_INDEX, OWNER_UID_INDEX, ObjectCache } from "./object-cache.js";
import { objectKey } from "./object-key.js";

function aPod(namespace: string, name: string, opts: { labels?: Record<string, string>; owners?: string[]; node?: string; rv?: string } = {}): JsonObject {
  return {
    kind: "Pod",
    metadata: {
      namespace,
      name,
      uid: `uid-${name}`,
      resourceVersion: opts.rv ?? "1",
      labels: opts.labels ?? {},
      ownerReferences: (opts.owners ?? []).map((uid) => ({ kind: "ReplicaSet", name: `rs-${uid}`, uid, controller: true })),
    },
    spec: { nodeName: opts.node ?? "" },
  };
}

const names = (objs: JsonObject[]) => objs.map(objectKey).sort();

describe("ObjectCache", () => {
  it("finds objects by key, namespace, owner uid and label selector", () => {
    const cache = new ObjectCache();
    cache.set(aPod("default", "web-1", { labels: { app: "web", tier: "front" }, owners: ["rs1"] }));
    cache.set(aPod("default", "web-2", { labels: { app: "web" }, owners: ["rs1", "other"] }));
    cache.set(aPod("default", "db-1", { labels: { app: "db" }, owners: ["rs2"] }));
    cache.set(aPod("prod", "web-1", { labels: { app: "web" } }));
    cache.set({ kind: "Node", metadata: { name: "n1" } });

    expect(cache.get("default", "web-1")).toMatchObject({ metadata: { namespace: "default", name: "web-1" } });
    expect(cache.get("", "n1")).toMatchObject({ kind: "Node" });
    expect(cache.get("kube-system", "web-1")).toBeUndefined();

    expect(names(cache.list())).toEqual(["default/db-1", "default/web-1", "default/web-2", "n1", "prod/web-1"]);
    expect(names(cache.list("default"))).toEqual(["default/db-1", "default/web-1", "default/web-2"]);
    expect(names(cache.list(undefined, "app=web"))).toEqual(["default/web-1", "default/web-2", "prod/web-1"]);
    expect(names(cache.list("default", "app in (web,db),!tier"))).toEqual(["default/db-1", "default/web-2"]);
    expect(names(cache.byIndex(NAMESPACE_INDEX, "prod"))).toEqual(["prod/web-1"]);
    expect(names(cache.byIndex(OWNER_UID_INDEX, "rs1"))).toEqual(["default/web-1", "default/web-2"]);
    expect(names(cache.byIndex(OWNER_UID_INDEX, "other"))).toEqual(["default/web-2"]);
    expect(cache.byIndex(OWNER_UID_INDEX, "nobody")).toEqual([]);
  });

  it("moves an updated object between index values and drops a deleted one from all", () => {
    const cache = new ObjectCache();
    cache.set(aPod("default", "web-1", { owners: ["rs1"] }));
    const old = cache.set(aPod("default", "web-1", { owners: ["rs2"], rv: "2" }));
    expect(old).toMatchObject({ metadata: { resourceVersion: "1" } });
    expect(cache.byIndex(OWNER_UID_INDEX, "rs1")).toEqual([]);
    expect(names(cache.byIndex(OWNER_UID_INDEX, "rs2"))).toEqual(["default/web-1"]);

    expect(cache.delete("default/web-1")).toMatchObject({ metadata: { resourceVersion: "2" } });
    expect(cache.delete("default/web-1")).toBeUndefined();
    expect(cache.byIndex(OWNER_UID_INDEX, "rs2")).toEqual([]);
    expect(cache.byIndex(NAMESPACE_INDEX, "default")).toEqual([]);
    expect(cache.size).toBe(0);
  });

  it("indexes objects already cached when a custom indexer is added, and keeps it current", () => {
    const cache = new ObjectCache();
    cache.set(aPod("default", "a", { node: "n1" }));
    cache.set(aPod("default", "b", { node: "n2" }));
    cache.addIndexer("nodeName", (o) => [String((o["spec"] as { nodeName: string }).nodeName)]);
    expect(names(cache.byIndex("nodeName", "n1"))).toEqual(["default/a"]);

    cache.set(aPod("default", "b", { node: "n1" }));
    expect(names(cache.byIndex("nodeName", "n1"))).toEqual(["default/a", "default/b"]);
    expect(cache.byIndex("nodeName", "n2")).toEqual([]);
  });

  it("refuses an unknown index and a second indexer under one name", () => {
    const cache = new ObjectCache();
    expect(() => cache.byIndex("nodeName", "n1")).toThrow(/no index "nodeName"/);
    expect(() => cache.addIndexer(NAMESPACE_INDEX, () => [])).toThrow(/already registered/);
  });
});
