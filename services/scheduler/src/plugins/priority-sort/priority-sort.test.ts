import { describe, expect, it } from "vitest";
import { podInfoFrom } from "../../framework/pod-info.js";
import { PrioritySort } from "./priority-sort.js";

const pod = (name: string, priority: number | undefined, created: string) =>
  podInfoFrom({ metadata: { name, namespace: "default", creationTimestamp: created }, spec: priority === undefined ? {} : { priority } });

describe("PrioritySort", () => {
  it.each([
    ["higher priority first", pod("a", 1000, "2026-01-01T00:00:02Z"), pod("b", 0, "2026-01-01T00:00:01Z"), true],
    ["lower priority later", pod("a", 0, "2026-01-01T00:00:01Z"), pod("b", 10, "2026-01-01T00:00:02Z"), false],
    ["unset counts as 0", pod("a", undefined, "2026-01-01T00:00:01Z"), pod("b", 0, "2026-01-01T00:00:02Z"), true],
    ["equal priority: older first", pod("a", 5, "2026-01-01T00:00:01Z"), pod("b", 5, "2026-01-01T00:00:02Z"), true],
    ["equal priority: newer later", pod("a", 5, "2026-01-01T00:00:03Z"), pod("b", 5, "2026-01-01T00:00:02Z"), false],
  ])("%s", (_name, a, b, want) => expect(new PrioritySort().less(a, b)).toBe(want));
});
