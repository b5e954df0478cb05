import { describe, expect, it } from "vitest";
import { supportedKinds } from "@capstan/api";
import type { OwnerReference } from "@capstan/controller-runtime";
import { collectableKey, GARBAGE_COLLECTED_KINDS, isResolvable } from "./owner-graph.js";
import { anObject } from "@capstan/api/testing";

const service = anObject("Service", "web").json();

describe("collectableKey", () => {
  it.each([
    { name: "an object without owners", obj: anObject("Pod", "p").json(), want: [] },
    { name: "a node without owners", obj: anObject("Node", "n").json(), want: [] },
    { name: "an owned object", obj: anObject("EndpointSlice", "web-abcde").ownedBy(service).json(), want: ["default/web-abcde"] },
    { name: "a terminating owner", obj: anObject("Service", "web").terminating("orphan").json(), want: ["default/web"] },
  ])("$name: $want", ({ obj, want }) => {
    expect([...collectableKey(obj)]).toEqual(want);
  });
});

describe("isResolvable", () => {
  const ref = (kind: string): OwnerReference => ({ apiVersion: "v1", kind, name: "o", uid: "u" });

  it.each([
    { name: "a namespaced owner of a namespaced object", kind: "Service", namespace: "default", want: true },
    { name: "a cluster-scoped owner of a namespaced object", kind: "Node", namespace: "default", want: true },
    { name: "a cluster-scoped owner of a cluster-scoped object", kind: "Node", namespace: "", want: true },
    { name: "a namespaced owner of a cluster-scoped object", kind: "PersistentVolumeClaim", namespace: "", want: false },
    { name: "an owner of a kind Capstan does not serve", kind: "Widget", namespace: "", want: true },
  ])("$name: $want", ({ kind, namespace, want }) => {
    expect(isResolvable(ref(kind), namespace)).toBe(want);
  });
});

describe("GARBAGE_COLLECTED_KINDS", () => {
  it("holds every kind that owns or is owned: all Capstan serves but Event", () => {
    expect(GARBAGE_COLLECTED_KINDS).toEqual(expect.arrayContaining(["Deployment", "ReplicaSet", "Pod", "Service", "Endpoints", "EndpointSlice", "Node"]));
    expect([...GARBAGE_COLLECTED_KINDS, "Event"].sort()).toEqual(supportedKinds().map((k) => k.kind).sort());
  });
});
