/**
 * What StorageClasses mean to the rest of the API and to controllers: binding modes, reclaim policies, the
 * default-class annotation and the annotations provisioning writes (Kubernetes' storage/v1 and
 * pkg/controller/volume/persistentvolume/util names).
 */
import type { JsonObject } from "@capstan/apimachinery";
import type { TopologySelectorTerm } from "../../gen/capstan/v1/storage.js";
import { metaOf } from "../../object-view.js";

export const BINDING_IMMEDIATE = "Immediate";
export const BINDING_WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";
export const volumeBindingModes = [BINDING_IMMEDIATE, BINDING_WAIT_FOR_FIRST_CONSUMER];

export const RECLAIM_DELETE = "Delete";

/** The annotation that makes a class the one claims naming none get. */
export const IS_DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
/** Set on a claim by the scheduler: the node a WaitForFirstConsumer volume is to be provisioned on. */
export const SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node";
/** Set on a volume by its provisioner. */
export const PROVISIONED_BY_ANNOTATION = "pv.kubernetes.io/provisioned-by";

/** The provisioner Capstan ships, as k3s ships rancher.io/local-path: a directory on the pod's node. */
export const LOCAL_PATH_PROVISIONER = "capstan.io/local-path";
export const LOCAL_PATH_CLASS = "local-path";

/** The default class of a new cluster, as k3s's: a directory on the node the pod was scheduled to, deleted with its claim. */
export const localPathStorageClass: JsonObject = {
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name: LOCAL_PATH_CLASS, annotations: { [IS_DEFAULT_CLASS_ANNOTATION]: "true" } },
  provisioner: LOCAL_PATH_PROVISIONER,
  reclaimPolicy: RECLAIM_DELETE,
  volumeBindingMode: BINDING_WAIT_FOR_FIRST_CONSUMER,
};

export const isDefaultStorageClass = (sc: JsonObject | undefined): boolean => sc !== undefined && metaOf(sc).annotations[IS_DEFAULT_CLASS_ANNOTATION] === "true";

/** MatchTopologySelectorTerms: no terms allow every node; else some term whose every requirement the labels meet. */
export function topologyAllows(terms: readonly TopologySelectorTerm[], labels: Readonly<Record<string, string>>): boolean {
  if (terms.length === 0) return true;
  return terms.some((t) =>
    t.matchLabelExpressions.every((r) => {
      const value = labels[r.key];
      return value !== undefined && r.values.includes(value);
    }),
  );
}
