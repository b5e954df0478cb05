import type { AddressInfo } from "node:net";
import { ConfigMap, metaOf, Secret, Service } from "@capstan/api";
import { JetStreamBus, NodeLeases } from "@capstan/bus";
import { createClient, EventRecorder, type JsonObject } from "@capstan/client";
import { createInformer, startReflector } from "@capstan/controller-runtime";
import { runService } from "@capstan/telemetry";
import { loadConfig } from "./config.js";
import { EndpointRemovalWatch } from "./endpoint-removal.js";
import { serveExec } from "./exec-server.js";
import { createLogServer } from "./log-server.js";
import { NodeRegistration } from "./node-registration.js";
import { PodManager } from "./pod-manager.js";
import { StaticPodManager } from "./static-pods/static-pod-manager.js";
import { holdServiceCIDRRoute, Proxier } from "./proxy/index.js";
import { createProcessRuntime, loadImageAliases } from "./runtime/index.js";
import { loadFleetConfig } from "./simulated/fleet-config.js";
import { startSimulatedFleet } from "./simulated/simulated-fleet.js";

const log = (message: string) => console.log(message);
const fromCache = <T>(json: object | undefined, decode: (o: object) => T): T | undefined => (json ? decode(json) : undefined);

runService(
  "node-agent",
  async ({ telemetry }) => {
    const config = loadConfig();
    const fleet = loadFleetConfig(config);
    if (fleet) return startSimulatedFleet(config, fleet, telemetry.tracer, log);
    // A bad alias file stops the agent here, before it takes any pod.
    const imageAliases = config.imageCatalog ? loadImageAliases(config.imageCatalog) : undefined;
    // Shared by the agents on this host: the last one to stop removes it.
    const serviceCIDRRoute = await holdServiceCIDRRoute(config.serviceCIDR);
    if (serviceCIDRRoute) log(`service CIDR ${config.serviceCIDR} is local on this host`);
    const client = createClient({ address: config.gateway, actor: `system:node:${config.nodeName}` });
    const bus = await JetStreamBus.connect({ url: config.natsUrl, prefix: config.prefix, name: `node-agent-${config.nodeName}` });
    // One Service informer for the proxy and the containers' service variables.
    const services = createInformer({ client, bus, kind: "Service", log }).start();
    // The ConfigMaps and Secrets containers take env and volumes from, as the kubelet's managers watch them.
    const configMaps = createInformer({ client, bus, kind: "ConfigMap", log }).start();
    const secrets = createInformer({ client, bus, kind: "Secret", log }).start();
    const runtime = createProcessRuntime({
      stateDir: config.stateDir,
      podIPBase: config.podIPBase,
      imagePullBackoffBaseMs: config.imagePullBackoffBaseMs,
      ...(imageAliases ? { catalog: { aliases: imageAliases } } : {}),
      dns: { servers: [config.clusterDNS], domain: config.clusterDomain },
      services: (namespace) => services.list(namespace).map((o) => Service.fromJSON(o)),
      configObjects: {
        configMap: (namespace, name) => fromCache(configMaps.get(namespace, name), ConfigMap.fromJSON),
        secret: (namespace, name) => fromCache(secrets.get(namespace, name), Secret.fromJSON),
      },
      node: { hostIP: config.nodeIP, allocatable: config.capacity },
    });
    // A ConfigMap or Secret volume follows its object, as the kubelet's volume manager updates it.
    for (const informer of [configMaps, secrets]) {
      const changed = (o: JsonObject) => runtime.configObjectsChanged(metaOf(o).namespace);
      informer.addEventHandler({ onAdd: changed, onUpdate: (_old, o) => changed(o), onDelete: changed });
    }
    const recorder = new EventRecorder(client, { component: "kubelet", host: config.nodeName }, log);
    // Static pods run from their files at once, whether or not the API answers.
    const staticPods = config.staticPodDir
      ? new StaticPodManager(runtime, client, {
          dir: config.staticPodDir,
          nodeName: config.nodeName,
          hostIP: config.nodeIP,
          rescanMs: config.staticPodRescanSeconds * 1000,
          recorder,
          log,
        })
      : undefined;
    await staticPods?.start();
    // One EndpointSlice informer for the proxy and for holding a deleted endpoint's SIGTERM until it is marked not ready.
    const endpointSlices = createInformer({ client, bus, kind: "EndpointSlice", log });
    const pods = new PodManager(runtime, client, recorder, telemetry.tracer, log, {
      hostIP: () => config.nodeIP,
      maxStatusWritesInFlight: 32,
      endpointRemovals: new EndpointRemovalWatch(endpointSlices),
      ...(staticPods ? { staticPods } : {}),
    });

    const server = createLogServer(runtime, (ns, name) => pods.uidFor(ns, name) ?? staticPods?.uidFor(ns, name));
    serveExec(server, runtime, (ns, name) => pods.uidFor(ns, name) ?? staticPods?.uidFor(ns, name), log);
    await new Promise<void>((resolve) => server.listen(config.port, config.nodeIP, resolve));
    const port = (server.address() as AddressInfo).port;

    // Containers get the variables of the Services that exist when they start: know them before any pod.
    await Promise.all([services.synced, configMaps.synced, secrets.synced]);
    // Watch first, then register: a node that reports Ready must already receive the pods bound to it.
    const reflector = startReflector({ client, bus, kind: "Pod", nodeName: config.nodeName, log }, pods);
    const proxier = new Proxier({
      nodeIP: config.nodeIP,
      services,
      endpointSlices,
      meter: telemetry.meter,
      udpIdleTimeoutMs: config.proxyUDPIdleTimeoutMs,
      log,
    });
    await Promise.all([reflector.synced, proxier.start()]);
    const leases = await NodeLeases.open(bus.nc, config.prefix);
    const registration = new NodeRegistration(client, leases, config, port, log);
    await registration.register();
    registration.start();
    log(`running pods (state in ${config.stateDir}, logs on ${config.nodeIP}:${port}, proxying services)`);

    return async () => {
      registration.stop();
      // First, so another agent on this host takes over the shared service addresses while pods stop.
      await proxier.stop();
      await serviceCIDRRoute?.release();
      await reflector.stop();
      staticPods?.stop();
      await runtime.shutdown();
      server.close();
      await bus.close();
      client.close();
    };
  },
  () => ({ instanceId: loadConfig().nodeName }),
);
