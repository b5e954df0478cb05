import { describe, expect, it } from "vitest";
import type { NodeAgentConfig } from "../config.js";
import { loadFleetConfig } from "./fleet-config.js";

const base = { nodeName: "host-1" } as NodeAgentConfig;

describe("loadFleetConfig", () => {
  it("is undefined for the process runtime", () => {
    expect(loadFleetConfig(base, {})).toBeUndefined();
    expect(loadFleetConfig(base, { CAPSTAN_RUNTIME: "process" })).toBeUndefined();
  });

  it.each([
    { name: "defaults", env: {}, want: { names: ["simulated-node-1", "simulated-node-10"], startMs: 100, startJitterMs: 50, maxStopMs: 500, maxInFlight: 128 } },
    {
      name: "a named fleet with its own timings",
      env: { CAPSTAN_NODE_NAME: "host-1", CAPSTAN_SIMULATED_NODES: "2", CAPSTAN_SIMULATED_START_MS: "0", CAPSTAN_SIMULATED_START_JITTER_MS: "0", CAPSTAN_SIMULATED_MAX_STOP_MS: "0", CAPSTAN_SIMULATED_WRITES_IN_FLIGHT: "16" },
      want: { names: ["host-1-1", "host-1-2"], startMs: 0, startJitterMs: 0, maxStopMs: 0, maxInFlight: 16 },
    },
  ])("simulated: $name", ({ env, want }) => {
    const config = loadFleetConfig(base, { CAPSTAN_RUNTIME: "simulated", ...env })!;
    const { names, ...timings } = want;
    expect([config.nodes[0]!.name, config.nodes.at(-1)!.name]).toEqual(names);
    expect(config).toMatchObject(timings);
  });

  it.each([
    { name: "an unknown runtime", env: { CAPSTAN_RUNTIME: "containerd" }, want: 'CAPSTAN_RUNTIME: Unsupported value "containerd": supported values: "process", "simulated"' },
    { name: "a negative latency", env: { CAPSTAN_RUNTIME: "simulated", CAPSTAN_SIMULATED_START_MS: "-1" }, want: 'CAPSTAN_SIMULATED_START_MS: Invalid value "-1": must be a non-negative integer' },
    { name: "a node count of zero", env: { CAPSTAN_RUNTIME: "simulated", CAPSTAN_SIMULATED_NODES: "0" }, want: "nodeGroups[0].count: must be at least 1" },
  ])("rejects $name", ({ env, want }) => {
    expect(() => loadFleetConfig(base, env)).toThrow(want);
  });
});
