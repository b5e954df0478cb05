import { describe, expect, it } from "vitest";
import { DaemonSet, Node, Pod } from "@capstan/api";
import { planDaemonSet } from "./daemon-plan.js";

const now = new Date("2026-01-01T00:10:00Z");
const HASH = "new";

const nodes = (...names: string[]) => names.map((name) => Node.fromPartial({ metadata: { name } }));

function aDaemonSet(strategy: Record<string, unknown> = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, spec: Record<string, unknown> = {}) {
  return DaemonSet.fromJSON({
    metadata: { name: "ds", namespace: "default", uid: "uid-ds" },
    spec: { updateStrategy: strategy, template: { metadata: { labels: { app: "ds" } }, spec: { containers: [{ name: "c", image: "busybox" }], ...spec } } },
  });
}

interface PodOpts {
  hash?: string;
  ready?: boolean;
  created?: string;
  terminating?: boolean;
  phase?: string;
}

let seq = 0;
function aPod(node: string, { hash = HASH, ready = true, created = "2026-01-01T00:00:00Z", terminating = false, phase = "Running" }: PodOpts = {}) {
  return Pod.fromJSON({
    metadata: {
      name: `ds-${++seq}`,
      namespace: "default",
      uid: `uid-${seq}`,
      labels: { app: "ds", "controller-revision-hash": hash },
      creationTimestamp: created,
      ...(terminating ? { deletionTimestamp: "2026-01-01T00:09:00Z" } : {}),
    },
    spec: { nodeName: node, containers: [{ name: "c", image: "busybox" }] },
    status: { phase, conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: "2026-01-01T00:01:00Z" }] },
  });
}

describe("planDaemonSet", () => {
  it("creates a pod on each node without one", () => {
    const plan = planDaemonSet(aDaemonSet(), nodes("a", "b", "c"), [aPod("b")], HASH, now);
    expect(plan.create).toEqual(["a", "c"]);
    expect(plan.remove).toEqual([]);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 1, numberReady: 1, numberAvailable: 1, numberUnavailable: 2, updatedNumberScheduled: 1 });
  });

  it("deletes the pods of a node that left the cluster, and those of a node it no longer selects", () => {
    const gone = aPod("gone");
    const hdd = aPod("hdd");
    const ds = aDaemonSet(undefined, { nodeSelector: { disk: "ssd" } });
    const cluster = [Node.fromPartial({ metadata: { name: "ssd", labels: { disk: "ssd" } } }), Node.fromPartial({ metadata: { name: "hdd", labels: { disk: "hdd" } } })];
    const plan = planDaemonSet(ds, cluster, [gone, hdd, aPod("ssd")], HASH, now);
    expect(plan.orphaned).toEqual([gone]);
    expect(plan.remove).toEqual([hdd]);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 1, numberMisscheduled: 1 });
  });

  it("keeps the oldest of two pods on a node", () => {
    const oldest = aPod("a", { created: "2026-01-01T00:00:00Z" });
    const younger = aPod("a", { created: "2026-01-01T00:05:00Z" });
    const plan = planDaemonSet(aDaemonSet(), nodes("a"), [younger, oldest], HASH, now);
    expect(plan.remove).toEqual([younger]);
    expect(plan.create).toEqual([]);
  });

  it("creates no new pod while the node's old one is terminating", () => {
    const plan = planDaemonSet(aDaemonSet(), nodes("a"), [aPod("a", { hash: "old", terminating: true })], HASH, now);
    expect(plan).toMatchObject({ create: [], remove: [] });
  });

  it("replaces a failed pod", () => {
    const failed = aPod("a", { phase: "Failed", ready: false });
    expect(planDaemonSet(aDaemonSet(), nodes("a"), [failed], HASH, now).remove).toEqual([failed]);
  });

  it("rolls one node at a time with maxUnavailable 1", () => {
    const old = [aPod("a", { hash: "old" }), aPod("b", { hash: "old" }), aPod("c", { hash: "old" })];
    const plan = planDaemonSet(aDaemonSet(), nodes("a", "b", "c"), old, HASH, now);
    expect(plan.remove).toHaveLength(1);
    expect(plan.create).toEqual([]);
  });

  it("waits while an updated pod is not yet available", () => {
    const pods = [aPod("a", { ready: false }), aPod("b", { hash: "old" })];
    expect(planDaemonSet(aDaemonSet(), nodes("a", "b"), pods, HASH, now)).toMatchObject({ create: [], remove: [] });
  });

  it("replaces an unavailable old pod whatever maxUnavailable says", () => {
    const broken = aPod("b", { hash: "old", ready: false });
    const pods = [aPod("a", { ready: false }), broken];
    expect(planDaemonSet(aDaemonSet(), nodes("a", "b"), pods, HASH, now).remove).toEqual([broken]);
  });

  it("with maxSurge, starts the updated pod beside the old one, and deletes the old one once it is available", () => {
    const surge = aDaemonSet({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const oldA = aPod("a", { hash: "old" });
    expect(planDaemonSet(surge, nodes("a", "b"), [oldA, aPod("b", { hash: "old" })], HASH, now).create).toHaveLength(1);
    const plan = planDaemonSet(surge, nodes("a", "b"), [oldA, aPod("a", { created: "2026-01-01T00:02:00Z" }), aPod("b", { hash: "old" })], HASH, now);
    expect(plan.remove).toEqual([oldA]);
    expect(plan.create).toEqual(["b"]);
  });

  it("leaves old pods alone with OnDelete", () => {
    const plan = planDaemonSet(aDaemonSet({ type: "OnDelete" }), nodes("a"), [aPod("a", { hash: "old" })], HASH, now);
    expect(plan).toMatchObject({ create: [], remove: [], status: { updatedNumberScheduled: 0, currentNumberScheduled: 1 } });
  });

  it("looks again when a ready pod will have been ready minReadySeconds", () => {
    const ds = DaemonSet.fromJSON({ ...DaemonSet.toJSON(aDaemonSet()) as object, spec: { ...(DaemonSet.toJSON(aDaemonSet()) as any).spec, minReadySeconds: 600 } });
    const plan = planDaemonSet(ds, nodes("a"), [aPod("a")], HASH, now);
    expect(plan.status.numberAvailable).toBe(0);
    expect(plan.recheckAfterMs).toBe(60_000);
  });
});
