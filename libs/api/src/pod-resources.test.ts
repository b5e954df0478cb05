import { describe, expect, it } from "vitest";
import { nodeAllocatable, podQOSClass, podRequests } from "./pod-resources.js";
import { aNode, aPod } from "./testing/index.js";

describe("podRequests", () => {
  it.each([
    { name: "no containers' requests", pod: aPod().withContainer("a"), want: { milliCpu: 0, memoryBytes: 0 } },
    { name: "one container", pod: aPod().withContainer("a").requesting({ cpu: "100m", memory: "128Mi" }), want: { milliCpu: 100, memoryBytes: 128 * 2 ** 20 } },
    {
      name: "summed over containers",
      pod: aPod().withContainer("a").requesting({ cpu: "0.5", memory: "1Gi" }).withContainer("b").requesting({ cpu: "250m", memory: "129e6" }),
      want: { milliCpu: 750, memoryBytes: 2 ** 30 + 129e6 },
    },
    { name: "limits stand in for absent requests", pod: aPod().withContainer("a").limitedTo({ cpu: "2", memory: "1G" }), want: { milliCpu: 2000, memoryBytes: 1e9 } },
    {
      name: "a request wins over its limit",
      pod: aPod().withContainer("a").requesting({ cpu: "1" }).limitedTo({ cpu: "2", memory: "1Ki" }),
      want: { milliCpu: 1000, memoryBytes: 1024 },
    },
    {
      name: "an init container larger than the containers' sum",
      pod: aPod().withContainer("a").requesting({ cpu: "100m", memory: "64Mi" }).withSpec({ initContainers: [{ name: "i", image: "busybox", resources: { requests: { cpu: "1", memory: "32Mi" } } }] }),
      want: { milliCpu: 1000, memoryBytes: 64 * 2 ** 20 },
    },
    {
      name: "init containers are not summed: the largest of each resource",
      pod: aPod()
        .withContainer("a")
        .requesting({ cpu: "100m" })
        .withSpec({
          initContainers: [
            { name: "i1", image: "busybox", resources: { requests: { cpu: "300m", memory: "1Gi" } } },
            { name: "i2", image: "busybox", resources: { limits: { cpu: "500m" } } },
          ],
        }),
      want: { milliCpu: 500, memoryBytes: 2 ** 30 },
    },
    {
      name: "overhead on top of the larger",
      pod: aPod().withContainer("a").requesting({ cpu: "1" }).withSpec({ overhead: { cpu: "250m", memory: "1Mi" }, initContainers: [{ name: "i", image: "busybox", resources: { requests: { cpu: "2" } } }] }),
      want: { milliCpu: 2250, memoryBytes: 2 ** 20 },
    },
    {
      // As AggregateContainerRequests: max(containers 100m + sidecar 200m, init after it 200m + 500m).
      name: "a sidecar adds to the containers and to the init containers after it",
      pod: aPod()
        .withContainer("a")
        .requesting({ cpu: "100m", memory: "1Gi" })
        .withSpec({
          initContainers: [
            { name: "early", image: "busybox", resources: { requests: { cpu: "600m" } } },
            { name: "proxy", image: "busybox", restartPolicy: "Always", resources: { requests: { cpu: "200m", memory: "1Mi" } } },
            { name: "late", image: "busybox", resources: { requests: { cpu: "500m" } } },
          ],
        }),
      want: { milliCpu: 700, memoryBytes: 2 ** 30 + 2 ** 20 },
    },
    { name: "other resources ignored", pod: aPod().withContainer("a").requesting({ "ephemeral-storage": "1Gi", "example.com/gpu": "1" }), want: { milliCpu: 0, memoryBytes: 0 } },
  ])("$name", ({ pod, want }) => {
    expect(podRequests(pod.build())).toEqual(want);
    expect(podRequests(pod.json())).toEqual(want);
  });

  it("reads Kubernetes JSON with numeric quantities", () => {
    expect(podRequests({ spec: { containers: [{ resources: { requests: { cpu: 1, memory: 1024 } } }] } })).toEqual({ milliCpu: 1000, memoryBytes: 1024 });
  });

  it("reads a pod without a spec", () => {
    expect(podRequests({ metadata: { name: "x" } })).toEqual({ milliCpu: 0, memoryBytes: 0 });
  });

  it("throws on an invalid quantity", () => {
    expect(() => podRequests(aPod().withContainer("a").requesting({ cpu: "lots" }).build())).toThrow(/invalid quantity "lots"/);
  });
});

describe("nodeAllocatable", () => {
  it.each([
    {
      name: "allocatable",
      node: aNode().withCapacity({ cpu: "8", memory: "32Gi", pods: "110" }).withAllocatable({ cpu: "7500m", memory: "30Gi", pods: "100" }),
      want: { milliCpu: 7500, memoryBytes: 30 * 2 ** 30, pods: 100 },
    },
    { name: "capacity when allocatable is absent", node: aNode().withCapacity({ cpu: "4", memory: "8Gi", pods: "110" }), want: { milliCpu: 4000, memoryBytes: 8 * 2 ** 30, pods: 110 } },
    { name: "nothing reported", node: aNode(), want: { milliCpu: 0, memoryBytes: 0, pods: 0 } },
  ])("$name", ({ node, want }) => {
    expect(nodeAllocatable(node.build())).toEqual(want);
    expect(nodeAllocatable(node.json())).toEqual(want);
  });
});

describe("podQOSClass", () => {
  it.each([
    { name: "nothing set", pod: aPod().withContainer("a"), want: "BestEffort" },
    { name: "limits alone are requests too", pod: aPod().withContainer("a").limitedTo({ cpu: "1", memory: "1Gi" }), want: "Guaranteed" },
    { name: "equal in other spellings", pod: aPod().withContainer("a").requesting({ cpu: "0.5", memory: "1024Mi" }).limitedTo({ cpu: "500m", memory: "1Gi" }), want: "Guaranteed" },
    { name: "request below limit", pod: aPod().withContainer("a").requesting({ cpu: "250m", memory: "1Gi" }).limitedTo({ cpu: "500m", memory: "1Gi" }), want: "Burstable" },
    { name: "cpu limit only", pod: aPod().withContainer("a").limitedTo({ cpu: "1" }), want: "Burstable" },
    {
      name: "two guaranteed containers",
      pod: aPod().withContainer("a").limitedTo({ cpu: "1", memory: "1Gi" }).withContainer("b").limitedTo({ cpu: "1", memory: "1Gi" }),
      want: "Guaranteed",
    },
  ])("$name → $want", ({ pod, want }) => {
    expect(podQOSClass(pod.build())).toBe(want);
  });
});
