import { describe, expect, it } from "vitest";
import { Node, type Taint } from "@capstan/api";
import { reconcileTaints } from "./node-taints.js";

const now = new Date("2026-03-01T12:00:00.000Z");
const earlier = "2026-03-01T11:00:00.000Z";

function node(ready: string | undefined, taints: Partial<Taint>[] = [], extra: { unschedulable?: boolean; conditions?: [string, string][] } = {}): Node {
  const conditions = [...(ready ? [["Ready", ready] as [string, string]] : []), ...(extra.conditions ?? [])].map(([type, status]) => ({ type, status }));
  return Node.fromPartial({ metadata: { name: "node-1" }, spec: { taints, unschedulable: extra.unschedulable ?? false }, status: { conditions } });
}

const taint = (key: string, effect: string, timeAdded = "") => ({ key, value: "", effect, timeAdded });
const NOT_READY = "node.kubernetes.io/not-ready";
const UNREACHABLE = "node.kubernetes.io/unreachable";

describe("reconcileTaints", () => {
  it.each([
    { name: "a Ready node without taints", node: node("True") },
    { name: "a node that never posted status", node: node(undefined) },
    { name: "an unreachable node already tainted", node: node("Unknown", [taint(UNREACHABLE, "NoSchedule"), taint(UNREACHABLE, "NoExecute", earlier)]) },
    { name: "a Ready node with a user's taint", node: node("True", [taint("dedicated", "NoExecute", earlier)]) },
  ])("given $name, then nothing changes", ({ node }) => {
    expect(reconcileTaints(node, now)).toBeUndefined();
  });

  it.each([
    {
      name: "Ready=False adds not-ready, NoExecute stamped now",
      node: node("False"),
      want: [taint(NOT_READY, "NoSchedule"), taint(NOT_READY, "NoExecute", now.toISOString())],
    },
    {
      name: "Ready=Unknown adds unreachable",
      node: node("Unknown"),
      want: [taint(UNREACHABLE, "NoSchedule"), taint(UNREACHABLE, "NoExecute", now.toISOString())],
    },
    {
      name: "not-ready turning unreachable swaps the taints and keeps the user's",
      node: node("Unknown", [taint("dedicated", "NoSchedule"), taint(NOT_READY, "NoSchedule"), taint(NOT_READY, "NoExecute", earlier)]),
      want: [taint("dedicated", "NoSchedule"), taint(UNREACHABLE, "NoSchedule"), taint(UNREACHABLE, "NoExecute", now.toISOString())],
    },
    {
      name: "Ready=True again removes them",
      node: node("True", [taint(UNREACHABLE, "NoSchedule"), taint("dedicated", "NoSchedule"), taint(UNREACHABLE, "NoExecute", earlier)]),
      want: [taint("dedicated", "NoSchedule")],
    },
    {
      name: "pressure conditions and spec.unschedulable keep new pods off",
      node: node("True", [], { unschedulable: true, conditions: [["DiskPressure", "True"], ["MemoryPressure", "False"]] }),
      want: [taint("node.kubernetes.io/disk-pressure", "NoSchedule"), taint("node.kubernetes.io/unschedulable", "NoSchedule")],
    },
    {
      name: "a taint kept keeps its timeAdded while a missing companion is added",
      node: node("Unknown", [taint(UNREACHABLE, "NoExecute", earlier)]),
      want: [taint(UNREACHABLE, "NoExecute", earlier), taint(UNREACHABLE, "NoSchedule")],
    },
  ])("$name", ({ node, want }) => {
    expect(reconcileTaints(node, now)).toEqual(want);
  });
});
