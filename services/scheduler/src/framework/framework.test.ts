import { describe, expect, it } from "vitest";
import { Nominator } from "../queue/nominator.js";
import { aNode, aPod } from "../testing/builders.js";
import { CycleState } from "./cycle-state.js";
import { Framework, type FrameworkPlugins } from "./framework.js";
import type { BindPlugin, FilterPlugin, PermitPlugin, PreBindPlugin, PreFilterPlugin, ReservePlugin, ScorePlugin } from "./interface.js";
import { SKIP, SUCCESS, errorStatus, unschedulable, type Status } from "./status.js";

const none: FrameworkPlugins = { preFilter: [], filter: [], postFilter: [], preScore: [], score: [], reserve: [], permit: [], preBind: [], bind: [] };
const pod = aPod().build();
const node = aNode("n1").build();

describe("Framework", () => {
  it("stops at the first rejecting filter and names it", () => {
    const calls: string[] = [];
    const filter = (name: string, s: Status): FilterPlugin => ({ name, filter: () => (calls.push(name), s) });
    const fwk = new Framework("t", { ...none, filter: [filter("A", SUCCESS), filter("B", unschedulable("no")), filter("C", SUCCESS)] });
    expect(fwk.runFilter(new CycleState(), pod, node)).toEqual({ code: "Unschedulable", reasons: ["no"], plugin: "B" });
    expect(calls).toEqual(["A", "B"]);
  });

  it("filters a node with nominated pods twice: with those of no lower priority, then without any", () => {
    const seen: string[][] = [];
    const filter: FilterPlugin = { name: "F", filter: (_s, _p, n) => (seen.push([...n.pods.keys()]), SUCCESS) };
    const nominator = new Nominator();
    nominator.add(aPod("higher").priority(10).build(), "n1");
    nominator.add(aPod("lower").priority(1).build(), "n1");
    const fwk = new Framework("t", { ...none, filter: [filter] }, nominator);
    const incoming = aPod("incoming").priority(5).build();
    expect(fwk.runFilterWithNominatedPods(new CycleState(), incoming, aNode("n1").withPods(aPod("running").build()).build())).toBe(SUCCESS);
    expect(seen).toEqual([["default/running", "default/higher"], ["default/running"]]);
    seen.length = 0;
    fwk.runFilterWithNominatedPods(new CycleState(), incoming, aNode("n2").build());
    expect(seen).toEqual([[]]);
  });

  it("rejects when either pass rejects, and does not count the pod's own nomination", () => {
    const nominator = new Nominator();
    const self = aPod("self").priority(5).build();
    nominator.add(self, "n1");
    const rejectAnyPod: FilterPlugin = { name: "Empty", filter: (_s, _p, n) => (n.pods.size === 0 ? SUCCESS : unschedulable("not empty")) };
    const fwk = new Framework("t", { ...none, filter: [rejectAnyPod] }, nominator);
    expect(fwk.runFilterWithNominatedPods(new CycleState(), self, node).code).toBe("Success");
    nominator.add(aPod("peer").priority(5).build(), "n1");
    expect(fwk.runFilterWithNominatedPods(new CycleState(), self, node)).toMatchObject({ code: "Unschedulable", plugin: "Empty" });
  });

  it("leaves out the Filter of a plugin whose PreFilter said Skip", () => {
    const plugin: PreFilterPlugin & FilterPlugin = { name: "S", preFilter: () => SKIP, filter: () => unschedulable("ran") };
    const fwk = new Framework("t", { ...none, preFilter: [plugin], filter: [plugin] });
    const state = new CycleState();
    expect(fwk.runPreFilter(state, pod, [node]).code).toBe("Success");
    expect(fwk.runFilter(state, pod, node).code).toBe("Success");
  });

  it("sums normalized scores times weights", () => {
    const fixed = (name: string, by: Record<string, number>): ScorePlugin => ({ name, score: (_s, _p, n) => by[n.name]! });
    const nodes = [aNode("a").build(), aNode("b").build()];
    const fwk = new Framework("t", { ...none, score: [{ plugin: fixed("X", { a: 10, b: 50 }), weight: 2 }, { plugin: fixed("Y", { a: 100, b: 0 }), weight: 1 }] });
    expect(fwk.runScore(new CycleState(), pod, nodes)).toEqual([{ name: "a", score: 120 }, { name: "b", score: 100 }]);
  });

  it("refuses a score outside 0..100", () => {
    const fwk = new Framework("t", { ...none, score: [{ plugin: { name: "Bad", score: () => 101 }, weight: 1 }] });
    expect(() => fwk.runScore(new CycleState(), pod, [node])).toThrow(/Bad scored node n1 101/);
  });

  it("unreserves in reverse order", () => {
    const calls: string[] = [];
    const reserve = (name: string): ReservePlugin => ({ name, reserve: () => (calls.push(`+${name}`), SUCCESS), unreserve: () => void calls.push(`-${name}`) });
    const fwk = new Framework("t", { ...none, reserve: [reserve("A"), reserve("B")] });
    const state = new CycleState();
    fwk.runReserve(state, pod, "n1");
    fwk.runUnreserve(state, pod, "n1");
    expect(calls).toEqual(["+A", "+B", "-B", "-A"]);
  });

  it("treats a Permit Wait as a rejection (waiting is not supported)", () => {
    const permit: PermitPlugin = { name: "Gang", permit: () => ({ code: "Wait", reasons: [] }) };
    expect(new Framework("t", { ...none, permit: [permit] }).runPermit(new CycleState(), pod, "n1")).toMatchObject({ code: "Unschedulable", plugin: "Gang" });
  });

  it("runs PreBind plugins in order until one does not succeed", async () => {
    const ran: string[] = [];
    const preBinder = (name: string, s: Status): PreBindPlugin => ({ name, preBind: async () => (ran.push(name), s) });
    const fwk = new Framework("t", { ...none, preBind: [preBinder("Skipper", SKIP), preBinder("Volumes", errorStatus("timed out")), preBinder("Never", SUCCESS)] });
    expect(await fwk.runPreBind(new CycleState(), pod, "n1")).toMatchObject({ code: "Error", reasons: ["timed out"], plugin: "Volumes" });
    expect(ran).toEqual(["Skipper", "Volumes"]);
    expect(await new Framework("t", none).runPreBind(new CycleState(), pod, "n1")).toEqual(SUCCESS);
  });

  it("binds with the first binder that does not Skip", async () => {
    const bound: string[] = [];
    const binder = (name: string, s: Status): BindPlugin => ({ name, bind: async () => (bound.push(name), s) });
    const fwk = new Framework("t", { ...none, bind: [binder("Skipper", SKIP), binder("Real", SUCCESS), binder("Never", SUCCESS)] });
    expect(await fwk.runBind(new CycleState(), pod, "n1")).toEqual({ ...SUCCESS, plugin: "Real" });
    expect(bound).toEqual(["Skipper", "Real"]);
    expect((await new Framework("t", none).runBind(new CycleState(), pod, "n1")).code).toBe("Error");
  });
});
