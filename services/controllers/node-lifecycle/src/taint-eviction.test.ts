import { describe, expect, it } from "vitest";
import type { Taint, Toleration } from "@capstan/api";
import { evictionTime, toleratesTaint } from "./taint-eviction.js";

const t0 = Date.parse("2026-03-01T12:00:00.000Z");
const UNREACHABLE = "node.kubernetes.io/unreachable";
const NOT_READY = "node.kubernetes.io/not-ready";

const taint = (key: string, effect = "NoExecute", value = ""): Taint => ({ key, value, effect, timeAdded: "" });
const tol = (t: Partial<Toleration>): Toleration => ({ key: "", operator: "", value: "", effect: "", ...t, tolerationSeconds: t.tolerationSeconds });
const defaults = (seconds: number) => [
  tol({ key: NOT_READY, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds }),
  tol({ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds }),
];

describe("toleratesTaint", () => {
  it.each([
    { name: "Exists on the key", t: tol({ key: UNREACHABLE, operator: "Exists" }), taint: taint(UNREACHABLE), want: true },
    { name: "Exists with no key tolerates everything", t: tol({ operator: "Exists" }), taint: taint("anything", "NoSchedule"), want: true },
    { name: "another key", t: tol({ key: NOT_READY, operator: "Exists" }), taint: taint(UNREACHABLE), want: false },
    { name: "another effect", t: tol({ key: UNREACHABLE, operator: "Exists", effect: "NoSchedule" }), taint: taint(UNREACHABLE), want: false },
    { name: "Equal, same value", t: tol({ key: "k", operator: "Equal", value: "v" }), taint: taint("k", "NoExecute", "v"), want: true },
    { name: "Equal, other value", t: tol({ key: "k", operator: "Equal", value: "v" }), taint: taint("k", "NoExecute", "w"), want: false },
    { name: "no operator means Equal", t: tol({ key: "k", value: "v" }), taint: taint("k", "NoExecute", "v"), want: true },
  ])("$name → $want", ({ t, taint, want }) => {
    expect(toleratesTaint(t, taint)).toBe(want);
  });
});

describe("evictionTime", () => {
  const added = (key: string, at = t0, effect = "NoExecute") => ({ taint: taint(key, effect), addedAt: at });

  it.each([
    { name: "no taints", tolerations: defaults(300), taints: [], want: undefined },
    { name: "untolerated: at once, when the taint was added", tolerations: [], taints: [added(UNREACHABLE)], want: t0 },
    { name: "the default toleration: 300s after the taint", tolerations: defaults(300), taints: [added(UNREACHABLE)], want: t0 + 300_000 },
    { name: "tolerated forever", tolerations: [tol({ key: UNREACHABLE, operator: "Exists" })], taints: [added(UNREACHABLE)], want: undefined },
    { name: "a zero or negative toleration: at once", tolerations: [tol({ key: UNREACHABLE, operator: "Exists", effect: "NoExecute", tolerationSeconds: -5 })], taints: [added(UNREACHABLE)], want: t0 },
    {
      name: "the first matching toleration decides",
      tolerations: [tol({ operator: "Exists" }), ...defaults(300)],
      taints: [added(UNREACHABLE)],
      want: undefined,
    },
    {
      name: "the earliest taint wins",
      tolerations: [tol({ key: "dedicated", operator: "Exists", effect: "NoExecute", tolerationSeconds: 10 }), ...defaults(300)],
      taints: [added(UNREACHABLE, t0), added("dedicated", t0 + 60_000)],
      want: t0 + 70_000,
    },
    {
      name: "one taint tolerated forever, another for a while",
      tolerations: [tol({ key: "dedicated", operator: "Exists" }), ...defaults(3)],
      taints: [added("dedicated"), added(NOT_READY, t0 + 1000)],
      want: t0 + 4000,
    },
    { name: "an untolerated taint among tolerated ones", tolerations: defaults(300), taints: [added(UNREACHABLE), added("other", t0 + 5)], want: t0 + 5 },
  ])("$name", ({ tolerations, taints, want }) => {
    expect(evictionTime(tolerations, taints)).toBe(want);
  });
});
