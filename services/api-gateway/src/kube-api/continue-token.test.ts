import { describe, expect, it } from "vitest";
import { decodeContinue, encodeContinue, pageOf } from "./continue-token.js";

describe("continue tokens", () => {
  it("carry the list's revision and the last key back", () => {
    const token = { resourceVersion: 42, start: "shop/web-1" };
    expect(decodeContinue(encodeContinue(token))).toEqual(token);
  });

  it.each([
    { name: "not base64 JSON", raw: "%%%" },
    { name: "JSON of another shape", raw: Buffer.from(JSON.stringify({ rv: 3 })).toString("base64url") },
    { name: "a revision that is not one", raw: Buffer.from(JSON.stringify({ v: 1, rv: -1, start: "a/b" })).toString("base64url") },
    { name: "no start key", raw: Buffer.from(JSON.stringify({ v: 1, rv: 3, start: "" })).toString("base64url") },
  ])("refuse $name with 400", ({ raw }) => {
    expect(() => decodeContinue(raw)).toThrow(expect.objectContaining({ code: 400, reason: "BadRequest", message: expect.stringContaining("continue key is not valid") }));
  });
});

describe("pageOf", () => {
  const keys = ["a/1", "a/2", "b/1", "b/2", "c/1"];
  const self = (k: string) => k;
  it.each([
    { name: "no limit: everything", limit: 0, start: "", items: keys, remaining: 0 },
    { name: "the first page", limit: 2, start: "", items: ["a/1", "a/2"], remaining: 3 },
    { name: "a page after a key", limit: 2, start: "a/2", items: ["b/1", "b/2"], remaining: 1 },
    { name: "the last page", limit: 2, start: "b/2", items: ["c/1"], remaining: 0 },
    { name: "after a key deleted since", limit: 2, start: "a/3", items: ["b/1", "b/2"], remaining: 1 },
    { name: "past the end", limit: 2, start: "c/1", items: [], remaining: 0 },
  ])("$name", ({ limit, start, items, remaining }) => {
    expect(pageOf(keys, self, limit, start)).toEqual({ items, remaining });
  });
});
