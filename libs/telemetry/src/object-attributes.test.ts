import { describe, expect, it } from "vitest";
import { objectAttributes } from "./object-attributes.js";

describe("objectAttributes", () => {
  it.each([
    {
      name: "a namespaced object",
      obj: { kind: "ReplicaSet", metadata: { name: "web-1", namespace: "default", uid: "u1", resourceVersion: "42" } },
      want: { "k8s.replicaset.name": "web-1", "k8s.replicaset.uid": "u1", "k8s.namespace.name": "default", "capstan.revision": 42 },
    },
    {
      name: "a cluster-scoped object",
      obj: { kind: "Node", metadata: { name: "node-1", uid: "n1", resourceVersion: "7" } },
      want: { "k8s.node.name": "node-1", "k8s.node.uid": "n1", "capstan.revision": 7 },
    },
    {
      name: "an object not yet written (no uid, no revision)",
      obj: { kind: "Pod", metadata: { name: "p", namespace: "default", uid: "", resourceVersion: "" } },
      want: { "k8s.pod.name": "p", "k8s.namespace.name": "default" },
    },
    { name: "no kind", obj: { metadata: { name: "p" } }, want: {} },
    { name: "no metadata", obj: { kind: "Pod" }, want: {} },
  ])("names $name", ({ obj, want }) => {
    expect(objectAttributes(obj)).toEqual(want);
  });
});
