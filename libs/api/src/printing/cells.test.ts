import { describe, expect, it } from "vitest";
import { listWithMore, mapSelectorText, selectorText } from "./cells.js";

describe("selectorText", () => {
  it.each([
    { name: "absent", selector: undefined, want: "<none>" },
    { name: "empty", selector: {}, want: "<none>" },
    { name: "Exists", selector: { matchExpressions: [{ key: "app", operator: "Exists" }] }, want: "app" },
  ])("a selector $name is shown as $want", ({ selector, want }) => {
    expect(selectorText(selector)).toBe(want);
  });
});

describe("mapSelectorText", () => {
  it.each([
    { name: "absent", selector: undefined, want: "<none>" },
    { name: "sorted by key", selector: { tier: "web", app: "shop" }, want: "app=shop,tier=web" },
  ])("a map selector $name is shown as $want", ({ selector, want }) => {
    expect(mapSelectorText(selector)).toBe(want);
  });
});

describe("listWithMore", () => {
  it.each([
    { name: "none", items: [], want: "<unset>" },
    { name: "three", items: ["a", "b", "c"], want: "a,b,c" },
    { name: "five", items: ["a", "b", "c", "d", "e"], want: "a,b,c + 2 more..." },
  ])("$name → $want", ({ items, want }) => {
    expect(listWithMore(items, "<unset>")).toBe(want);
  });
});
