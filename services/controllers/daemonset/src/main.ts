import { EventRecorder } from "@capstan/client";
import { controller, controllerRefOf, metadataOf, objectKey, runControllerProcess } from "@capstan/controller-runtime";
import { DaemonSetReconciler } from "./daemon-set-controller.js";
import { ORPHAN_PODS_INDEX, orphanPodsByNamespace } from "./pod-claims.js";

/** Runs one pod of each DaemonSet on every eligible node, following nodes as they come, go and change. */
runControllerProcess("daemonset-controller", ({ client, informer, log }) => {
  const daemonSets = informer("DaemonSet");
  const nodes = informer("Node");
  const pods = informer("Pod");
  pods.addIndexer(ORPHAN_PODS_INDEX, orphanPodsByNamespace);
  const revisions = informer("ControllerRevision");
  const recorder = new EventRecorder(client, { component: "daemonset-controller" }, log);
  return [
    controller("daemonset", { workers: 4, log })
      .for(daemonSets)
      .owns(pods)
      .owns(revisions)
      // A node that joins, leaves or changes its labels or taints may change where every DaemonSet runs.
      .watches(nodes, () => daemonSets.list().map(objectKey))
      // An orphan pod wakes the DaemonSets of its namespace, so the one that selects it adopts it.
      .watches(pods, (pod) => (controllerRefOf(pod) ? [] : daemonSets.list(metadataOf(pod).namespace ?? "").map(objectKey)))
      .complete(new DaemonSetReconciler({ daemonSets, nodes, pods, revisions }, client, recorder)),
  ];
});
