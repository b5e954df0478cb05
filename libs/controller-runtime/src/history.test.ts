import { describe, expect, it } from "vitest";
import { metaOf } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway } from "@capstan/client/testing";
import {
  CONTROLLER_REVISION_HASH_LABEL,
  hashControllerRevision,
  newControllerRevision,
  nextRevision,
  revisionsToTruncate,
  syncRevisions,
  type RevisionOwner,
} from "./history.js";

const owner: RevisionOwner = {
  namespace: "default",
  name: "web",
  ref: { apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "sts-uid", controller: true, blockOwnerDeletion: true },
  templateLabels: { app: "nginx" },
};
const dataOf = (image: string): JsonObject => ({ spec: { template: { metadata: { labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image }] }, $patch: "replace" } } });
const revision = (image: string, n: number) => newControllerRevision(owner, dataOf(image), n, 0);
const names = (revisions: readonly JsonObject[]) => revisions.map((r) => metaOf(r).name);

describe("revision history", () => {
  it("names a revision <owner>-<hash> of its data, the same for equal data in any key order, another with a collision count", () => {
    const r = revision("nginx:1.27", 1);
    const hash = hashControllerRevision(dataOf("nginx:1.27"));
    expect(metaOf(r).name).toBe(`web-${hash}`);
    expect(metaOf(r).labels).toEqual({ app: "nginx", [CONTROLLER_REVISION_HASH_LABEL]: hash });
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(hashControllerRevision({ b: 1, a: 2 })).toBe(hashControllerRevision({ a: 2, b: 1 }));
    expect(hashControllerRevision(dataOf("nginx:1.27"), 1)).not.toBe(hash);
    expect(hashControllerRevision(dataOf("nginx:1.28"))).not.toBe(hash);
  });

  it("numbers the next revision one above the greatest", () => {
    expect(nextRevision([])).toBe(1);
    expect(nextRevision([revision("a", 3), revision("b", 1)])).toBe(4);
  });

  it.each([
    { name: "keeps all within the limit", limit: 10, live: [], deleted: [] },
    { name: "deletes the oldest beyond the limit", limit: 1, live: [], deleted: [1, 2] },
    { name: "never deletes a live revision", limit: 0, live: [1, 3], deleted: [2] },
  ])("truncates history: $name", ({ limit, live, deleted }) => {
    const history = [revision("c", 3), revision("a", 1), revision("b", 2)];
    const liveNames = new Set(history.filter((r) => live.includes(Number(r["revision"]))).map((r) => metaOf(r).name));
    expect(revisionsToTruncate(history, liveNames, limit).map((r) => r["revision"])).toEqual(deleted);
  });
});

describe("syncRevisions", () => {
  async function given(stored: JsonObject[]) {
    const gateway = await createFakeGateway();
    for (const r of stored) await gateway.apply(r);
    const revisions = () => gateway.objects("ControllerRevision");
    return { gateway, revisions, sync: (image: string, current = "") => syncRevisions(gateway, owner, revisions(), dataOf(image), 0, current) };
  }

  it("given no history, creates revision 1, which is both current and update", async () => {
    const { sync, revisions } = await given([]);
    const { current, update, written } = await sync("nginx:1.27");
    expect(names(revisions())).toEqual([metaOf(update).name]);
    expect(update["revision"]).toBe(1);
    expect(metaOf(current).name).toBe(metaOf(update).name);
    expect(written).toBeGreaterThan(0);
  });

  it("given the newest revision holds the template, reuses it and writes nothing", async () => {
    const { sync, revisions } = await given([revision("nginx:1.27", 1)]);
    const { update, written } = await sync("nginx:1.27", metaOf(revision("nginx:1.27", 1)).name);
    expect([update["revision"], written, revisions().length]).toEqual([1, 0, 1]);
  });

  it("given a changed template, creates the next revision and keeps the current one", async () => {
    const { sync, revisions } = await given([revision("nginx:1.27", 1)]);
    const { current, update } = await sync("nginx:1.28", metaOf(revision("nginx:1.27", 1)).name);
    expect([current["revision"], update["revision"], revisions().length]).toEqual([1, 2, 2]);
  });

  it("given a template an older revision holds (a rollback), renumbers that revision to the next", async () => {
    const { sync, revisions } = await given([revision("nginx:1.27", 1), revision("nginx:1.28", 2)]);
    const { update } = await sync("nginx:1.27", metaOf(revision("nginx:1.28", 2)).name);
    expect(metaOf(update).name).toBe(metaOf(revision("nginx:1.27", 1)).name);
    expect(revisions().map((r) => r["revision"]).sort()).toEqual([2, 3]);
  });

  it("given its revision exists but the cache missed it (a restart), takes the existing one", async () => {
    const { gateway, revisions } = await given([revision("nginx:1.27", 1)]);
    const { update, collisionCount } = await syncRevisions(gateway, owner, [], dataOf("nginx:1.27"), 0, "");
    expect([metaOf(update).name, collisionCount, revisions().length]).toEqual([metaOf(revision("nginx:1.27", 1)).name, 0, 1]);
  });

  it("given its name is taken by other data, counts a collision and names it anew", async () => {
    const squatter = { ...revision("nginx:1.27", 1), data: { other: true } };
    const { gateway, revisions } = await given([squatter]);
    const { update, collisionCount } = await syncRevisions(gateway, owner, [], dataOf("nginx:1.27"), 0, "");
    expect(collisionCount).toBe(1);
    expect(metaOf(update).name).toBe(`web-${hashControllerRevision(dataOf("nginx:1.27"), 1)}`);
    expect(revisions()).toHaveLength(2);
  });
});
