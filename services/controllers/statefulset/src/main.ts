import { EventRecorder } from "@capstan/client";
import { controller, runControllerProcess } from "@capstan/controller-runtime";
import { StatefulSetReconciler } from "./stateful-set-controller.js";

/** Keeps the ordinals, claims and revisions of StatefulSets. */
runControllerProcess("statefulset-controller", ({ client, informer, log }) => {
  const informers = { sets: informer("StatefulSet"), pods: informer("Pod"), claims: informer("PersistentVolumeClaim"), revisions: informer("ControllerRevision") };
  const recorder = new EventRecorder(client, { component: "statefulset-controller" }, log);
  return [
    controller("statefulset", { workers: 4, log })
      .for(informers.sets)
      .owns(informers.pods)
      .owns(informers.revisions)
      .complete(new StatefulSetReconciler(informers, client, recorder)),
  ];
});
