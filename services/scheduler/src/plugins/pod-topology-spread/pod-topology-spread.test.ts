import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import { allNodesKey } from "../../framework/framework.js";
import type { NodeScore } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { DeepPartial, TopologySpreadConstraint } from "@capstan/api";
import { aNode, aPod, type PodBuilder } from "../../testing/builders.js";
import { PodTopologySpread } from "./pod-topology-spread.js";

const foo = (name: string) => aPod(name).labels({ foo: "bar" }).build();

/** The documentation's example: zoneA holds node1 and node2, zoneB node3 and node4; foo=bar pods on node1..3. */
function cluster(): NodeInfo[] {
  return [
    aNode("node1").labels({ zone: "zoneA", "kubernetes.io/hostname": "node1" }).withPods(foo("p1")),
    aNode("node2").labels({ zone: "zoneA", "kubernetes.io/hostname": "node2" }).withPods(foo("p2")),
    aNode("node3").labels({ zone: "zoneB", "kubernetes.io/hostname": "node3" }).withPods(foo("p3")),
    aNode("node4").labels({ zone: "zoneB", "kubernetes.io/hostname": "node4" }),
  ].map((n) => n.build());
}

const spread = (over: DeepPartial<TopologySpreadConstraint> = {}): DeepPartial<TopologySpreadConstraint> => ({
  maxSkew: 1,
  topologyKey: "zone",
  whenUnsatisfiable: "DoNotSchedule",
  labelSelector: { matchLabels: { foo: "bar" } },
  ...over,
});

function filterAll(pod: PodBuilder, nodes: NodeInfo[] = cluster()): Record<string, string> {
  const plugin = new PodTopologySpread();
  const state = new CycleState();
  const p = pod.build();
  const pre = plugin.preFilter(state, p, nodes);
  if (pre.code === "Skip") return { skip: "Skip" };
  return Object.fromEntries(nodes.map((n) => [n.name, plugin.filter(state, p, n).code]));
}

const OK = "Success";
const NO = "Unschedulable";

describe("PodTopologySpread.filter", () => {
  it.each<[string, PodBuilder, Record<string, string>]>([
    ["documented example: only zoneB keeps the skew within 1", aPod().labels({ foo: "bar" }).spreadConstraint(spread()), { node1: NO, node2: NO, node3: OK, node4: OK }],
    ["maxSkew 2 allows zoneA", aPod().labels({ foo: "bar" }).spreadConstraint(spread({ maxSkew: 2 })), { node1: OK, node2: OK, node3: OK, node4: OK }],
    ["a pod the selector does not match does not count itself", aPod().labels({ other: "x" }).spreadConstraint(spread()), { node1: OK, node2: OK, node3: OK, node4: OK }],
    ["by hostname: only the empty node", aPod().labels({ foo: "bar" }).spreadConstraint(spread({ topologyKey: "kubernetes.io/hostname" })), { node1: NO, node2: NO, node3: NO, node4: OK }],
    ["both constraints must hold", aPod().labels({ foo: "bar" }).spreadConstraint(spread()).spreadConstraint(spread({ topologyKey: "kubernetes.io/hostname" })), { node1: NO, node2: NO, node3: NO, node4: OK }],
    ["minDomains above the domain count makes the global minimum 0", aPod().labels({ foo: "bar" }).spreadConstraint(spread({ minDomains: 3 })), { node1: NO, node2: NO, node3: NO, node4: NO }],
    ["ScheduleAnyway does not filter", aPod().labels({ foo: "bar" }).spreadConstraint(spread({ whenUnsatisfiable: "ScheduleAnyway" })), { skip: "Skip" }],
    ["no constraints", aPod(), { skip: "Skip" }],
  ])("%s", (_name, pod, want) => expect(filterAll(pod)).toEqual(want));

  it("rejects a node without the topology key as unresolvable", () => {
    const nodes = [...cluster(), aNode("bare").build()];
    expect(filterAll(aPod().labels({ foo: "bar" }).spreadConstraint(spread()), nodes)["bare"]).toBe("UnschedulableAndUnresolvable");
  });

  it("counts only pods of the same namespace that are not terminating", () => {
    const nodes = [
      aNode("a1").labels({ zone: "A" }).withPods(aPod("x").labels({ foo: "bar" }).namespace("other").build(), aPod("y").labels({ foo: "bar" }).terminating().build()),
      aNode("b1").labels({ zone: "B" }),
    ].map((n) => n.build());
    expect(filterAll(aPod().labels({ foo: "bar" }).spreadConstraint(spread()), nodes)).toEqual({ a1: OK, b1: OK });
  });

  it("with nodeAffinityPolicy Honor, ignores nodes the pod cannot go to", () => {
    // zoneB's only node is excluded by the nodeSelector: zoneA is then the only domain, so it is not skewed.
    const nodes = [
      aNode("a1").labels({ zone: "A", disk: "ssd" }).withPods(foo("p1"), foo("p2")),
      aNode("b1").labels({ zone: "B" }),
    ].map((n) => n.build());
    expect(filterAll(aPod().labels({ foo: "bar" }).nodeSelector({ disk: "ssd" }).spreadConstraint(spread()), nodes)["a1"]).toBe(OK);
    expect(filterAll(aPod().labels({ foo: "bar" }).spreadConstraint(spread()), nodes)["a1"]).toBe(NO);
  });
});

describe("PodTopologySpread.score", () => {
  it("prefers the zone with fewer matching pods, then normalizes so fewer scores higher", () => {
    const plugin = new PodTopologySpread();
    const nodes = cluster();
    const pod = aPod().labels({ foo: "bar" }).spreadConstraint(spread({ whenUnsatisfiable: "ScheduleAnyway" })).build();
    const state = new CycleState();
    state.write(allNodesKey, nodes);
    expect(plugin.preScore(state, pod, nodes).code).toBe("Success");
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
    // Two domains: weight ln(4); zoneA has 2 pods → round(2·1.386) = 3, zoneB 1 → round(1.386) = 1.
    expect(scores.map((s) => s.score)).toEqual([3, 3, 1, 1]);
    plugin.normalizeScore(state, pod, scores);
    expect(scores.map((s) => s.score)).toEqual([33, 33, 100, 100]);
  });

  it("gives nodes without the topology key 0", () => {
    const plugin = new PodTopologySpread();
    const nodes = [...cluster(), aNode("bare").build()];
    const pod = aPod().labels({ foo: "bar" }).spreadConstraint(spread({ whenUnsatisfiable: "ScheduleAnyway" })).build();
    const state = new CycleState();
    plugin.preScore(state, pod, nodes);
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
    plugin.normalizeScore(state, pod, scores);
    expect(scores.at(-1)).toEqual({ name: "bare", score: 0 });
  });
});
