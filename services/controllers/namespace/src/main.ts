import { controller, runControllerProcess } from "@capstan/controller-runtime";
import { NamespaceReconciler } from "./namespace-controller.js";

/** Empties terminating namespaces, then lets them go. */
runControllerProcess("namespace-controller", ({ client, informer, log }) => {
  const namespaces = informer("Namespace");
  return [controller("namespace", { workers: 2, log }).for(namespaces).complete(new NamespaceReconciler(namespaces, client, log))];
});
