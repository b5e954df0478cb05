import { describe, expect, it } from "vitest";
import { formatIndexes, parseIndexes } from "./indexes.js";

describe("completed indexes", () => {
  it.each([
    { name: "none", indexes: [], text: "" },
    { name: "one", indexes: [3], text: "3" },
    { name: "a run and a single", indexes: [4, 0, 1, 2], text: "0-2,4" },
    { name: "two adjacent", indexes: [5, 6], text: "5-6" },
    { name: "several runs", indexes: [1, 3, 4, 5, 7], text: "1,3-5,7" },
  ])("$name: $text", ({ indexes, text }) => {
    expect(formatIndexes(indexes)).toBe(text);
    expect([...parseIndexes(text)].sort((a, b) => a - b)).toEqual([...new Set(indexes)].sort((a, b) => a - b));
  });
});
