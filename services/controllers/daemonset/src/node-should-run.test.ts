import { describe, expect, it } from "vitest";
import { DaemonSet, Node } from "@capstan/api";
import { nodeShouldRunDaemonPod } from "./node-should-run.js";

const aNode = (labels: Record<string, string> = {}, taints: { key: string; effect: string; value?: string }[] = []) =>
  Node.fromPartial({ metadata: { name: "node-1", labels }, spec: { taints: taints.map((t) => ({ value: "", ...t })) } });

const aDaemonSet = (spec: Record<string, unknown> = {}) =>
  DaemonSet.fromJSON({ metadata: { name: "ds", namespace: "default" }, spec: { template: { spec: { containers: [{ name: "c", image: "busybox" }], ...spec } } } });

const run = { shouldRun: true, shouldContinueRunning: true };
const never = { shouldRun: false, shouldContinueRunning: false };
const stay = { shouldRun: false, shouldContinueRunning: true };

describe("nodeShouldRunDaemonPod", () => {
  it.each([
    { name: "a plain node", node: aNode(), ds: aDaemonSet(), want: run },
    { name: "a matching nodeSelector", node: aNode({ disk: "ssd" }), ds: aDaemonSet({ nodeSelector: { disk: "ssd" } }), want: run },
    { name: "a nodeSelector the node does not match", node: aNode({ disk: "hdd" }), ds: aDaemonSet({ nodeSelector: { disk: "ssd" } }), want: never },
    {
      name: "required node affinity the node does not match",
      node: aNode({ zone: "b" }),
      ds: aDaemonSet({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }] } } } }),
      want: never,
    },
    { name: "a template pinned to another node", node: aNode(), ds: aDaemonSet({ nodeName: "node-2" }), want: never },
    { name: "an untolerated NoSchedule taint: no new pod, the old one stays", node: aNode({}, [{ key: "dedicated", effect: "NoSchedule" }]), ds: aDaemonSet(), want: stay },
    { name: "an untolerated NoExecute taint evicts", node: aNode({}, [{ key: "dedicated", effect: "NoExecute" }]), ds: aDaemonSet(), want: never },
    { name: "a PreferNoSchedule taint does not matter", node: aNode({}, [{ key: "dedicated", effect: "PreferNoSchedule" }]), ds: aDaemonSet(), want: run },
    {
      name: "a tolerated taint",
      node: aNode({}, [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]),
      ds: aDaemonSet({ tolerations: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }),
      want: run,
    },
    { name: "a cordoned node (default toleration)", node: aNode({}, [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }]), ds: aDaemonSet(), want: run },
    { name: "memory pressure (default toleration)", node: aNode({}, [{ key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" }]), ds: aDaemonSet(), want: run },
    {
      name: "an unreachable node keeps its pod but gets no new one",
      node: aNode({}, [
        { key: "node.kubernetes.io/unreachable", effect: "NoExecute" },
        { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" },
      ]),
      ds: aDaemonSet(),
      want: stay,
    },
  ])("$name", ({ node, ds, want }) => {
    expect(nodeShouldRunDaemonPod(node, ds)).toEqual(want);
  });
});
