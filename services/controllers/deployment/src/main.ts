import { EventRecorder } from "@capstan/client";
import { controller, runControllerProcess } from "@capstan/controller-runtime";
import { DeploymentReconciler } from "./deployment-controller.js";

/** Rolls Deployments out through ReplicaSets (one process, one lease). */
runControllerProcess("deployment-controller", ({ client, informer, log }) => {
  const deployments = informer("Deployment");
  const replicaSets = informer("ReplicaSet");
  const recorder = new EventRecorder(client, { component: "deployment-controller" }, log);
  return [controller("deployment", { workers: 4, log }).for(deployments).owns(replicaSets).complete(new DeploymentReconciler(deployments, replicaSets, client, recorder))];
});
