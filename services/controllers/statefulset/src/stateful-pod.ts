/**
 * A StatefulSet pod's identity (the StatefulSet controller's stateful_set_utils.go): its name and ordinal,
 * the labels that name it, its DNS hostname, and the claims it mounts, one per claim template.
 */
import { metaOf, type JsonObject, type Pod } from "@capstan/api";
import type { StatefulSetView } from "./stateful-set.js";

export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
/** The revision a pod was made from: the ControllerRevision's name (apps.StatefulSetRevisionLabel). */
export const REVISION_LABEL = "controller-revision-hash";

export const podName = (set: Pick<StatefulSetView, "name">, ordinal: number): string => `${set.name}-${ordinal}`;

/** `<template>-<set>-<ordinal>`, the claim a pod of that ordinal mounts for a claim template. */
export const claimName = (template: string, set: Pick<StatefulSetView, "name">, ordinal: number): string => `${template}-${set.name}-${ordinal}`;

/** The ordinal its name ends in, or undefined when the name is not `<set>-<n>` (getParentNameAndOrdinal). */
export function ordinalOf(set: Pick<StatefulSetView, "name">, name: string): number | undefined {
  const prefix = `${set.name}-`;
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

export const revisionOfPod = (pod: Pod): string => pod.metadata?.labels[REVISION_LABEL] ?? "";

/** The claim for one template and ordinal: the template's spec, the set's selector labels (updateStorage). */
export function newClaim(set: StatefulSetView, template: JsonObject, ordinal: number): JsonObject {
  const meta = metaOf(template);
  const ownerReferences =
    set.whenDeleted === "Delete" ? [{ apiVersion: "apps/v1", kind: "StatefulSet", name: set.name, uid: set.uid, controller: false }] : [];
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: claimName(meta.name, set, ordinal),
      namespace: set.namespace,
      labels: { ...meta.labels, ...set.selector.matchLabels },
      ...(Object.keys(meta.annotations).length ? { annotations: meta.annotations } : {}),
      ...(ownerReferences.length ? { ownerReferences } : {}),
    },
    spec: template["spec"] ?? {},
  };
}

/**
 * newStatefulSetPod: the template's pod, named for its ordinal, labelled with its name, index and
 * revision, reachable as <name>.<serviceName>, each claim template mounted as the claim of its ordinal.
 */
export function newStatefulPod(set: StatefulSetView, template: JsonObject, revision: string, ordinal: number): JsonObject {
  const name = podName(set, ordinal);
  const meta = metaOf(template);
  const spec = { ...((template["spec"] as JsonObject | undefined) ?? {}) };
  const claims = new Map(set.claimTemplates.map((t) => [metaOf(t).name, claimName(metaOf(t).name, set, ordinal)]));
  const volumes = ((spec["volumes"] as JsonObject[] | undefined) ?? []).filter((v) => !claims.has(String(v["name"])));
  for (const [volume, claim] of claims) volumes.push({ name: volume, persistentVolumeClaim: { claimName: claim } });
  if (volumes.length) spec["volumes"] = volumes;
  spec["hostname"] = name;
  if (set.serviceName) spec["subdomain"] = set.serviceName;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: set.namespace,
      labels: { ...meta.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision },
      ...(Object.keys(meta.annotations).length ? { annotations: meta.annotations } : {}),
      ownerReferences: [set.ref],
    },
    spec,
  };
}
