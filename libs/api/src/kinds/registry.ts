/**
 * Every kind Capstan serves, one strategy each, in the order they matter (the order listings and error
 * messages use). A new kind: its message in proto/ and in the gateway's `Object`, its entry in KindMap
 * (kinds.ts), a folder beside this file, and one line here.
 */
import type { KindName } from "./kind-map.js";
import { configMapStrategy } from "./config-map/strategy.js";
import { cronJobStrategy } from "./cron-job/strategy.js";
import { controllerRevisionStrategy } from "./controller-revision/strategy.js";
import { daemonSetStrategy } from "./daemon-set/strategy.js";
import { deploymentStrategy } from "./deployment/strategy.js";
import { endpointSliceStrategy } from "./endpoint-slice/strategy.js";
import { endpointsStrategy } from "./endpoints/strategy.js";
import { eventStrategy } from "./event/strategy.js";
import { jobStrategy } from "./job/strategy.js";
import type { AnyKindStrategy, KindStrategy } from "./kind-strategy.js";
import { namespaceStrategy } from "./namespace/strategy.js";
import { nodeStrategy } from "./node/strategy.js";
import { persistentVolumeClaimStrategy } from "./persistent-volume-claim/strategy.js";
import { persistentVolumeStrategy } from "./persistent-volume/strategy.js";
import { podDisruptionBudgetStrategy } from "./pod-disruption-budget/strategy.js";
import { podStrategy } from "./pod/strategy.js";
import { priorityClassStrategy } from "./priority-class/strategy.js";
import { replicaSetStrategy } from "./replica-set/strategy.js";
import { limitRangeStrategy } from "./limit-range/strategy.js";
import { replicationControllerStrategy } from "./replication-controller/strategy.js";
import { resourceQuotaStrategy } from "./resource-quota/strategy.js";
import { secretStrategy } from "./secret/strategy.js";
import { serviceStrategy } from "./service/strategy.js";
import { storageClassStrategy } from "./storage-class/strategy.js";
import { statefulSetStrategy } from "./stateful-set/strategy.js";

/**
 * The strategy of each kind, by name, in the order they matter. Typed per kind, so a kind without a
 * strategy, or a strategy under another kind's name, does not compile.
 */
export const strategyByKind: { readonly [K in KindName]: KindStrategy<K> } = {
  Namespace: namespaceStrategy,
  Pod: podStrategy,
  Node: nodeStrategy,
  ReplicaSet: replicaSetStrategy,
  Deployment: deploymentStrategy,
  ReplicationController: replicationControllerStrategy,
  Service: serviceStrategy,
  Endpoints: endpointsStrategy,
  EndpointSlice: endpointSliceStrategy,
  ConfigMap: configMapStrategy,
  Secret: secretStrategy,
  Event: eventStrategy,
  PriorityClass: priorityClassStrategy,
  PersistentVolume: persistentVolumeStrategy,
  PersistentVolumeClaim: persistentVolumeClaimStrategy,
  Job: jobStrategy,
  CronJob: cronJobStrategy,
  StorageClass: storageClassStrategy,
  ControllerRevision: controllerRevisionStrategy,
  StatefulSet: statefulSetStrategy,
  DaemonSet: daemonSetStrategy,
  ResourceQuota: resourceQuotaStrategy,
  LimitRange: limitRangeStrategy,
  PodDisruptionBudget: podDisruptionBudgetStrategy,
};

/** Every strategy, in the order above. */
export const kindStrategies: readonly AnyKindStrategy[] = Object.values(strategyByKind);
