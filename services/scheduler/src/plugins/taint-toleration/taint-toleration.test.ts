import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import type { NodeScore } from "../../framework/interface.js";
import type { Taint, Toleration } from "../../framework/pod-info.js";
import { aNode, aPod } from "../../testing/builders.js";
import { TaintToleration, toleratesTaint } from "./taint-toleration.js";

describe("toleratesTaint (Kubernetes' ToleratesTaint)", () => {
  const taint: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };
  it.each<[string, Toleration, boolean]>([
    ["Equal, same key, value and effect", { key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }, true],
    ["empty operator means Equal", { key: "dedicated", value: "gpu" }, true],
    ["Equal, other value", { key: "dedicated", operator: "Equal", value: "cpu" }, false],
    ["Exists on the key, any effect", { key: "dedicated", operator: "Exists" }, true],
    ["Exists with empty key tolerates everything", { operator: "Exists" }, true],
    ["other effect", { key: "dedicated", operator: "Exists", effect: "NoExecute" }, false],
    ["other key", { key: "other", operator: "Exists" }, false],
    ["unknown operator", { key: "dedicated", operator: "Gt", value: "gpu" }, false],
  ])("%s", (_name, toleration, want) => {
    expect(toleratesTaint(toleration, taint)).toBe(want);
  });
});

describe("TaintToleration.filter", () => {
  const plugin = new TaintToleration();
  it.each([
    ["no taints", aPod(), aNode(), "Success", []],
    ["NoSchedule untolerated", aPod(), aNode().taint("dedicated", "gpu", "NoSchedule"), "UnschedulableAndUnresolvable", ["node(s) had untolerated taint {dedicated: gpu}"]],
    ["NoExecute untolerated", aPod(), aNode().taint("k", "", "NoExecute"), "UnschedulableAndUnresolvable", ["node(s) had untolerated taint {k: }"]],
    ["PreferNoSchedule does not filter", aPod(), aNode().taint("k", "v", "PreferNoSchedule"), "Success", []],
    ["tolerated", aPod().tolerating({ key: "dedicated", operator: "Exists", effect: "NoSchedule" }), aNode().taint("dedicated", "gpu", "NoSchedule"), "Success", []],
    [
      "first untolerated of several",
      aPod().tolerating({ key: "a", operator: "Exists" }),
      aNode().taint("a", "1", "NoSchedule").taint("b", "2", "NoSchedule"),
      "UnschedulableAndUnresolvable",
      ["node(s) had untolerated taint {b: 2}"],
    ],
  ])("%s", (_name, pod, node, code, reasons) => {
    const s = plugin.filter(new CycleState(), pod.build(), node.build());
    expect([s.code, s.reasons]).toEqual([code, reasons]);
  });
});

describe("TaintToleration.score", () => {
  it("prefers nodes with fewer untolerated PreferNoSchedule taints, normalized in reverse", () => {
    const plugin = new TaintToleration();
    const pod = aPod().tolerating({ key: "tolerated", operator: "Exists", effect: "PreferNoSchedule" }).build();
    const nodes = [
      aNode("clean").build(),
      aNode("one").taint("a", "", "PreferNoSchedule").taint("tolerated", "", "PreferNoSchedule").build(),
      aNode("two").taint("a", "", "PreferNoSchedule").taint("b", "", "PreferNoSchedule").taint("c", "", "NoSchedule").build(),
    ];
    const state = new CycleState();
    plugin.preScore(state, pod);
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
    expect(scores.map((s) => s.score)).toEqual([0, 1, 2]);
    plugin.normalizeScore(state, pod, scores);
    expect(scores.map((s) => s.score)).toEqual([100, 50, 0]);
  });
});
