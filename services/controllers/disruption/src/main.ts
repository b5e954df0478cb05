import { budgetsSelecting } from "@capstan/api";
import { EventRecorder } from "@capstan/client";
import { controller, metadataOf, objectKey, runControllerProcess } from "@capstan/controller-runtime";
import { DisruptionReconciler } from "./disruption-controller.js";

/** Keeps every PodDisruptionBudget's count of allowed disruptions in step with its pods and their controllers' scale. */
runControllerProcess("disruption-controller", ({ client, informer, log }) => {
  const budgets = informer("PodDisruptionBudget");
  const pods = informer("Pod");
  const replicaSets = informer("ReplicaSet");
  const deployments = informer("Deployment");
  const statefulSets = informer("StatefulSet");
  const replicationControllers = informer("ReplicationController");
  const recorder = new EventRecorder(client, { component: "controllermanager" }, log);
  // A scale change moves the expected count of the budgets whose pods that controller owns: all of its namespace's, cheaply.
  const budgetsOfNamespace = (o: Record<string, unknown>) => budgets.list(metadataOf(o).namespace ?? "").map(objectKey);
  return [
    controller("disruption", { workers: 2, log })
      .for(budgets)
      .watches(pods, (pod) => budgetsSelecting(pod, budgets.list(metadataOf(pod).namespace ?? "")).map(objectKey))
      .watches(replicaSets, budgetsOfNamespace)
      .watches(deployments, budgetsOfNamespace)
      .watches(statefulSets, budgetsOfNamespace)
      .watches(replicationControllers, budgetsOfNamespace)
      .complete(new DisruptionReconciler({ budgets, pods, replicaSets, deployments, statefulSets, replicationControllers }, client, recorder)),
  ];
});
