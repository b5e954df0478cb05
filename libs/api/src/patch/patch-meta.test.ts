import { describe, expect, it } from "vitest";
import type { KindName } from "../kinds/kind-map.js";
import { listTypeOf, patchMetaFor, type FieldPatchMeta, type ListType } from "./patch-meta.js";

describe("patchMetaFor", () => {
  // Each row is a Go struct tag from k8s.io/api (core/v1, apps/v1, batch/v1) or apimachinery meta/v1.
  it.each<{ name: string; kind: KindName; path: string[]; want: FieldPatchMeta | undefined }>([
    { name: "Pod containers by name", kind: "Pod", path: ["spec", "containers"], want: { patchStrategy: "merge", patchMergeKey: "name", type: "Container" } },
    { name: "a container's ports by containerPort", kind: "Pod", path: ["spec", "initContainers", "ports"], want: { patchStrategy: "merge", patchMergeKey: "containerPort", listMapKeys: ["containerPort", "protocol"] } },
    { name: "an ephemeral container's env by name", kind: "Pod", path: ["spec", "ephemeralContainers", "env"], want: { patchStrategy: "merge", patchMergeKey: "name" } },
    { name: "volumeMounts by mountPath", kind: "Pod", path: ["spec", "containers", "volumeMounts"], want: { patchStrategy: "merge", patchMergeKey: "mountPath" } },
    { name: "volumes merge and retain keys", kind: "Pod", path: ["spec", "volumes"], want: { patchStrategy: "merge,retainKeys", patchMergeKey: "name" } },
    { name: "tolerations are atomic (untagged)", kind: "Pod", path: ["spec", "tolerations"], want: undefined },
    {
      name: "topologySpreadConstraints patch by topologyKey alone, apply by both keys",
      kind: "Pod",
      path: ["spec", "topologySpreadConstraints"],
      want: { patchStrategy: "merge", patchMergeKey: "topologyKey", listMapKeys: ["topologyKey", "whenUnsatisfiable"] },
    },
    { name: "containerStatuses are atomic (untagged)", kind: "Pod", path: ["status", "containerStatuses"], want: undefined },
    { name: "Deployment template containers", kind: "Deployment", path: ["spec", "template", "spec", "containers", "env"], want: { patchStrategy: "merge", patchMergeKey: "name" } },
    { name: "Deployment strategy retains keys", kind: "Deployment", path: ["spec", "strategy"], want: { patchStrategy: "retainKeys" } },
    { name: "CronJob jobTemplate down to the pod", kind: "CronJob", path: ["spec", "jobTemplate", "spec", "template", "spec", "volumes"], want: { patchStrategy: "merge,retainKeys", patchMergeKey: "name" } },
    { name: "StatefulSet volumeClaimTemplates are atomic", kind: "StatefulSet", path: ["spec", "volumeClaimTemplates"], want: undefined },
    { name: "Service ports by port", kind: "Service", path: ["spec", "ports"], want: { patchStrategy: "merge", patchMergeKey: "port", listMapKeys: ["port", "protocol"] } },
    { name: "Node addresses by type", kind: "Node", path: ["status", "addresses"], want: { patchStrategy: "merge", patchMergeKey: "type" } },
    { name: "Node podCIDRs merge as primitives", kind: "Node", path: ["spec", "podCIDRs"], want: { patchStrategy: "merge" } },
    { name: "Job conditions patch by type, apply atomically", kind: "Job", path: ["status", "conditions"], want: { patchStrategy: "merge", patchMergeKey: "type", listType: "atomic" } },
    { name: "ownerReferences by uid", kind: "ConfigMap", path: ["metadata", "ownerReferences"], want: { patchStrategy: "merge", patchMergeKey: "uid" } },
    { name: "finalizers merge as primitives", kind: "Secret", path: ["metadata", "finalizers"], want: { patchStrategy: "merge" } },
    { name: "a template's metadata is ObjectMeta", kind: "DaemonSet", path: ["spec", "template", "metadata", "finalizers"], want: { patchStrategy: "merge" } },
    { name: "an inherited property name is no field", kind: "Pod", path: ["spec", "constructor"], want: undefined },
  ])("$name", ({ kind, path, want }) => {
    expect(patchMetaFor(kind, path)).toEqual(want);
  });
});

describe("listTypeOf", () => {
  // Server-side apply's list types, as the +listType / +listMapKey markers declare them.
  it.each<{ name: string; kind: KindName; path: string[]; listType: ListType; keys: string[] }>([
    { name: "containers are a map on name", kind: "Pod", path: ["spec", "containers"], listType: "map", keys: ["name"] },
    { name: "container ports are a map on containerPort and protocol", kind: "Pod", path: ["spec", "containers", "ports"], listType: "map", keys: ["containerPort", "protocol"] },
    { name: "finalizers are a set", kind: "Pod", path: ["metadata", "finalizers"], listType: "set", keys: [] },
    { name: "tolerations are atomic", kind: "Pod", path: ["spec", "tolerations"], listType: "atomic", keys: [] },
    { name: "hostIPs are atomic despite their patch tags", kind: "Pod", path: ["status", "hostIPs"], listType: "atomic", keys: [] },
    { name: "Service ports are a map on port and protocol", kind: "Service", path: ["spec", "ports"], listType: "map", keys: ["port", "protocol"] },
  ])("$name", ({ kind, path, listType, keys }) => {
    expect(listTypeOf(patchMetaFor(kind, path))).toEqual({ listType, keys });
  });
});
