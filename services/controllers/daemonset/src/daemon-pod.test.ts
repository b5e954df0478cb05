import { describe, expect, it } from "vitest";
import { DaemonSet, Pod } from "@capstan/api";
import { newDaemonPod, targetNodeName, withDaemonTolerations } from "./daemon-pod.js";

const ds = DaemonSet.fromJSON({
  metadata: { name: "log-shipper", namespace: "default", uid: "uid-ds" },
  spec: {
    template: {
      metadata: { labels: { app: "log-shipper" } },
      spec: {
        containers: [{ name: "shipper", image: "busybox" }],
        tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }] },
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: "disk", operator: "Exists" }] } }],
          },
        },
      },
    },
  },
});

describe("newDaemonPod", () => {
  const pod = Pod.toJSON(newDaemonPod(ds, "node-2", "abc123")) as any;

  it("pins the pod to its node by required node affinity on metadata.name, keeping preferred terms", () => {
    expect(pod.spec.nodeName).toBeUndefined();
    expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["node-2"] }] }],
    });
    expect(pod.spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(targetNodeName(newDaemonPod(ds, "node-2", "abc123"))).toBe("node-2");
  });

  it("labels the pod with its revision hash and makes the DaemonSet its controller", () => {
    expect(pod.metadata.labels).toEqual({ app: "log-shipper", "controller-revision-hash": "abc123" });
    expect(pod.metadata.generateName).toBe("log-shipper-");
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "DaemonSet", name: "log-shipper", uid: "uid-ds", controller: true, blockOwnerDeletion: true }]);
  });

  it("adds the daemon tolerations once, an equal one the template has included", () => {
    const keys = pod.spec.tolerations.map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`);
    expect(keys).toEqual([
      "node.kubernetes.io/unschedulable:NoSchedule",
      "node.kubernetes.io/not-ready:NoExecute",
      "node.kubernetes.io/unreachable:NoExecute",
      "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/memory-pressure:NoSchedule",
      "node.kubernetes.io/pid-pressure:NoSchedule",
    ]);
    expect(withDaemonTolerations(withDaemonTolerations([]))).toHaveLength(6);
  });
});
