import { describe, expect, it } from "vitest";
import { podInfoFrom } from "../framework/pod-info.js";
import { aPod } from "../testing/builders.js";
import { Nominator } from "./nominator.js";

const withStatus = (name: string, nominatedNodeName: string) => podInfoFrom({ ...aPod(name).json(), status: { nominatedNodeName } });
const keysOn = (n: Nominator, node: string) => [...(n.nominatedPodsForNode(node)?.keys() ?? [])];

describe("Nominator", () => {
  it("keeps pods by the node they are nominated to, and moves a re-nominated pod", () => {
    const n = new Nominator();
    n.add(aPod("a").build(), "n1");
    n.add(aPod("b").build(), "n1");
    n.add(aPod("a").build(), "n2");
    expect(keysOn(n, "n1")).toEqual(["default/b"]);
    expect(keysOn(n, "n2")).toEqual(["default/a"]);
    expect(n.nominatedNodeOf("default/a")).toBe("n2");
  });

  it("takes status.nominatedNodeName when not told a node (a pod listed after a restart)", () => {
    const n = new Nominator();
    n.add(withStatus("a", "n1"));
    expect(n.nominatedNodeOf("default/a")).toBe("n1");
  });

  it("drops a deleted pod, and forgets a node with no pods left", () => {
    const n = new Nominator();
    n.add(aPod("a").build(), "n1");
    n.delete("default/a");
    n.delete("default/never-added");
    expect(n.nominatedNodeOf("default/a")).toBeUndefined();
    expect(n.nominatedPodsForNode("n1")).toBeUndefined();
  });

  it("does not nominate an assigned pod: the cache counts it on its node", () => {
    const n = new Nominator();
    n.add(aPod("a").build(), "n1");
    n.add(aPod("a").nodeName("n2").build(), "n1");
    expect(n.nominatedNodeOf("default/a")).toBeUndefined();
  });

  it.each([
    ["an update before the status write keeps the in-memory nomination", "", "", "n1"],
    ["an update that sets the field follows it", "", "n2", "n2"],
    ["an update that clears the field drops it", "n1", "", undefined],
  ])("%s", (_name, before, after, want) => {
    const n = new Nominator();
    n.add(aPod("a").build(), "n1");
    n.update(before, withStatus("a", after));
    expect(n.nominatedNodeOf("default/a")).toBe(want);
  });
});
