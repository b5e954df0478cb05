import { NodeLeases } from "@capstan/bus";
import { EventRecorder } from "@capstan/client";
import { systemClock } from "@capstan/apimachinery";
import { controller, runControllerProcess } from "@capstan/controller-runtime";
import { loadConfig } from "./config.js";
import { WatchedNodeLeaseTimes } from "./node-lease-times.js";
import { NodeLifecycleReconciler } from "./node-lifecycle-controller.js";
import { NODE_NAME_INDEX, TaintEvictionReconciler, podNodeName, podsOfChangedNode } from "./taint-eviction-controller.js";

/** Watches node heartbeats (leases and status), taints nodes by their conditions, and evicts pods from NoExecute-tainted nodes. */
runControllerProcess("node-lifecycle-controller", ({ client, bus, informer, log }) => {
  const config = loadConfig();
  const leases = new WatchedNodeLeaseTimes(() => NodeLeases.open(bus.nc, bus.prefix), log);
  void leases.start();
  const nodes = informer("Node");
  const pods = informer("Pod");
  pods.addIndexer(NODE_NAME_INDEX, podNodeName);
  const nodeEvents = new EventRecorder(client, { component: "node-controller" }, log);
  const evictionEvents = new EventRecorder(client, { component: "taint-eviction-controller" }, log);
  return [
    controller("node-lifecycle", { workers: 2, log })
      .for(nodes)
      .complete(new NodeLifecycleReconciler(nodes, leases, client, nodeEvents, systemClock, config)),
    controller("taint-eviction", { workers: 4, log })
      .for(pods)
      .watches(nodes, podsOfChangedNode(pods))
      .complete(new TaintEvictionReconciler(pods, nodes, client, evictionEvents, systemClock)),
  ];
});
