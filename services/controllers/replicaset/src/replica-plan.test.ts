import { describe, expect, it } from "vitest";
import { Pod, type OwnerReference } from "@capstan/api";
import { planReplicas, type ReplicaOwner } from "./replica-plan.js";

const now = new Date("2026-03-01T12:00:00.000Z");
const ref: OwnerReference = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "rs-uid", controller: true, blockOwnerDeletion: true };

function owner(o: Partial<ReplicaOwner> = {}): ReplicaOwner {
  return { ref, replicas: 3, minReadySeconds: 0, selects: (l) => l["app"] === "web", templateLabels: { app: "web" }, deleting: false, ...o };
}

interface PodOptions {
  owner?: OwnerReference | undefined;
  labels?: Record<string, string>;
  node?: string;
  phase?: string;
  readyAt?: string;
  restarts?: number;
  created?: string;
  deleting?: boolean;
}

function pod(name: string, o: PodOptions = {}): Pod {
  return Pod.fromPartial({
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      labels: o.labels ?? { app: "web" },
      ownerReferences: "owner" in o ? (o.owner ? [o.owner] : []) : [ref],
      creationTimestamp: o.created ?? "2026-03-01T11:00:00.000Z",
      ...(o.deleting ? { deletionTimestamp: "2026-03-01T11:59:00.000Z" } : {}),
    },
    spec: { nodeName: o.node ?? "node-1" },
    status: {
      phase: o.phase ?? "Running",
      conditions: o.readyAt ? [{ type: "Ready", status: "True", lastTransitionTime: o.readyAt }] : [],
      containerStatuses: [{ name: "c", restartCount: o.restarts ?? 0 }],
    },
  });
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name);

describe("planReplicas", () => {
  it("given fewer pods than replicas, when planned, then it creates the difference", () => {
    expect(planReplicas(owner(), [pod("a")], now).create).toBe(2);
  });

  it("given more pods than replicas, when planned, then it deletes the surplus and creates none", () => {
    const plan = planReplicas(owner({ replicas: 1 }), [pod("a"), pod("b"), pod("c")], now);
    expect(plan.create).toBe(0);
    expect(plan.remove).toHaveLength(2);
  });

  it("given terminating and finished pods, when planned, then they do not count as replicas", () => {
    const plan = planReplicas(owner({ replicas: 2 }), [pod("a"), pod("b", { deleting: true }), pod("c", { phase: "Failed" })], now);
    expect(plan.create).toBe(1);
    expect(plan.status.replicas).toBe(1);
  });

  it("given an orphan it selects, when planned, then it adopts and counts it", () => {
    const plan = planReplicas(owner({ replicas: 1 }), [pod("orphan", { owner: undefined })], now);
    expect(names(plan.adopt)).toEqual(["orphan"]);
    expect(plan.create).toBe(0);
  });

  it("given a pod of another controller, when planned, then it leaves it alone", () => {
    const other = { ...ref, uid: "other-uid", name: "other" };
    const plan = planReplicas(owner({ replicas: 1 }), [pod("theirs", { owner: other })], now);
    expect(plan.adopt).toEqual([]);
    expect(plan.create).toBe(1);
  });

  it("given an owned pod whose labels no longer match, when planned, then it is released and replaced", () => {
    const plan = planReplicas(owner({ replicas: 1 }), [pod("relabelled", { labels: { app: "debug" } })], now);
    expect(names(plan.release)).toEqual(["relabelled"]);
    expect(plan.create).toBe(1);
  });

  it("given the owner is being deleted, when planned, then it neither adopts nor creates", () => {
    const plan = planReplicas(owner({ deleting: true }), [pod("orphan", { owner: undefined })], now);
    expect(plan.adopt).toEqual([]);
    expect(plan.create).toBe(0);
  });

  it("given surplus pods, when planned, then it deletes the cheapest losses first", () => {
    const pods = [
      pod("ready-long", { readyAt: "2026-03-01T10:00:00.000Z" }),
      pod("ready-short", { readyAt: "2026-03-01T11:59:00.000Z" }),
      pod("running-unready"),
      pod("pending", { phase: "Pending" }),
      pod("unscheduled", { phase: "Pending", node: "" }),
      pod("crashy", { readyAt: "2026-03-01T10:00:00.000Z", restarts: 5 }),
    ];
    const plan = planReplicas(owner({ replicas: 0 }), pods, now);
    expect(names(plan.remove)).toEqual(["unscheduled", "pending", "running-unready", "ready-short", "crashy", "ready-long"]);
  });

  it("given ready pods younger than minReadySeconds, when planned, then they are ready but not yet available, and it rechecks when they become so", () => {
    const plan = planReplicas(owner({ minReadySeconds: 30 }), [pod("old", { readyAt: "2026-03-01T11:00:00.000Z" }), pod("new", { readyAt: "2026-03-01T11:59:50.000Z" })], now);
    expect(plan.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 1 });
    expect(plan.recheckAfterMs).toBe(20_000);
  });

  it("counts the pods being deleted that still run as terminatingReplicas, for an owner that reports them", () => {
    const pods = [pod("running"), pod("stopping", { deleting: true }), pod("stopped", { deleting: true, phase: "Succeeded" })];
    expect(planReplicas(owner({ replicas: 1, reportsTerminating: true }), pods, now).status).toMatchObject({ replicas: 1, terminatingReplicas: 1 });
    expect(planReplicas(owner({ replicas: 1 }), pods, now).status).not.toHaveProperty("terminatingReplicas");
  });

  it("counts fully labelled replicas against the template's labels", () => {
    const plan = planReplicas(
      owner({ templateLabels: { app: "web", tier: "front" } }),
      [pod("full", { labels: { app: "web", tier: "front" } }), pod("partial")],
      now,
    );
    expect(plan.status.fullyLabeledReplicas).toBe(1);
  });
});
