import { controller, objectKey, runControllerProcess } from "@capstan/controller-runtime";
import { DaemonSetReconciler } from "./daemon-set-controller.js";

/** Runs one pod of each DaemonSet on every eligible node, following nodes as they come, go and change. */
runControllerProcess("daemonset-controller", ({ client, informer, log }) => {
  const daemonSets = informer("DaemonSet");
  const nodes = informer("Node");
  const pods = informer("Pod");
  const revisions = informer("ControllerRevision");
  return [
    controller("daemonset", { workers: 4, log })
      .for(daemonSets)
      .owns(pods)
      .owns(revisions)
      // A node that joins, leaves or changes its labels or taints may change where every DaemonSet runs.
      .watches(nodes, () => daemonSets.list().map(objectKey))
      .complete(new DaemonSetReconciler({ daemonSets, nodes, pods, revisions }, client)),
  ];
});
