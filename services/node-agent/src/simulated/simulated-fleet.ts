import type { Tracer } from "@opentelemetry/api";
import { JetStreamBus, NodeLeases } from "@capstan/bus";
import { podView } from "@capstan/api";
import { createClient, EventRecorder } from "@capstan/client";
import { startReflector } from "@capstan/controller-runtime";
import type { NodeAgentConfig } from "../config.js";
import type { NodeDescription } from "../node-registration.js";
import { PodManager } from "../pod-manager.js";
import type { FleetConfig } from "./fleet-config.js";
import { FleetRegistration } from "./fleet-registration.js";
import { onlyOwnNodes } from "./own-nodes-filter.js";
import { SimulatedRuntime } from "./simulated-runtime.js";

/** A fake InternalIP per node from 172.16.0.0/12, apart from the simulated pods' 10.0.0.0/8. */
export function simulatedNodeIP(i: number): string {
  const host = i + 1;
  return `172.${16 + ((host >>> 16) & 15)}.${(host >>> 8) & 255}.${host & 255}`;
}

/**
 * One process hosting every node of the fleet (DESIGN.md §6 `simulated`): the nodes register and
 * heartbeat as real agents do, and their pods go through the node agent's own PodManager on the
 * SimulatedRuntime. Resolves once every node is registered and the pod watch is up.
 */
export async function startSimulatedFleet(
  config: NodeAgentConfig,
  fleet: FleetConfig,
  tracer: Tracer,
  log: (m: string) => void,
): Promise<() => Promise<void>> {
  const nodes: NodeDescription[] = fleet.nodes.map((n, i) => ({
    ...n,
    internalIP: simulatedNodeIP(i),
    kubeletPort: 0,
    osImage: "capstan simulated runtime",
    containerRuntimeVersion: "simulated://capstan",
  }));
  const nodeIPs = new Map(nodes.map((n) => [n.name, n.internalIP]));
  const client = createClient({ address: config.gateway, actor: "system:node:simulated-fleet" });
  const bus = await JetStreamBus.connect({ url: config.natsUrl, prefix: config.prefix, name: `simulated-fleet-${config.nodeName}` });
  const runtime = new SimulatedRuntime({ startMs: fleet.startMs, startJitterMs: fleet.startJitterMs, maxStopMs: fleet.maxStopMs });
  const recorder = new EventRecorder(client, { component: "kubelet", host: "simulated-fleet" }, log);
  const pods = new PodManager(runtime, client, recorder, tracer, log, {
    hostIP: (pod) => nodeIPs.get(podView(pod).nodeName) ?? "",
    maxStatusWritesInFlight: fleet.maxInFlight,
  });

  // Watch first, then register: a node that reports Ready must already receive the pods bound to it.
  const podReflector = startReflector({ client, bus, kind: "Pod", log }, onlyOwnNodes(new Set(nodeIPs.keys()), pods));
  await podReflector.synced;
  const registration = new FleetRegistration({
    client,
    leases: await NodeLeases.open(bus.nc, config.prefix),
    nodes,
    heartbeatSeconds: config.heartbeatSeconds,
    nodeStatusReportSeconds: config.nodeStatusReportSeconds,
    maxInFlight: fleet.maxInFlight,
    log,
  });
  const nodeReflector = startReflector({ client, bus, kind: "Node", log }, registration);
  await nodeReflector.synced;
  await registration.register();
  registration.start();
  log(`running pods of ${nodes.length} simulated nodes (start ${fleet.startMs}+${fleet.startJitterMs} ms)`);

  return async () => {
    registration.stop();
    await nodeReflector.stop();
    await podReflector.stop();
    await runtime.shutdown();
    await bus.close();
    client.close();
  };
}
