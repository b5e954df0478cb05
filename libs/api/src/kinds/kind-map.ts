/**
 * Every kind's name and its protobuf message type. One line a kind: with its line in registry.ts, this is
 * all a new kind adds outside its own folder (and the proto). Types only, so every folder may import it.
 */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from "../gen/capstan/v1/apps.js";
import type { CronJob, Job } from "../gen/capstan/v1/batch.js";
import type {
  ConfigMap,
  Endpoints,
  Event,
  LimitRange,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ReplicationController,
  ResourceQuota,
  Secret,
  Service,
} from "../gen/capstan/v1/core.js";
import type { EndpointSlice } from "../gen/capstan/v1/discovery.js";
import type { PodDisruptionBudget } from "../gen/capstan/v1/policy.js";
import type { PriorityClass } from "../gen/capstan/v1/scheduling.js";
import type { StorageClass } from "../gen/capstan/v1/storage.js";

export interface KindMap {
  Namespace: Namespace;
  Pod: Pod;
  Node: Node;
  ReplicaSet: ReplicaSet;
  Deployment: Deployment;
  ReplicationController: ReplicationController;
  Service: Service;
  Endpoints: Endpoints;
  EndpointSlice: EndpointSlice;
  ConfigMap: ConfigMap;
  Secret: Secret;
  Event: Event;
  PriorityClass: PriorityClass;
  PersistentVolume: PersistentVolume;
  PersistentVolumeClaim: PersistentVolumeClaim;
  Job: Job;
  CronJob: CronJob;
  StorageClass: StorageClass;
  ControllerRevision: ControllerRevision;
  StatefulSet: StatefulSet;
  DaemonSet: DaemonSet;
  ResourceQuota: ResourceQuota;
  LimitRange: LimitRange;
  PodDisruptionBudget: PodDisruptionBudget;
}
export type KindName = keyof KindMap;
