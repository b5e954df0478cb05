import { describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/client";
import type { OwnerReference } from "@capstan/controller-runtime";
import { planDependent, planTerminatingOwner, withoutFinalizer, withoutOwnerReferences, type OwnerState } from "./collection-plan.js";
import { anObject } from "@capstan/api/testing";

const deployment = anObject("Deployment", "web").json();
const rs = anObject("ReplicaSet", "web-1").ownedBy(deployment).json();
const otherRs = anObject("ReplicaSet", "web-2").json();

/** Owner states by owner name; unnamed owners are present. */
const states =
  (byName: Record<string, OwnerState>) =>
  (ref: OwnerReference): OwnerState =>
    byName[ref.name] ?? "present";

describe("planDependent", () => {
  it.each([
    { name: "no owner references", pod: anObject("Pod", "p").json(), owners: {}, hasDependents: false, want: { type: "keep" } },
    { name: "its owner present", pod: anObject("Pod", "p").ownedBy(rs).json(), owners: {}, hasDependents: false, want: { type: "keep" } },
    {
      name: "its owner absent",
      pod: anObject("Pod", "p").ownedBy(rs).json(),
      owners: { "web-1": "absent" },
      hasDependents: false,
      want: { type: "delete", propagationPolicy: "Background" },
    },
    {
      name: "its owner absent, itself terminating",
      pod: anObject("Pod", "p").ownedBy(rs).terminating().json(),
      owners: { "web-1": "absent" },
      hasDependents: false,
      want: { type: "keep" },
    },
    {
      name: "one owner absent, another present",
      pod: anObject("Pod", "p").ownedBy(rs).ownedBy(otherRs, { controller: false }).json(),
      owners: { "web-1": "absent" },
      hasDependents: false,
      want: { type: "removeOwnerReferences", uids: ["uid-web-1"] },
    },
    {
      name: "one owner deleting its dependents, another present",
      pod: anObject("Pod", "p").ownedBy(rs).ownedBy(otherRs, { controller: false }).json(),
      owners: { "web-1": "deletingDependents" },
      hasDependents: false,
      want: { type: "removeOwnerReferences", uids: ["uid-web-1"] },
    },
    {
      name: "its owner deleting its dependents",
      pod: anObject("Pod", "p").ownedBy(rs).json(),
      owners: { "web-1": "deletingDependents" },
      hasDependents: false,
      want: { type: "delete", propagationPolicy: "Background" },
    },
    {
      name: "its owner deleting its dependents, and dependents of its own",
      pod: rs,
      owners: { web: "deletingDependents" },
      hasDependents: true,
      want: { type: "delete", propagationPolicy: "Foreground" },
    },
    {
      name: "its owner absent, and dependents of its own",
      pod: rs,
      owners: { web: "absent" },
      hasDependents: true,
      want: { type: "delete", propagationPolicy: "Background" },
    },
    {
      name: "its owner absent, and its own orphan finalizer",
      pod: anObject("Pod", "p").ownedBy(rs).withFinalizers("orphan").json(),
      owners: { "web-1": "absent" },
      hasDependents: false,
      want: { type: "delete", propagationPolicy: "Orphan" },
    },
    {
      name: "one reference it cannot resolve, another owner absent",
      pod: anObject("Pod", "p").ownedBy(rs).ownedBy(otherRs, { controller: false }).json(),
      owners: { "web-1": "unresolvable", "web-2": "absent" },
      hasDependents: false,
      want: { type: "keep" },
    },
  ])("given an object with $name, then $want.type", ({ pod, owners, hasDependents, want }) => {
    expect(planDependent(pod, states(owners as Record<string, OwnerState>), hasDependents)).toEqual(want);
  });
});

describe("planTerminatingOwner", () => {
  const blocking = { kind: "Pod", object: anObject("Pod", "a").ownedBy(otherRs).json() };
  const notBlocking = { kind: "Pod", object: anObject("Pod", "b").ownedBy(otherRs, { blockOwnerDeletion: false }).json() };
  const owner = (...finalizers: string[]): JsonObject => anObject("ReplicaSet", "web-2").terminating(...finalizers).json();

  it.each([
    { name: "a live owner", owner: otherRs, dependents: [blocking], want: { type: "none" } },
    { name: "an owner terminating without the collector's finalizers", owner: owner("example.com/a"), dependents: [blocking], want: { type: "none" } },
    { name: "an orphaning owner", owner: owner("orphan"), dependents: [blocking, notBlocking], want: { type: "orphanDependents", dependents: [blocking, notBlocking] } },
    { name: "an orphaning owner without dependents", owner: owner("orphan"), dependents: [], want: { type: "removeFinalizer", finalizer: "orphan" } },
    { name: "a foreground owner", owner: owner("foregroundDeletion"), dependents: [blocking, notBlocking], want: { type: "waitForDependents", blocking: [blocking] } },
    { name: "a foreground owner with no blocking dependent", owner: owner("foregroundDeletion"), dependents: [notBlocking], want: { type: "removeFinalizer", finalizer: "foregroundDeletion" } },
    { name: "a foreground owner without dependents", owner: owner("example.com/a", "foregroundDeletion"), dependents: [], want: { type: "removeFinalizer", finalizer: "foregroundDeletion" } },
  ])("given $name, then $want.type", ({ owner, dependents, want }) => {
    expect(planTerminatingOwner(owner, dependents)).toEqual(want);
  });
});

describe("object changes", () => {
  it("removes only the named owner references", () => {
    const pod = anObject("Pod", "p").ownedBy(rs).ownedBy(otherRs, { controller: false }).json();
    const refs = (withoutOwnerReferences(pod, ["uid-web-1"])["metadata"] as JsonObject)["ownerReferences"] as JsonObject[];
    expect(refs.map((r) => r["name"])).toEqual(["web-2"]);
  });

  it("removes only the named finalizer", () => {
    const metadata = withoutFinalizer(anObject("Pod", "p").terminating("example.com/a", "orphan").json(), "orphan")["metadata"] as JsonObject;
    expect(metadata["finalizers"]).toEqual(["example.com/a"]);
  });
});
