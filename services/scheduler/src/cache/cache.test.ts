import { describe, expect, it } from "vitest";
import { aNode, aPod } from "../testing/builders.js";
import { SchedulerCache } from "./cache.js";

const bound = (name: string, node: string, cpu = "500m") => aPod(name).requests({ cpu }).nodeName(node).json();
const cpuOn = (cache: SchedulerCache, node: string) => cache.nodeInfo(node)?.requested.milliCpu;

describe("SchedulerCache", () => {
  it("counts bound pods on their nodes, even when the pod was seen first", () => {
    const cache = new SchedulerCache();
    cache.setPod(bound("a", "n1"));
    cache.setNode(aNode("n1").json());
    cache.setPod(bound("b", "n1"));
    expect(cpuOn(cache, "n1")).toBe(1000);
    expect(cache.nodeInfo("n1")?.pods.size).toBe(2);
  });

  it("keeps an assumed pod until its binding is observed, and through an older unbound event", () => {
    const cache = new SchedulerCache();
    cache.setNode(aNode("n1").json());
    const pod = aPod("a").requests({ cpu: "500m" });
    cache.assumePod(pod.build(), "n1");
    expect(cpuOn(cache, "n1")).toBe(500);
    cache.setPod(pod.json());
    expect(cpuOn(cache, "n1")).toBe(500);
    cache.setPod(bound("a", "n1"));
    expect(cache.isAssumed("default/a")).toBe(false);
    cache.forgetPod("default/a");
    expect(cpuOn(cache, "n1")).toBe(500);
  });

  it("forgets an assumption when the bind fails", () => {
    const cache = new SchedulerCache();
    cache.setNode(aNode("n1").json());
    cache.assumePod(aPod("a").requests({ cpu: "500m" }).build(), "n1");
    cache.forgetPod("default/a");
    expect(cpuOn(cache, "n1")).toBe(0);
  });

  it.each([
    ["deleted", (c: SchedulerCache) => c.removePod("default/a")],
    ["finished", (c: SchedulerCache) => c.setPod({ ...bound("a", "n1"), status: { phase: "Succeeded" } })],
  ])("stops counting a pod once it is %s", (_name, change) => {
    const cache = new SchedulerCache();
    cache.setNode(aNode("n1").json());
    cache.setPod(bound("a", "n1"));
    change(cache);
    expect(cpuOn(cache, "n1")).toBe(0);
  });

  it("moves a pod's usage when an update changes it", () => {
    const cache = new SchedulerCache();
    cache.setNode(aNode("n1").json());
    cache.setPod(bound("a", "n1", "500m"));
    cache.setPod(bound("a", "n1", "1"));
    expect(cpuOn(cache, "n1")).toBe(1000);
  });

  it("keeps usage across a node update and drops the node on delete", () => {
    const cache = new SchedulerCache();
    cache.setNode(aNode("n1").json());
    cache.setPod(bound("a", "n1"));
    cache.setNode(aNode("n1").labels({ zone: "a" }).json());
    expect([cpuOn(cache, "n1"), cache.nodeInfo("n1")?.node.labels]).toEqual([500, { zone: "a" }]);
    cache.deleteNode("n1");
    expect(cache.nodes).toEqual([]);
  });

  it("counts on how many nodes each image is", () => {
    const cache = new SchedulerCache();
    cache.setNode(aNode("n1").image(100, "app:1").json());
    cache.setNode(aNode("n2").image(100, "app:1").image(5, "tool:1").json());
    cache.nodes;
    expect(cache.nodeInfo("n1")?.node.images.get("app:1")?.numNodes).toBe(2);
    expect(cache.nodeInfo("n2")?.node.images.get("tool:1")?.numNodes).toBe(1);
  });

  it("a relist replaces observed pods and keeps assumptions", () => {
    const cache = new SchedulerCache();
    cache.setNode(aNode("n1").json());
    cache.setPod(bound("gone", "n1"));
    cache.assumePod(aPod("assumed").requests({ cpu: "1" }).build(), "n1");
    cache.replacePods([bound("kept", "n1", "250m")]);
    expect(cpuOn(cache, "n1")).toBe(1250);
  });
});
