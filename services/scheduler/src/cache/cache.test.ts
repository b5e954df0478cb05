import { describe, expect, it } from "vitest";
import { selectorFromLabelSelector } from "@capstan/apimachinery";
import { NodeListSnapshot, type Snapshot } from "../framework/snapshot.js";
import { aNode, aPod } from "../testing/builders.js";
import { SchedulerCache } from "./cache.js";

type Json = Record<string, unknown>;

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

describe("SchedulerCache indexes answer as a walk over every pod would", () => {
  const anti = (selector: Json, extra: Json = {}) => ({ requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: selector, ...extra }] });
  /** Pods in two namespaces, some with terms of their own, one deleted again, one moved to another node. */
  function cluster(): SchedulerCache {
    const cache = new SchedulerCache();
    for (const n of ["n1", "n2", "n3"]) cache.setNode(aNode(n).json());
    const pods = [
      aPod("web-1").labels({ app: "web", tier: "front" }).nodeName("n1"),
      aPod("web-2").labels({ app: "web", tier: "front" }).nodeName("n2").podAffinity("podAntiAffinity", anti({ matchLabels: { app: "web" } })),
      aPod("db-1").labels({ app: "db" }).nodeName("n2").podAffinity("podAffinity", { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { topologyKey: "zone", labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["web", "cache"] }] } } }] }),
      aPod("other").namespace("other").labels({ app: "web" }).nodeName("n3").podAffinity("podAntiAffinity", anti({ matchLabels: { tier: "front" } }, { namespaceSelector: {} })),
      aPod("any-app").labels({ app: "x" }).nodeName("n1").podAffinity("podAffinity", { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "zone", labelSelector: { matchExpressions: [{ key: "app", operator: "Exists", values: [] }] } }] }),
      aPod("cache-1").labels({ app: "cache" }).nodeName("n3").podAffinity("podAntiAffinity", anti({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["back"] }] })),
      aPod("gone").labels({ app: "web" }).nodeName("n1").podAffinity("podAntiAffinity", anti({ matchLabels: { app: "web" } })),
    ];
    for (const p of pods) cache.setPod(p.json());
    cache.removePod("default/gone");
    cache.assumePod(aPod("assumed").labels({ app: "web" }).podAffinity("podAntiAffinity", anti({ matchLabels: { tier: "front" } })).build(), "n1");
    cache.assumePod(aPod("assumed").labels({ app: "web" }).podAffinity("podAntiAffinity", anti({ matchLabels: { tier: "front" } })).build(), "n3");
    return cache;
  }

  it.each([
    ["matchLabels", { matchLabels: { app: "web" } }, ["default"]],
    ["in, two values", { matchExpressions: [{ key: "app", operator: "In", values: ["web", "db"] }] }, ["default"]],
    ["two labels", { matchLabels: { app: "web", tier: "front" } }, ["default"]],
    ["notin only (no label to look up)", { matchExpressions: [{ key: "app", operator: "NotIn", values: ["db"] }] }, ["default"]],
    ["every namespace", { matchLabels: { app: "web" } }, undefined],
    ["no such label", { matchLabels: { app: "nope" } }, ["default"]],
  ])("pods matching: %s", (_name, labelSelector, namespaces) => {
    const cache = cluster();
    const selector = selectorFromLabelSelector(labelSelector);
    const ns = namespaces && new Set(namespaces);
    const seen = (s: Snapshot) => {
      const out: string[] = [];
      s.forEachPodMatching(ns, selector, (pod, node) => out.push(`${pod.key}@${node.name}`));
      return out.sort();
    };
    expect(seen(cache)).toEqual(seen(new NodeListSnapshot(cache.nodes)));
  });

  it.each([
    ["a web pod", aPod("x").labels({ app: "web", tier: "front" })],
    ["a db pod", aPod("x").labels({ app: "db", tier: "back" })],
    ["a cache pod in another namespace", aPod("x").namespace("other").labels({ app: "cache" })],
    ["an unlabelled pod", aPod("x")],
  ])("terms selecting %s", (_name, pod) => {
    const cache = cluster();
    const incoming = pod.build();
    const seen = (s: Snapshot) => {
      const out: string[] = [];
      s.forEachAffinityTermMatching(incoming, (t, node) => out.push(`${t.pod.key}/${t.kind}@${node.name}`));
      return out.sort();
    };
    expect(seen(cache)).toEqual(seen(new NodeListSnapshot(cache.nodes)));
  });

  it("finds the terms and pods it should, not just the same as the walk", () => {
    const cache = cluster();
    const terms: string[] = [];
    cache.forEachAffinityTermMatching(aPod("x").labels({ app: "web", tier: "front" }).build(), (t, node) => terms.push(`${t.pod.name}/${t.kind}@${node.name}`));
    expect(terms.sort()).toEqual([
      "any-app/requiredAffinity@n1",
      "assumed/requiredAntiAffinity@n3",
      "cache-1/requiredAntiAffinity@n3",
      "db-1/preferredAffinity@n2",
      "other/requiredAntiAffinity@n3",
      "web-2/requiredAntiAffinity@n2",
    ]);
  });
});
