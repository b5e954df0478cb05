import { describe, expect, it } from "vitest";
import { deploymentStatus, type DeploymentStatusView, type StatusInput } from "./deployment-status.js";
import type { ReplicaSetView } from "./rollout-plan.js";

const t0 = new Date("2026-03-01T12:00:00.000Z");
const later = (s: number) => new Date(t0.getTime() + s * 1000);

function rs(name: string, replicas: number, available = replicas): ReplicaSetView {
  return { name, revision: 1, replicas, currentReplicas: replicas, readyReplicas: available, availableReplicas: available };
}

function input(o: Partial<StatusInput> = {}): StatusInput {
  return {
    spec: { replicas: 3, strategy: "RollingUpdate", maxSurge: "1", maxUnavailable: "0", paused: false, revisionHistoryLimit: 10, progressDeadlineSeconds: 60 },
    generation: 2,
    newRS: rs("web-new", 3),
    olds: [],
    previous: undefined,
    acted: false,
    now: t0,
    ...o,
  };
}

const condition = (s: DeploymentStatusView, type: string) => s.conditions.find((c) => c.type === type)!;

describe("deploymentStatus", () => {
  it("given every replica updated and available, then Available and Progressing report success", () => {
    const s = deploymentStatus(input());
    expect(s).toMatchObject({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0 });
    expect(condition(s, "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable" });
    expect(condition(s, "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });
  });

  it("given a rollout under way, then it counts old and new pods and is progressing", () => {
    const s = deploymentStatus(input({ newRS: rs("web-new", 1, 0), olds: [rs("web-old", 3)], acted: true }));
    expect(s).toMatchObject({ replicas: 4, updatedReplicas: 1, availableReplicas: 3, unavailableReplicas: 0 });
    expect(condition(s, "Progressing")).toMatchObject({ status: "True", reason: "ReplicaSetUpdated" });
  });

  it("given no progress for longer than progressDeadlineSeconds, then Progressing is False with ProgressDeadlineExceeded", () => {
    const stuck = input({ newRS: rs("web-new", 1, 0), olds: [rs("web-old", 3)] });
    const first = deploymentStatus({ ...stuck, acted: true });
    const within = deploymentStatus({ ...stuck, previous: first, now: later(30) });
    expect(condition(within, "Progressing").reason).toBe("ReplicaSetUpdated");
    const past = deploymentStatus({ ...stuck, previous: within, now: later(61) });
    expect(condition(past, "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded", lastTransitionTime: later(61).toISOString() });
  });

  it("given progress after the deadline passed, then Progressing turns True again", () => {
    const stuck = input({ newRS: rs("web-new", 1, 0), olds: [rs("web-old", 3)] });
    const exceeded = deploymentStatus({ ...stuck, previous: deploymentStatus({ ...stuck, acted: true }), now: later(61) });
    const moved = deploymentStatus({ ...stuck, newRS: rs("web-new", 1, 1), previous: exceeded, now: later(70) });
    expect(condition(moved, "Progressing")).toMatchObject({ status: "True", reason: "ReplicaSetUpdated" });
  });

  it("given fewer available than replicas − maxUnavailable, then Available is False", () => {
    const s = deploymentStatus(input({ newRS: rs("web-new", 3, 2) }));
    expect(condition(s, "Available")).toMatchObject({ status: "False", reason: "MinimumReplicasUnavailable" });
    expect(s.unavailableReplicas).toBe(1);
  });

  it("given a paused deployment, then Progressing is Unknown with DeploymentPaused", () => {
    const s = deploymentStatus(input({ spec: { ...input().spec, paused: true } }));
    expect(condition(s, "Progressing")).toMatchObject({ status: "Unknown", reason: "DeploymentPaused" });
  });

  it("keeps timestamps of unchanged conditions, so a repeated sync writes nothing new", () => {
    const first = deploymentStatus(input());
    expect(deploymentStatus(input({ previous: first, now: later(10) }))).toEqual(first);
  });
});
