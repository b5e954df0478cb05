import { describe, expect, it } from "vitest";
import { Nominator } from "../queue/nominator.js";
import { aNode, aPod, type NodeBuilder } from "../testing/builders.js";
import { aPodScheduler } from "../testing/pod-scheduler.js";
import { FitError, numFeasibleNodesToFind, type ScheduleResult } from "./schedule-one.js";
import { NodeListSnapshot } from "./snapshot.js";

const podScheduler = (opts: Parameters<typeof aPodScheduler>[0] = {}) => aPodScheduler(opts).scheduler;

const snapshot = (...nodes: NodeBuilder[]): NodeListSnapshot => new NodeListSnapshot(nodes.map((n) => n.build()));
const nodeName = (r: ScheduleResult | FitError): string => (r instanceof FitError ? `FitError: ${r.message}` : r.nodeName);

describe("numFeasibleNodesToFind", () => {
  it.each([
    ["small clusters are searched in full", 0, 50, 50],
    ["adaptive at 100 nodes: 50%, but at least 100", 0, 100, 100],
    ["adaptive at 1000 nodes: 50 - 8 = 42%", 0, 1000, 420],
    ["adaptive at 5000 nodes: 10%", 0, 5000, 500],
    ["adaptive never under 5%", 0, 6000, 300],
    ["configured 10% of 5000", 10, 5000, 500],
    ["configured, never under 100 nodes", 10, 500, 100],
    ["100% is every node", 100, 5000, 5000],
  ])("%s", (_name, percentage, nodes, want) => expect(numFeasibleNodesToFind(percentage, nodes)).toBe(want));
});

describe("FitError message", () => {
  it.each([
    [
      "counts per reason, sorted as strings",
      [
        ...["a", "b", "c"].map((n) => aNode(n).allocatable({ cpu: "1", memory: "4Gi", pods: "110" })),
        aNode("d").taint("key", "value", "NoSchedule"),
        aNode("e").taint("key", "value", "NoSchedule"),
      ],
      "0/5 nodes are available: 2 node(s) had untolerated taint {key: value}, 3 Insufficient cpu. preemption: 0/5 nodes are available: 2 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.",
    ],
    [
      "a node short of several resources counts for each",
      [aNode("a").allocatable({ cpu: "1", memory: "1Gi", pods: "110" }), aNode("b").unschedulable()],
      "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    ],
    ["the first failing filter decides", [aNode("a").unschedulable().taint("k", "v", "NoSchedule")], "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."],
    ["no nodes", [], "no nodes available to schedule pods"],
  ])("%s", (_name, nodes, want) => {
    const r = podScheduler().scheduleOne(aPod().requests({ cpu: "2", memory: "2Gi" }).build(), snapshot(...nodes));
    expect(r).toBeInstanceOf(FitError);
    expect((r as FitError).message).toBe(want);
  });

  it("keeps why each node was rejected, and which plugins rejected", () => {
    const r = podScheduler().scheduleOne(aPod().build(), snapshot(aNode("a").unschedulable(), aNode("b").taint("k", "", "NoExecute"))) as FitError;
    expect([...r.diagnosis.nodeToStatus.keys()]).toEqual(["a", "b"]);
    expect([...r.diagnosis.unschedulablePlugins].sort()).toEqual(["NodeUnschedulable", "TaintToleration"]);
  });
});

describe("PodScheduler.scheduleOne", () => {
  it("filters, then scores the feasible nodes", () => {
    const r = podScheduler().scheduleOne(
      aPod().requests({ cpu: "1", memory: "1Gi" }).build(),
      snapshot(
        aNode("busy").withPods(aPod("x").requests({ cpu: "500m", memory: "2Gi" }).build()),
        aNode("idle"),
        aNode("tainted").taint("k", "v", "NoSchedule"),
      ),
    );
    expect(nodeName(r)).toBe("idle");
    expect(r).toMatchObject({ evaluatedNodes: 3, feasibleNodes: 2 });
  });

  it("weighs plugins: an untolerated PreferNoSchedule taint (weight 3) outweighs a fuller node", () => {
    const r = podScheduler().scheduleOne(
      aPod().requests({ cpu: "100m" }).build(),
      snapshot(aNode("soft-tainted").taint("k", "v", "PreferNoSchedule"), aNode("fuller").withPods(aPod("x").requests({ cpu: "1", memory: "2Gi" }).build())),
    );
    expect(nodeName(r)).toBe("fuller");
  });

  it("follows preferred node affinity", () => {
    const pod = aPod()
      .nodeAffinity({ preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] } }] })
      .build();
    expect(nodeName(podScheduler().scheduleOne(pod, snapshot(aNode("a").labels({ zone: "a" }), aNode("b").labels({ zone: "b" }))))).toBe("b");
  });

  it("breaks ties at random among the best", () => {
    const nodes = snapshot(aNode("a"), aNode("b"), aNode("c"));
    expect(nodeName(podScheduler({ random: () => 0.99 }).scheduleOne(aPod().build(), nodes))).toBe("a");
    expect(nodeName(podScheduler({ random: () => 0 }).scheduleOne(aPod().build(), nodes))).toBe("c");
    const seen = new Set<string>();
    const s = podScheduler();
    for (let i = 0; i < 200; i++) seen.add(nodeName(s.scheduleOne(aPod().build(), nodes)));
    expect([...seen].sort()).toEqual(["a", "b", "c"]);
  });

  it("samples nodes in large clusters and starts the next pass where this one stopped", () => {
    const nodes = snapshot(...Array.from({ length: 400 }, (_, i) => aNode(`n${i}`)));
    const s = podScheduler({ percentage: 30 });
    const first = s.scheduleOne(aPod().build(), nodes) as ScheduleResult;
    expect(first).toMatchObject({ evaluatedNodes: 120, feasibleNodes: 120 });
    const second = s.scheduleOne(aPod().build(), nodes) as ScheduleResult;
    expect(Number(second.nodeName.slice(1))).toBeGreaterThanOrEqual(120);
    expect(Number(second.nodeName.slice(1))).toBeLessThan(240);
  });

  it("looks at every node when too few fit", () => {
    const nodes = snapshot(...Array.from({ length: 300 }, (_, i) => (i === 299 ? aNode(`n${i}`) : aNode(`n${i}`).unschedulable())));
    const r = podScheduler({ percentage: 10 }).scheduleOne(aPod().build(), nodes);
    expect(r).toMatchObject({ nodeName: "n299", evaluatedNodes: 300, feasibleNodes: 1 });
  });

  it("runs only the plugins the profile enables", () => {
    const nodes = snapshot(aNode("a").taint("k", "v", "NoSchedule"));
    const profile = { plugins: { multiPoint: { disabled: [{ name: "TaintToleration" }] } } };
    expect(nodeName(podScheduler({ profile }).scheduleOne(aPod().build(), nodes))).toBe("a");
  });
});

describe("filtering with nominated pods", () => {
  // n1 has 2 cpu free, nominated to a priority-100 pod that needs 1500m; n2 has 1 cpu free and nothing nominated.
  const nodes = () => snapshot(aNode("n1").allocatable({ cpu: "2", memory: "4Gi", pods: "110" }), aNode("n2").allocatable({ cpu: "1", memory: "4Gi", pods: "110" }));
  it.each([
    ["a lower-priority pod is refused the nominated room", 50, "1", "n2"],
    ["a lower-priority pod that fits beside the nominated one may use the node", 50, "500m", "n1"],
    ["an equal-priority pod is refused the nominated room", 100, "1", "n2"],
    ["a higher-priority pod does not wait on the nomination", 200, "1500m", "n1"],
  ])("%s", (_name, priority, cpu, want) => {
    const nominator = new Nominator();
    nominator.add(aPod("preemptor").requests({ cpu: "1500m" }).priority(100).build(), "n1");
    // Most free cpu wins the score, so n1 is chosen whenever it passes Filter.
    expect(nodeName(podScheduler({ nominator }).scheduleOne(aPod("p").requests({ cpu }).priority(priority).build(), nodes()))).toBe(want);
  });
});
