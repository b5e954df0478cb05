/**
 * What the local-path provisioner makes for a claim (after rancher's local-path-provisioner, which k3s
 * ships): a directory on one node, as a hostPath volume pinned to that node and pre-bound to the claim.
 * Pure functions over typed objects; the reconcilers in provisioner.ts do the writes.
 */
import {
  BINDING_WAIT_FOR_FIRST_CONSUMER,
  LOCAL_PATH_PROVISIONER,
  PROVISIONED_BY_ANNOTATION,
  RECLAIM_DELETE,
  RESOURCE_STORAGE,
  SELECTED_NODE_ANNOTATION,
  VOLUME_MODE_FILESYSTEM,
  VOLUME_RELEASED,
  topologyAllows,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { join, relative, sep } from "node:path";

/** Kubernetes names a provisioned volume after its claim's uid, so a second attempt finds the first. */
export const volumeNameFor = (claim: PersistentVolumeClaim): string => `pvc-${claim.metadata?.uid ?? ""}`;

/** The directory of a volume: <base>/<pv>_<namespace>_<claim>, as rancher's local-path names it. */
export function volumeDirectory(baseDir: string, volumeName: string, claim: PersistentVolumeClaim): string {
  return join(baseDir, `${volumeName}_${claim.metadata?.namespace ?? ""}_${claim.metadata?.name ?? ""}`);
}

/** Whether a path is a volume directory under the base directory (the only paths it ever removes). */
export function isUnder(baseDir: string, path: string): boolean {
  const rel = relative(baseDir, path);
  return rel !== "" && !rel.startsWith("..") && !rel.includes(sep);
}

/** Whether this provisioner serves the claim: unbound, alive, and of a class it provisions. */
export function isProvisionable(claim: PersistentVolumeClaim, sc: StorageClass | undefined): sc is StorageClass {
  return sc?.provisioner === LOCAL_PATH_PROVISIONER && (claim.spec?.volumeName ?? "") === "" && claim.metadata?.deletionTimestamp === undefined;
}

/** A node the provisioner may choose: its name and labels. */
export interface CandidateNode {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The node the volume goes on: the one the scheduler picked for a WaitForFirstConsumer class (undefined
 * until it has), else the first by name of the ready nodes the class's allowedTopologies allow
 * (Immediate: no pod has asked for a place yet).
 */
export function nodeFor(claim: PersistentVolumeClaim, sc: StorageClass, readyNodes: readonly CandidateNode[]): string | undefined {
  if (sc.volumeBindingMode === BINDING_WAIT_FOR_FIRST_CONSUMER) return claim.metadata?.annotations[SELECTED_NODE_ANNOTATION] || undefined;
  return readyNodes
    .filter((n) => topologyAllows(sc.allowedTopologies, n.labels))
    .map((n) => n.name)
    .sort()[0];
}

/** The volume for the claim on the node: its size and modes, the class's reclaim policy, pinned to the node. */
export function planVolume(claim: PersistentVolumeClaim, sc: StorageClass, nodeName: string, baseDir: string): JsonObject {
  const meta = claim.metadata;
  const name = volumeNameFor(claim);
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, annotations: { [PROVISIONED_BY_ANNOTATION]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { [RESOURCE_STORAGE]: claim.spec?.resources?.requests[RESOURCE_STORAGE] ?? "" },
      accessModes: claim.spec?.accessModes ?? [],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? RECLAIM_DELETE,
      storageClassName: sc.metadata?.name ?? "",
      volumeMode: claim.spec?.volumeMode ?? VOLUME_MODE_FILESYSTEM,
      hostPath: { path: volumeDirectory(baseDir, name, claim), type: "DirectoryOrCreate" },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [nodeName] }] }] } },
      claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: meta?.namespace ?? "", name: meta?.name ?? "", uid: meta?.uid ?? "" },
    },
  };
}

/** Whether a volume this provisioner made is to go: Released, with reclaim policy Delete. */
export function isToDelete(volume: PersistentVolume): boolean {
  return (
    volume.metadata?.annotations[PROVISIONED_BY_ANNOTATION] === LOCAL_PATH_PROVISIONER &&
    volume.status?.phase === VOLUME_RELEASED &&
    volume.spec?.persistentVolumeReclaimPolicy === RECLAIM_DELETE &&
    volume.metadata.deletionTimestamp === undefined
  );
}
