import { describe, expect, it } from "vitest";
import { CycleState } from "../../framework/cycle-state.js";
import { allNodesKey } from "../../framework/framework.js";
import type { NodeScore } from "../../framework/interface.js";
import type { NodeInfo } from "../../framework/node-info.js";
import type { DeepPartial, PodAffinityTerm } from "@capstan/api";
import { aNode, aPod, type PodBuilder } from "../../testing/builders.js";
import { InterPodAffinity } from "./inter-pod-affinity.js";

const zone = (app: string, extra: DeepPartial<PodAffinityTerm> = {}): DeepPartial<PodAffinityTerm> => ({ labelSelector: { matchLabels: { app } }, topologyKey: "zone", ...extra });
const required = (...terms: DeepPartial<PodAffinityTerm>[]) => ({ requiredDuringSchedulingIgnoredDuringExecution: terms });

/** zone A: a1 (runs app=web), a2; zone B: b1; c1 has no zone label. */
function cluster(existing: PodBuilder = aPod("web").labels({ app: "web" })): NodeInfo[] {
  return [
    aNode("a1").labels({ zone: "A" }).withPods(existing.build()),
    aNode("a2").labels({ zone: "A" }),
    aNode("b1").labels({ zone: "B" }),
    aNode("c1"),
  ].map((n) => n.build());
}

function filterAll(pod: PodBuilder, nodes = cluster()): Record<string, string> {
  const plugin = new InterPodAffinity();
  const state = new CycleState();
  const p = pod.build();
  if (plugin.preFilter(state, p, nodes).code === "Skip") return { skip: "Skip" };
  return Object.fromEntries(
    nodes.map((n) => {
      const s = plugin.filter(state, p, n);
      return [n.name, s.code === "Success" ? "ok" : s.reasons.join()];
    }),
  );
}

const AFF = "node(s) didn't match pod affinity rules";
const ANTI = "node(s) didn't match pod anti-affinity rules";
const EXISTING = "node(s) didn't satisfy existing pods anti-affinity rules";

describe("InterPodAffinity.filter", () => {
  it.each<[string, PodBuilder, PodBuilder | undefined, Record<string, string>]>([
    ["nothing asked", aPod(), undefined, { skip: "Skip" }],
    ["affinity: only the zone of a matching pod", aPod().podAffinity("podAffinity", required(zone("web"))), undefined, { a1: "ok", a2: "ok", b1: AFF, c1: AFF }],
    ["affinity: no matching pod anywhere", aPod().podAffinity("podAffinity", required(zone("db"))), undefined, { a1: AFF, a2: AFF, b1: AFF, c1: AFF }],
    ["affinity: the first of a self-affine group goes anywhere with the key", aPod().labels({ app: "db" }).podAffinity("podAffinity", required(zone("db"))), undefined, { a1: "ok", a2: "ok", b1: "ok", c1: AFF }],
    ["affinity: other namespace does not match", aPod().namespace("other").podAffinity("podAffinity", required(zone("web"))), undefined, { a1: AFF, a2: AFF, b1: AFF, c1: AFF }],
    ["affinity: listed namespaces", aPod().namespace("other").podAffinity("podAffinity", required(zone("web", { namespaces: ["default"] }))), undefined, { a1: "ok", a2: "ok", b1: AFF, c1: AFF }],
    ["affinity: empty namespaceSelector means every namespace", aPod().namespace("other").podAffinity("podAffinity", required(zone("web", { namespaceSelector: {} }))), undefined, { a1: "ok", a2: "ok", b1: AFF, c1: AFF }],
    ["anti-affinity: not the zone of a matching pod", aPod().podAffinity("podAntiAffinity", required(zone("web"))), undefined, { a1: ANTI, a2: ANTI, b1: "ok", c1: "ok" }],
    [
      "existing pod's anti-affinity keeps the pod out of its zone",
      aPod().labels({ app: "batch" }),
      aPod("web").labels({ app: "web" }).podAffinity("podAntiAffinity", required(zone("batch"))),
      { a1: EXISTING, a2: EXISTING, b1: "ok", c1: "ok" },
    ],
    [
      "existing pod's anti-affinity for other pods does not apply (nothing left to filter)",
      aPod().labels({ app: "api" }),
      aPod("web").labels({ app: "web" }).podAffinity("podAntiAffinity", required(zone("batch"))),
      { skip: "Skip" },
    ],
  ])("%s", (_name, pod, existing, want) => {
    expect(filterAll(pod, cluster(existing))).toEqual(want);
  });

  it("reports affinity mismatch as unresolvable and anti-affinity as unschedulable", () => {
    const plugin = new InterPodAffinity();
    const nodes = cluster();
    const state = new CycleState();
    const pod = aPod().podAffinity("podAffinity", required(zone("web"))).podAffinity("podAntiAffinity", required({ ...zone("web"), topologyKey: "kubernetes.io/hostname" })).build();
    plugin.preFilter(state, pod, nodes);
    expect(plugin.filter(state, pod, nodes[2]!).code).toBe("UnschedulableAndUnresolvable");
  });
});

describe("InterPodAffinity.score", () => {
  function scoreAll(pod: PodBuilder, nodes = cluster()): number[] {
    const plugin = new InterPodAffinity();
    const state = new CycleState();
    state.write(allNodesKey, nodes);
    const p = pod.build();
    if (plugin.preScore(state, p, nodes).code === "Skip") return [];
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: plugin.score(state, p, n) }));
    plugin.normalizeScore(state, p, scores);
    return scores.map((s) => s.score);
  }
  const preferred = (weight: number, term: DeepPartial<PodAffinityTerm>) => ({ preferredDuringSchedulingIgnoredDuringExecution: [{ weight, podAffinityTerm: term }] });

  it.each<[string, PodBuilder, number[]]>([
    ["nothing preferred", aPod(), []],
    ["preferred affinity favors the zone", aPod().podAffinity("podAffinity", preferred(10, zone("web"))), [100, 100, 0, 0]],
    ["preferred anti-affinity avoids the zone", aPod().podAffinity("podAntiAffinity", preferred(10, zone("web"))), [0, 0, 100, 100]],
  ])("%s", (_name, pod, want) => expect(scoreAll(pod)).toEqual(want));

  it("counts existing pods' required affinity to the incoming pod", () => {
    const nodes = cluster(aPod("web").labels({ app: "web" }).podAffinity("podAffinity", required(zone("cache"))));
    expect(scoreAll(aPod().labels({ app: "cache" }), nodes)).toEqual([100, 100, 0, 0]);
  });
});
