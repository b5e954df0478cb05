import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import type { NodeScore } from "../../framework/interface.js";
import { NodeSelectorRequirement, type DeepPartial } from "@capstan/api";
import { aNode, aPod } from "../../testing/builders.js";
import { NodeAffinity, requirementMatches } from "./node-affinity.js";

const labels = { zone: "a", disk: "ssd", cores: "8" };

describe("requirementMatches", () => {
  it.each<[string, DeepPartial<NodeSelectorRequirement>, boolean]>([
    ["In, value listed", { key: "zone", operator: "In", values: ["a", "b"] }, true],
    ["In, value not listed", { key: "zone", operator: "In", values: ["b"] }, false],
    ["In, label absent", { key: "rack", operator: "In", values: ["a"] }, false],
    ["NotIn, value not listed", { key: "zone", operator: "NotIn", values: ["b"] }, true],
    ["NotIn, value listed", { key: "zone", operator: "NotIn", values: ["a"] }, false],
    ["NotIn, label absent", { key: "rack", operator: "NotIn", values: ["a"] }, true],
    ["Exists", { key: "disk", operator: "Exists" }, true],
    ["Exists, absent", { key: "gpu", operator: "Exists" }, false],
    ["DoesNotExist", { key: "gpu", operator: "DoesNotExist" }, true],
    ["DoesNotExist, present", { key: "disk", operator: "DoesNotExist" }, false],
    ["Gt", { key: "cores", operator: "Gt", values: ["4"] }, true],
    ["Gt, equal", { key: "cores", operator: "Gt", values: ["8"] }, false],
    ["Lt", { key: "cores", operator: "Lt", values: ["16"] }, true],
    ["Lt, larger", { key: "cores", operator: "Lt", values: ["2"] }, false],
    ["Gt, label not an integer", { key: "zone", operator: "Gt", values: ["1"] }, false],
    ["Gt, absent", { key: "rack", operator: "Gt", values: ["1"] }, false],
    ["Gt, two values", { key: "cores", operator: "Gt", values: ["1", "2"] }, false],
    ["unknown operator", { key: "zone", operator: "Equals", values: ["a"] }, false],
  ])("%s", (_name, r, want) => expect(requirementMatches(NodeSelectorRequirement.fromPartial(r), labels)).toBe(want));
});

describe("NodeAffinity.filter", () => {
  const node = aNode("n1").labels(labels);
  const required = (...nodeSelectorTerms: object[]) => ({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms } });
  it.each([
    ["nothing asked", aPod(), "Success"],
    ["nodeSelector matches", aPod().nodeSelector({ zone: "a" }), "Success"],
    ["nodeSelector mismatch", aPod().nodeSelector({ zone: "a", disk: "hdd" }), "UnschedulableAndUnresolvable"],
    ["a required term matches", aPod().nodeAffinity(required({ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] })), "Success"],
    [
      "terms are ORed",
      aPod().nodeAffinity(required({ matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] }, { matchExpressions: [{ key: "disk", operator: "Exists" }] })),
      "Success",
    ],
    [
      "expressions in a term are ANDed",
      aPod().nodeAffinity(required({ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }, { key: "gpu", operator: "Exists" }] })),
      "UnschedulableAndUnresolvable",
    ],
    ["an empty term matches nothing", aPod().nodeAffinity(required({})), "UnschedulableAndUnresolvable"],
    ["no terms match nothing", aPod().nodeAffinity(required()), "UnschedulableAndUnresolvable"],
    ["matchFields on metadata.name", aPod().nodeAffinity(required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] })), "Success"],
    ["matchFields on another name", aPod().nodeAffinity(required({ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] })), "UnschedulableAndUnresolvable"],
    [
      "nodeSelector and affinity must both match",
      aPod().nodeSelector({ zone: "b" }).nodeAffinity(required({ matchExpressions: [{ key: "disk", operator: "Exists" }] })),
      "UnschedulableAndUnresolvable",
    ],
  ])("%s", (_name, pod, code) => {
    const s = new NodeAffinity().filter(new CycleState(), pod.build(), node.build());
    expect(s.code).toBe(code);
    if (code !== "Success") expect(s.reasons).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
  });

  it("skips Filter when the pod asks for nothing", () => {
    expect(new NodeAffinity().preFilter(new CycleState(), aPod().build()).code).toBe("Skip");
    expect(new NodeAffinity().preFilter(new CycleState(), aPod().nodeSelector({ a: "b" }).build()).code).toBe("Success");
  });
});

describe("NodeAffinity.score", () => {
  it("sums the weights of matching preferred terms and normalizes to the best", () => {
    const plugin = new NodeAffinity();
    const pod = aPod()
      .nodeAffinity({
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 80, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] } },
          { weight: 20, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
        ],
      })
      .build();
    const nodes = [aNode("both").labels({ zone: "a", disk: "ssd" }), aNode("zone").labels({ zone: "a" }), aNode("disk").labels({ disk: "ssd" }), aNode("none")].map((n) => n.build());
    const state = new CycleState();
    expect(plugin.preScore(state, pod).code).toBe("Success");
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
    expect(scores.map((s) => s.score)).toEqual([100, 80, 20, 0]);
    plugin.normalizeScore(state, pod, scores);
    expect(scores.map((s) => s.score)).toEqual([100, 80, 20, 0]);
  });

  it("skips Score without preferred terms", () => {
    expect(new NodeAffinity().preScore(new CycleState(), aPod().build()).code).toBe("Skip");
  });
});
