import { nonNegative, type NodeAgentConfig } from "../config.js";
import { loadFleetSpec, type SimulatedNodeSpec } from "./fleet-spec.js";

export interface FleetConfig {
  readonly nodes: readonly SimulatedNodeSpec[];
  /** CAPSTAN_SIMULATED_START_MS: a pod's time from ContainerCreating to Running. */
  readonly startMs: number;
  /** CAPSTAN_SIMULATED_START_JITTER_MS: up to this much more, at random. */
  readonly startJitterMs: number;
  /** CAPSTAN_SIMULATED_MAX_STOP_MS: a deleted pod stops after its grace period or this, whichever is shorter. */
  readonly maxStopMs: number;
  /** CAPSTAN_SIMULATED_WRITES_IN_FLIGHT: pod status writes, and lease renewals and Node writes, in flight at most. */
  readonly maxInFlight: number;
}

/**
 * The simulated fleet's settings when CAPSTAN_RUNTIME is "simulated"; undefined for the process
 * runtime. CAPSTAN_SIMULATED_NODES is a node count (nodes `<CAPSTAN_NODE_NAME or simulated-node>-1..N`)
 * or a JSON/YAML node group spec file.
 */
export function loadFleetConfig(base: NodeAgentConfig, env: NodeJS.ProcessEnv = process.env): FleetConfig | undefined {
  const runtime = env["CAPSTAN_RUNTIME"] || "process";
  if (runtime === "process") return undefined;
  if (runtime !== "simulated") throw new Error(`CAPSTAN_RUNTIME: Unsupported value "${runtime}": supported values: "process", "simulated"`);
  const prefix = `${env["CAPSTAN_NODE_NAME"] ? base.nodeName : "simulated-node"}-`;
  return {
    nodes: loadFleetSpec(env["CAPSTAN_SIMULATED_NODES"] || "10", prefix),
    startMs: nonNegative(env, "CAPSTAN_SIMULATED_START_MS", 100),
    startJitterMs: nonNegative(env, "CAPSTAN_SIMULATED_START_JITTER_MS", 50),
    maxStopMs: nonNegative(env, "CAPSTAN_SIMULATED_MAX_STOP_MS", 500),
    maxInFlight: Math.max(1, nonNegative(env, "CAPSTAN_SIMULATED_WRITES_IN_FLIGHT", 128)),
  };
}
