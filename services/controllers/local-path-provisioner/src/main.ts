import { join, resolve } from "node:path";
import { EventRecorder, type JsonObject } from "@capstan/client";
import { controller, namespacedKey, objectKey, runControllerProcess } from "@capstan/controller-runtime";
import { PersistentVolume } from "@capstan/api";
import { ClaimReconciler, VolumeReconciler } from "./provisioner.js";

/**
 * Volumes of the classes whose provisioner is capstan.io/local-path, as directories under
 * <CAPSTAN_DATA_DIR>/local-path. The node agents of the local stack share that data directory with this
 * process (one host), so it removes a deleted volume's directory itself; the node agent makes it on mount.
 */
runControllerProcess("local-path-provisioner", ({ client, informer, log }) => {
  const baseDir = join(resolve(process.env["CAPSTAN_DATA_DIR"] ?? ".capstan"), "local-path");
  const claims = informer("PersistentVolumeClaim");
  const volumes = informer("PersistentVolume");
  const classes = informer("StorageClass");
  const nodes = informer("Node");
  const recorder = new EventRecorder(client, { component: "capstan.io/local-path" }, log);
  const claimOfVolume = (pv: JsonObject) => {
    const ref = PersistentVolume.fromJSON(pv).spec?.claimRef;
    return ref ? [namespacedKey(ref.namespace, ref.name)] : [];
  };
  const allClaims = () => claims.list().map(objectKey);
  return [
    controller("local-path-claim", { workers: 2, log })
      .for(claims)
      // A deleted volume may be made again for a claim still waiting; a new class or a ready node may let claims go ahead.
      .watches(volumes, claimOfVolume)
      .watches(classes, allClaims)
      .watches(nodes, allClaims)
      .complete(new ClaimReconciler(claims, volumes, classes, nodes, client, recorder, baseDir)),
    controller("local-path-volume", { workers: 2, log }).for(volumes).complete(new VolumeReconciler(volumes, client, baseDir)),
  ];
});
