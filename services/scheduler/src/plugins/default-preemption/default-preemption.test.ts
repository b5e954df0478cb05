import { describe, expect, it } from "vitest";
import { FitError } from "../../framework/schedule-one.js";
import { NodeListSnapshot } from "../../framework/snapshot.js";
import { aNode, aPod, type NodeBuilder, type PodBuilder } from "../../testing/builders.js";
import { aPodScheduler } from "../../testing/pod-scheduler.js";
import { pickOneNodeForPreemption } from "./default-preemption.js";

function harness() {
  const { scheduler, nominator, evicted } = aPodScheduler();
  // Records the nomination as the scheduler does after a failed attempt.
  const attempt = (pod: PodBuilder, ...nodes: NodeBuilder[]) => {
    const info = pod.build();
    const r = scheduler.scheduleOne(info, new NodeListSnapshot(nodes.map((n) => n.build())));
    if (r instanceof FitError && r.nominatedNodeName) nominator.add(info, r.nominatedNodeName);
    else if (r instanceof FitError && r.nominatedNodeName === "") nominator.delete(info.key);
    return { message: r instanceof FitError ? r.message : `fits ${r.nodeName}`, evicted: [...evicted], nominated: r instanceof FitError ? r.nominatedNodeName : undefined };
  };
  return { attempt, nominator };
}

const small = () => aNode().allocatable({ cpu: "2", memory: "4Gi", pods: "110" });
const running = (name: string, cpu: string, priority: number) => aPod(name).requests({ cpu }).priority(priority).build();

describe("DefaultPreemption", () => {
  it("evicts a lower-priority pod to make room, and leaves the pod to be retried", () => {
    const r = harness().attempt(aPod("vip").requests({ cpu: "1" }).priority(100), small().withPods(running("low", "1500m", 0)));
    expect(r).toEqual({ message: "0/1 nodes are available: 1 Insufficient cpu.", evicted: ["low@n"], nominated: "n" });
  });

  it("evicts only the pods that must go, keeping the more important ones", () => {
    const r = harness().attempt(aPod("vip").requests({ cpu: "1" }).priority(100), small().withPods(running("tiny", "500m", 0), running("big", "1500m", 1)));
    expect(r.evicted).toEqual(["big@n"]);
  });

  it("picks the node whose most important victim matters least", () => {
    const r = harness().attempt(
      aPod("vip").requests({ cpu: "1" }).priority(100),
      aNode("a").allocatable({ cpu: "1", memory: "4Gi", pods: "110" }).withPods(running("five", "1", 5)),
      aNode("b").allocatable({ cpu: "1", memory: "4Gi", pods: "110" }).withPods(running("one", "1", 1)),
    );
    expect(r.evicted).toEqual(["one@b"]);
  });

  it.each<[string, PodBuilder, NodeBuilder[], string, string | undefined]>([
    [
      "pods of equal or higher priority are not victims",
      aPod("p").requests({ cpu: "1" }).priority(10),
      [small().withPods(running("peer", "1500m", 10))],
      "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
      "",
    ],
    [
      "preemptionPolicy Never",
      aPod("p").requests({ cpu: "1" }).priority(100, "Never"),
      [small().withPods(running("low", "1500m", 0))],
      "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.",
      undefined,
    ],
    [
      "evicting everything lower would not be enough",
      aPod("p").requests({ cpu: "3" }).priority(100),
      [small().withPods(running("low", "500m", 0))],
      "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.",
      "",
    ],
    [
      "unresolvable rejections are not helped",
      aPod("p").priority(100),
      [aNode("a").unschedulable().withPods(running("low", "1", 0))],
      "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
      "",
    ],
  ])("%s (nomination: %s)", (_name, pod, nodes, message, nominated) => {
    expect(harness().attempt(pod, ...nodes)).toEqual({ message, evicted: [], nominated });
  });

  it("does not preempt again while its victims on the nominated node are terminating", () => {
    const h = harness();
    h.attempt(aPod("vip").requests({ cpu: "1" }).priority(100), small().withPods(running("low", "1500m", 0)));
    const terminating = aPod("low").requests({ cpu: "1500m" }).priority(0).terminating().build();
    const r = h.attempt(aPod("vip").requests({ cpu: "1" }).priority(100), small().withPods(terminating));
    expect(r).toEqual({
      message: "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to a terminating pod on the nominated node.",
      evicted: ["low@n"],
      nominated: undefined,
    });
    expect(h.nominator.nominatedNodeOf("default/vip")).toBe("n");
  });

  it("does not preempt for a lower-priority pod the room nominated to a higher-priority one", () => {
    const h = harness();
    h.attempt(aPod("vip").requests({ cpu: "1" }).priority(100), small().withPods(running("low", "1500m", 0)));
    // The victim is gone; the room is the preemptor's, so a mid-priority pod neither fits nor preempts it.
    const r = h.attempt(aPod("mid").requests({ cpu: "1500m" }).priority(50), small());
    expect(r.message).toBe("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
    expect(h.attempt(aPod("vip").requests({ cpu: "1" }).priority(100), small()).message).toBe("fits n");
  });
});

describe("pickOneNodeForPreemption", () => {
  const v = (priority: number) => running(`p${priority}`, "1", priority);
  it.each([
    ["lowest highest-priority victim", [{ nodeName: "a", victims: [v(5)] }, { nodeName: "b", victims: [v(1), v(1)] }], "b"],
    ["then the lowest sum", [{ nodeName: "a", victims: [v(3), v(3)] }, { nodeName: "b", victims: [v(3), v(1)] }], "b"],
    ["then the fewest victims", [{ nodeName: "a", victims: [v(-1), v(-1)] }, { nodeName: "b", victims: [v(-1)] }], "b"],
    ["then the first", [{ nodeName: "a", victims: [v(1)] }, { nodeName: "b", victims: [v(1)] }], "a"],
  ])("%s", (_name, candidates, want) => expect(pickOneNodeForPreemption(candidates)?.nodeName).toBe(want));
});
