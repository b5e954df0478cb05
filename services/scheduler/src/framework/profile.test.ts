import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VolumeCache } from "../cache/volume-cache.js";
import { DEFAULT_PLUGINS, registry, type Handle } from "../plugins/registry.js";
import { Nominator } from "../queue/nominator.js";
import { immediateClaimBinder } from "../testing/pod-scheduler.js";
import { readSchedulerConfiguration, resolveProfile, type ProfileConfig } from "./profile.js";

const handle: Handle = { bindPod: async () => {}, nodeCount: () => 0, volumes: new VolumeCache(), claimBinder: immediateClaimBinder, runFilter: () => ({ code: "Error", reasons: ["unused"] }), nominator: new Nominator(), evictPod: () => {} };
const resolve = (config: ProfileConfig) => resolveProfile(config, "default-scheduler", DEFAULT_PLUGINS, registry, handle);
const names = (refs: readonly { name: string }[]) => refs.map((r) => r.name);

describe("resolveProfile", () => {
  it("defaults to kube-scheduler's default profile for the plugins that exist", () => {
    const p = resolve({});
    expect(p.schedulerName).toBe("default-scheduler");
    expect(names(p.plugins.queueSort)).toEqual(["PrioritySort"]);
    expect(names(p.plugins.filter)).toEqual(["NodeReady", "NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit", "VolumeBinding", "PodTopologySpread", "InterPodAffinity"]);
    expect(names(p.plugins.preFilter)).toEqual(["NodeAffinity", "NodeResourcesFit", "VolumeBinding", "PodTopologySpread", "InterPodAffinity"]);
    expect(p.plugins.score).toEqual([
      { name: "TaintToleration", weight: 3 },
      { name: "NodeAffinity", weight: 2 },
      { name: "NodeResourcesFit", weight: 1 },
      { name: "PodTopologySpread", weight: 2 },
      { name: "InterPodAffinity", weight: 2 },
      { name: "NodeResourcesBalancedAllocation", weight: 1 },
      { name: "ImageLocality", weight: 1 },
    ]);
    expect(names(p.plugins.postFilter)).toEqual(["DefaultPreemption"]);
    expect(names(p.plugins.bind)).toEqual(["DefaultBinder"]);
  });

  it.each<[string, ProfileConfig, (p: ReturnType<typeof resolve>) => unknown, unknown]>([
    ["a named profile", { schedulerName: "packer" }, (p) => p.schedulerName, "packer"],
    ["multiPoint disable", { plugins: { multiPoint: { disabled: [{ name: "NodePorts" }] } } }, (p) => names(p.plugins.filter).includes("NodePorts"), false],
    ["multiPoint re-weight", { plugins: { multiPoint: { enabled: [{ name: "ImageLocality", weight: 5 }] } } }, (p) => p.plugins.score.find((r) => r.name === "ImageLocality")?.weight, 5],
    ["score-only disable keeps the filter", { plugins: { score: { disabled: [{ name: "TaintToleration" }] } } }, (p) => [names(p.plugins.filter).includes("TaintToleration"), names(p.plugins.score).includes("TaintToleration")], [true, false]],
    ["disable all scores", { plugins: { score: { disabled: [{ name: "*" }] } } }, (p) => p.plugins.score.length, 0],
    [
      "enabled at a point runs first with its weight",
      { plugins: { score: { enabled: [{ name: "NodeResourcesFit", weight: 7 }] } } },
      (p) => p.plugins.score[0],
      { name: "NodeResourcesFit", weight: 7 },
    ],
  ])("%s", (_name, config, pick, want) => {
    expect(pick(resolve(config))).toEqual(want);
  });

  it.each<[string, ProfileConfig, RegExp]>([
    ["unknown plugin", { plugins: { multiPoint: { enabled: [{ name: "Nope" }] } } }, /unknown plugin Nope/],
    ["plugin without that extension point", { plugins: { score: { enabled: [{ name: "NodePorts" }] } } }, /NodePorts has no score extension/],
  ])("rejects %s", (_name, config, error) => {
    expect(() => resolve(config)).toThrow(error);
  });

  it("passes pluginConfig args to the plugin", () => {
    const p = resolve({ pluginConfig: [{ name: "NodeResourcesFit", args: { scoringStrategy: { type: "MostAllocated" } } }] });
    expect(p.args.get("NodeResourcesFit")).toEqual({ scoringStrategy: { type: "MostAllocated" } });
  });
});

describe("readSchedulerConfiguration", () => {
  const file = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), "sched-config-")), "config.yaml");
    writeFileSync(path, text);
    return path;
  };

  it.each<[string, string | undefined, unknown]>([
    ["no file: defaults", undefined, {}],
    ["JSON", file('{"percentageOfNodesToScore": 30, "profiles": [{"schedulerName": "a"}]}'), { percentageOfNodesToScore: 30, profiles: [{ schedulerName: "a" }] }],
  ])("%s", (_name, path, want) => expect(readSchedulerConfiguration(path)).toEqual(want));

  it.each([
    ["YAML-only syntax", "percentageOfNodesToScore: 30\n", /not JSON/],
    ["a percentage out of range", '{"percentageOfNodesToScore": 130}', /0\.\.100/],
    ["not an object", "[]", /expected an object/],
  ])("rejects %s", (_name, text, error) => expect(() => readSchedulerConfiguration(file(text))).toThrow(error));
});
