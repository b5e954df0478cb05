import type { AddressInfo } from "node:net";
import { JetStreamBus, NodeLeases } from "@capstan/bus";
import { createClient, EventRecorder, startReflector } from "@capstan/client";
import { runService } from "@capstan/telemetry";
import { loadConfig } from "./config.js";
import { createLogServer } from "./log-server.js";
import { NodeRegistration } from "./node-registration.js";
import { PodManager } from "./pod-manager.js";
import { createProcessRuntime } from "./runtime/index.js";
import { loadFleetConfig } from "./simulated/fleet-config.js";
import { startSimulatedFleet } from "./simulated/simulated-fleet.js";

const log = (message: string) => console.log(message);

runService(
  "node-agent",
  async ({ telemetry }) => {
    const config = loadConfig();
    const fleet = loadFleetConfig(config);
    if (fleet) return startSimulatedFleet(config, fleet, telemetry.tracer, log);
    const client = createClient({ address: config.gateway, actor: `system:node:${config.nodeName}` });
    const bus = await JetStreamBus.connect({ url: config.natsUrl, prefix: config.prefix, name: `node-agent-${config.nodeName}` });
    const runtime = createProcessRuntime({ stateDir: config.stateDir, podIPBase: config.podIPBase });
    const recorder = new EventRecorder(client, { component: "kubelet", host: config.nodeName }, log);
    const pods = new PodManager(runtime, client, recorder, telemetry.tracer, log, { hostIP: () => "127.0.0.1", maxStatusWritesInFlight: 32 });

    const server = createLogServer(runtime, (ns, name) => pods.uidFor(ns, name));
    await new Promise<void>((resolve) => server.listen(config.port, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;

    // Watch first, then register: a node that reports Ready must already receive the pods bound to it.
    const reflector = startReflector({ client, bus, kind: "Pod", nodeName: config.nodeName, log }, pods);
    await reflector.synced;
    const leases = await NodeLeases.open(bus.nc, config.prefix);
    const registration = new NodeRegistration(client, leases, config, port, log);
    await registration.register();
    registration.start();
    log(`running pods (state in ${config.stateDir}, logs on 127.0.0.1:${port})`);

    return async () => {
      registration.stop();
      await reflector.stop();
      await runtime.shutdown();
      server.close();
      await bus.close();
      client.close();
    };
  },
  () => ({ instanceId: loadConfig().nodeName }),
);
