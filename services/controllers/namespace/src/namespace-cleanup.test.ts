import { describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/client";
import { planNamespaceCleanup } from "./namespace-cleanup.js";

function aNamespace(o: { terminating?: boolean; finalizers?: string[] } = {}): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "team-a", uid: "uid-ns", ...(o.terminating ? { deletionTimestamp: "2026-03-01T12:00:00.000Z" } : {}) },
    spec: { finalizers: o.finalizers ?? ["kubernetes"] },
    status: { phase: o.terminating ? "Terminating" : "Active" },
  };
}

function anObject(kind: string, name: string, terminating = false) {
  return { kind, object: { kind, metadata: { name, namespace: "team-a", uid: `uid-${name}`, ...(terminating ? { deletionTimestamp: "2026-03-01T12:00:00.000Z" } : {}) } } };
}

const pod = anObject("Pod", "web-a");
const stoppingPod = anObject("Pod", "web-b", true);
const rs = anObject("ReplicaSet", "web");

describe("planNamespaceCleanup", () => {
  it.each([
    { name: "an active namespace", ns: aNamespace(), contents: [pod], want: { type: "none" } },
    { name: "a terminating namespace already finalized", ns: aNamespace({ terminating: true, finalizers: [] }), contents: [pod], want: { type: "none" } },
    { name: "a terminating namespace with content", ns: aNamespace({ terminating: true }), contents: [rs, pod], want: { type: "deleteContent", delete: [rs, pod], remaining: 2 } },
    {
      name: "a terminating namespace with a pod stopping",
      ns: aNamespace({ terminating: true }),
      contents: [pod, stoppingPod],
      want: { type: "deleteContent", delete: [pod], remaining: 2 },
    },
    { name: "a terminating namespace with only a pod stopping", ns: aNamespace({ terminating: true }), contents: [stoppingPod], want: { type: "deleteContent", delete: [], remaining: 1 } },
    { name: "an empty terminating namespace", ns: aNamespace({ terminating: true }), contents: [], want: { type: "finalize", finalizers: [] } },
    {
      name: "an empty terminating namespace with another finalizer",
      ns: aNamespace({ terminating: true, finalizers: ["example.com/a", "kubernetes"] }),
      contents: [],
      want: { type: "finalize", finalizers: ["example.com/a"] },
    },
  ])("given $name, then $want.type", ({ ns, contents, want }) => {
    expect(planNamespaceCleanup(ns, contents)).toEqual(want);
  });
});
