import { controller, controllerRefOf, metadataOf, objectKey, runControllerProcess, type Informer } from "@capstan/controller-runtime";
import type { JsonObject } from "@capstan/client";
import { replicaSetKind, replicationControllerKind, type ReplicaKind } from "./replica-owner.js";
import { ORPHAN_PODS_INDEX, orphanPodsByNamespace, ReplicaSetReconciler } from "./replica-set-controller.js";

/** An orphan pod wakes every owner of the kind that selects it, so one of them adopts it. */
function ownersSelecting(kind: ReplicaKind, owners: Informer) {
  return (pod: JsonObject): string[] => {
    if (controllerRefOf(pod)) return [];
    const { namespace, labels } = metadataOf(pod);
    return owners
      .list(namespace ?? "")
      .filter((o) => kind.read(o).selects(labels ?? {}))
      .map(objectKey);
  };
}

/** Keeps the replicas of ReplicaSets and ReplicationControllers (one process, one lease). */
runControllerProcess("replicaset-controller", ({ client, informer, log }) => {
  const pods = informer("Pod");
  pods.addIndexer(ORPHAN_PODS_INDEX, orphanPodsByNamespace);
  return [replicaSetKind, replicationControllerKind].map((kind) => {
    const owners = informer(kind.kind);
    return controller(kind.kind.toLowerCase(), { workers: 4, log })
      .for(owners)
      .owns(pods)
      .watches(pods, ownersSelecting(kind, owners))
      .complete(new ReplicaSetReconciler(kind, owners, pods, client));
  });
});
