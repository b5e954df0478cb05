import { describe, expect, it } from "vitest";
import { LabelSelector } from "./gen/capstan/v1/meta.js";
import { labelSelectorMatches, labelSelectorToString } from "./label-selector.js";

const selector = (s: Partial<LabelSelector>): LabelSelector => LabelSelector.fromPartial(s);

describe("labelSelectorMatches", () => {
  const web = { app: "web", tier: "front" };

  it.each([
    { name: "absent selects nothing", selector: undefined, labels: web, want: false },
    { name: "empty selects everything", selector: selector({}), labels: web, want: true },
    { name: "empty selects the unlabelled", selector: selector({}), labels: undefined, want: true },
    { name: "matchLabels, equal", selector: selector({ matchLabels: { app: "web" } }), labels: web, want: true },
    { name: "matchLabels, other value", selector: selector({ matchLabels: { app: "api" } }), labels: web, want: false },
    { name: "matchLabels, all must match", selector: selector({ matchLabels: { app: "web", tier: "back" } }), labels: web, want: false },
    { name: "In", selector: selector({ matchExpressions: [{ key: "tier", operator: "In", values: ["front", "back"] }] }), labels: web, want: true },
    { name: "NotIn", selector: selector({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }), labels: web, want: false },
    { name: "NotIn, label absent", selector: selector({ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }), labels: web, want: true },
    { name: "Exists", selector: selector({ matchExpressions: [{ key: "tier", operator: "Exists", values: [] }] }), labels: web, want: true },
    { name: "DoesNotExist", selector: selector({ matchExpressions: [{ key: "tier", operator: "DoesNotExist", values: [] }] }), labels: web, want: false },
    {
      name: "labels and expressions together",
      selector: selector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "env", operator: "DoesNotExist", values: [] }] }),
      labels: web,
      want: true,
    },
  ])("$name → $want", ({ selector, labels, want }) => {
    expect(labelSelectorMatches(selector, labels)).toBe(want);
  });

  it("throws InvalidError for an operator validation rejects", () => {
    expect(() => labelSelectorMatches(selector({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }), {})).toThrow(/label selector/);
  });
});

describe("labelSelectorToString", () => {
  it.each([
    { name: "empty", selector: selector({}), want: "" },
    { name: "matchLabels, sorted by key", selector: selector({ matchLabels: { tier: "front", app: "web" } }), want: "app=web,tier=front" },
    {
      name: "every operator",
      selector: selector({
        matchExpressions: [
          { key: "a", operator: "In", values: ["y", "x"] },
          { key: "b", operator: "NotIn", values: ["z"] },
          { key: "c", operator: "Exists", values: [] },
          { key: "d", operator: "DoesNotExist", values: [] },
        ],
      }),
      want: "a in (x,y),b notin (z),c,!d",
    },
  ])("$name: $want", ({ selector, want }) => {
    expect(labelSelectorToString(selector)).toBe(want);
  });
});
