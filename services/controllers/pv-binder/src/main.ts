import { EventRecorder } from "@capstan/client";
import { controller, runControllerProcess } from "@capstan/controller-runtime";
import { ClaimReconciler, VolumeReconciler, claimsOfChangedClass, claimsOfChangedVolume, volumeOfChangedClaim } from "./reconcile.js";

/** Binds PersistentVolumeClaims to PersistentVolumes and keeps each volume's phase true to its claim. */
runControllerProcess("pv-binder", ({ client, informer, log }) => {
  const claims = informer("PersistentVolumeClaim");
  const volumes = informer("PersistentVolume");
  const classes = informer("StorageClass");
  const recorder = new EventRecorder(client, { component: "persistentvolume-controller" }, log);
  return [
    controller("persistentvolumeclaim", { workers: 2, log })
      .for(claims)
      .watches(volumes, claimsOfChangedVolume(claims))
      .watches(classes, claimsOfChangedClass(claims))
      .complete(new ClaimReconciler(claims, volumes, classes, client, recorder)),
    controller("persistentvolume", { workers: 2, log }).for(volumes).watches(claims, volumeOfChangedClaim).complete(new VolumeReconciler(volumes, claims, client)),
  ];
});
