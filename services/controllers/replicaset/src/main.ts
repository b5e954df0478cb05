import { controller, runControllerProcess } from "@capstan/controller-runtime";
import { replicaSetKind, replicationControllerKind } from "./replica-owner.js";
import { ReplicaSetReconciler } from "./replica-set-controller.js";

/** Keeps the replicas of ReplicaSets and ReplicationControllers (one process, one lease). */
runControllerProcess("replicaset-controller", ({ client, informer, log }) => {
  const pods = informer("Pod");
  return [replicaSetKind, replicationControllerKind].map((kind) => {
    const owners = informer(kind.kind);
    return controller(kind.kind.toLowerCase(), { workers: 4, log })
      .for(owners)
      .owns(pods)
      .complete(new ReplicaSetReconciler(kind, owners, pods, client));
  });
}).catch((e: unknown) => {
  console.error(`replicaset-controller: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
