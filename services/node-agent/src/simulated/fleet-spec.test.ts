import { describe, expect, it } from "vitest";
import { isCapstanError } from "@capstan/apimachinery";
import { loadFleetSpec } from "./fleet-spec.js";

const fromFile = (text: string) => loadFleetSpec("fleet.yaml", "sim-", () => text);

describe("loadFleetSpec", () => {
  it("a count makes one group of default nodes", () => {
    const nodes = loadFleetSpec("3", "sim-");
    expect(nodes.map((n) => n.name)).toEqual(["sim-1", "sim-2", "sim-3"]);
    expect(nodes[0]).toMatchObject({ capacity: { cpu: "32", pods: "110" }, labels: {}, taints: [] });
  });

  it("a YAML file describes groups with capacity, zone, labels and taints", () => {
    const nodes = fromFile(`
nodeGroups:
  - namePrefix: big-
    count: 2
    zone: zone-a
    capacity: { cpu: "64", memory: 512Gi }
    labels: { pool: big }
    taints: [{ key: dedicated, value: batch, effect: NoSchedule }]
  - namePrefix: small-
    count: 1
`);
    expect(nodes.map((n) => n.name)).toEqual(["big-1", "big-2", "small-1"]);
    expect(nodes[1]).toEqual({
      name: "big-2",
      capacity: { cpu: "64", memory: "512Gi", pods: "110", "ephemeral-storage": "100Gi" },
      labels: { "topology.kubernetes.io/zone": "zone-a", pool: "big" },
      taints: [{ key: "dedicated", value: "batch", effect: "NoSchedule" }],
    });
  });

  it("reads JSON too", () => {
    expect(fromFile(`{"nodeGroups":[{"namePrefix":"j-","count":1}]}`).map((n) => n.name)).toEqual(["j-1"]);
  });

  it.each([
    { name: "count zero", spec: "nodeGroups: [{ namePrefix: a-, count: 0 }]", want: "nodeGroups[0].count: must be at least 1" },
    { name: "count not a number", spec: "nodeGroups: [{ namePrefix: a-, count: many }]", want: "nodeGroups[0].count: Expected number, received string" },
    { name: "a bad quantity", spec: "nodeGroups: [{ namePrefix: a-, count: 1, capacity: { cpu: lots } }]", want: "nodeGroups[0].capacity.cpu: must be a quantity" },
    { name: "an unknown field", spec: "nodeGroups: [{ namePrefix: a-, count: 1, colour: red }]", want: "nodeGroups[0]: Unrecognized key(s) in object: 'colour'" },
    { name: "an unknown taint effect", spec: "nodeGroups: [{ namePrefix: a-, count: 1, taints: [{ key: k, effect: Sometimes }] }]", want: "nodeGroups[0].taints[0].effect: Invalid enum value" },
    { name: "upper-case node names", spec: "nodeGroups: [{ namePrefix: Big-, count: 1 }]", want: 'nodeGroups[0].namePrefix: node names such as "Big-1" must be lowercase RFC 1123 subdomains' },
    { name: "two groups with one prefix", spec: "nodeGroups: [{ namePrefix: a-, count: 1 }, { namePrefix: a-, count: 2 }]", want: "nodeGroups[1].namePrefix: duplicates nodeGroups[0].namePrefix" },
    { name: "an invalid label", spec: "nodeGroups: [{ namePrefix: a-, count: 1, labels: { 'bad key!': x } }]", want: "nodeGroups[0].labels" },
    { name: "no groups", spec: "nodeGroups: []", want: "nodeGroups: must name at least one node group" },
  ])("rejects $name, naming the field", ({ spec, want }) => {
    let error: unknown;
    try {
      fromFile(spec);
    } catch (e) {
      error = e;
    }
    expect(isCapstanError(error, "Invalid")).toBe(true);
    expect((error as Error).message).toContain("CAPSTAN_SIMULATED_NODES (fleet.yaml) is invalid");
    expect((error as Error).message).toContain(want);
  });

  it("a path that cannot be read says what the variable may hold", () => {
    expect(() => loadFleetSpec("/nonexistent/fleet.yaml", "sim-")).toThrow(/must be a node count or a readable JSON\/YAML file/);
  });
});
