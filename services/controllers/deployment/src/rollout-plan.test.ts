import { describe, expect, it } from "vitest";
import { resolveFenceposts } from "./int-or-percent.js";
import { planRollout, type ReplicaSetView, type RolloutSpec } from "./rollout-plan.js";

const spec = (o: Partial<RolloutSpec> = {}): RolloutSpec => ({
  replicas: 4,
  strategy: "RollingUpdate",
  maxSurge: "1",
  maxUnavailable: "1",
  paused: false,
  revisionHistoryLimit: 10,
  ...o,
});

/** A ReplicaSet whose pods all exist and are available unless said otherwise. */
function rs(name: string, revision: number, replicas: number, o: Partial<ReplicaSetView> = {}): ReplicaSetView {
  return { name, revision, replicas, currentReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, ...o };
}

const scaled = (step: ReturnType<typeof planRollout>) => Object.fromEntries(step.scale);

describe("resolveFenceposts", () => {
  it.each([
    { surge: "25%", unavailable: "25%", replicas: 3, want: { surge: 1, unavailable: 0 } },
    { surge: "1", unavailable: "25%", replicas: 3, want: { surge: 1, unavailable: 0 } },
    { surge: "0", unavailable: "0", replicas: 3, want: { surge: 0, unavailable: 1 } },
    { surge: "50%", unavailable: "50%", replicas: 5, want: { surge: 3, unavailable: 2 } },
    { surge: "2", unavailable: "1", replicas: 10, want: { surge: 2, unavailable: 1 } },
  ])("maxSurge $surge, maxUnavailable $unavailable of $replicas → $want", ({ surge, unavailable, replicas, want }) => {
    expect(resolveFenceposts(surge, unavailable, replicas)).toEqual(want);
  });

  it("refuses what is neither a number nor a percentage", () => {
    expect(() => resolveFenceposts("lots", "1", 3)).toThrow(/must be an integer or percentage/);
  });
});

describe("planRollout, RollingUpdate", () => {
  it("given a new deployment, when planned, then the new ReplicaSet gets every replica", () => {
    expect(scaled(planRollout(spec(), rs("new", 1, 0, { availableReplicas: 0 }), []))).toEqual({ new: 4 });
  });

  it("given a fresh rollout, when planned, then it surges the new set and cuts the old one by maxUnavailable", () => {
    expect(scaled(planRollout(spec(), rs("new", 2, 0), [rs("old", 1, 4)]))).toEqual({ new: 1, old: 3 });
  });

  it("given new pods not yet available, when planned, then old available pods stay", () => {
    const step = planRollout(spec(), rs("new", 2, 2, { availableReplicas: 0 }), [rs("old", 1, 3)]);
    expect(scaled(step)).toEqual({});
  });

  it("given unavailable old pods, when planned, then those go first without costing availability", () => {
    const step = planRollout(spec(), rs("new", 2, 1), [rs("old", 1, 4, { availableReplicas: 2 })]);
    expect(scaled(step)).toEqual({ old: 2 });
  });

  it("given every new pod available, when planned, then the old set goes to zero and the new one holds replicas", () => {
    expect(scaled(planRollout(spec(), rs("new", 2, 4), [rs("old", 1, 1)]))).toEqual({ old: 0 });
  });

  it("never plans more than replicas + maxSurge nor fewer available than replicas − maxUnavailable, whatever the state", () => {
    for (let newReplicas = 0; newReplicas <= 4; newReplicas++) {
      for (let newAvailable = 0; newAvailable <= newReplicas; newAvailable++) {
        for (let oldReplicas = 0; oldReplicas <= 5 - newReplicas; oldReplicas++) {
          const s = spec();
          const newRS = rs("new", 2, newReplicas, { availableReplicas: newAvailable });
          const old = rs("old", 1, oldReplicas);
          const step = planRollout(s, newRS, [old]);
          const after = (r: ReplicaSetView) => step.scale.get(r.name) ?? r.replicas;
          expect(after(newRS) + after(old)).toBeLessThanOrEqual(Math.max(s.replicas + 1, newReplicas + oldReplicas));
          const availableAfter = Math.min(after(old), old.availableReplicas) + newAvailable;
          expect(availableAfter).toBeGreaterThanOrEqual(Math.min(s.replicas - 1, newAvailable + old.availableReplicas));
        }
      }
    }
  });

  it("given replicas lowered mid-way, when planned, then the new set shrinks to replicas", () => {
    expect(scaled(planRollout(spec({ replicas: 2 }), rs("new", 2, 4), []))).toEqual({ new: 2 });
  });
});

describe("planRollout, Recreate", () => {
  it("given old pods still running, when planned, then it scales the old set to zero and waits", () => {
    expect(scaled(planRollout(spec({ strategy: "Recreate" }), rs("new", 2, 0), [rs("old", 1, 4)]))).toEqual({ old: 0 });
  });

  it("given old pods gone, when planned, then the new set gets every replica", () => {
    const step = planRollout(spec({ strategy: "Recreate" }), rs("new", 2, 0), [rs("old", 1, 0)]);
    expect(scaled(step)).toEqual({ new: 4 });
  });

  it.each([
    { name: "pods the old set still counts", old: { currentReplicas: 2 } },
    // status.replicas leaves terminating pods out, as Kubernetes; they still run until they stop.
    { name: "pods being deleted that still run", old: { currentReplicas: 0, terminatingReplicas: 2 } },
  ])("given old $name, when planned, then the new set still waits", ({ old }) => {
    const step = planRollout(spec({ strategy: "Recreate" }), rs("new", 2, 0), [rs("old", 1, 0, old)]);
    expect(scaled(step)).toEqual({});
  });
});

describe("planRollout, paused", () => {
  it("given a paused rollout and more replicas, when planned, then the new set takes them and nothing moves", () => {
    expect(scaled(planRollout(spec({ paused: true, replicas: 6 }), rs("new", 2, 1), [rs("old", 1, 3)]))).toEqual({ new: 3 });
  });

  it("given a paused rollout and fewer replicas, when planned, then the oldest set gives them up", () => {
    expect(scaled(planRollout(spec({ paused: true, replicas: 2 }), rs("new", 2, 1), [rs("old", 1, 3)]))).toEqual({ old: 1 });
  });
});

describe("planRollout, history", () => {
  it("prunes the oldest idle ReplicaSets beyond revisionHistoryLimit", () => {
    const olds = [rs("r1", 1, 0), rs("r2", 2, 0), rs("r3", 3, 0), rs("r4", 4, 1)];
    expect(planRollout(spec({ revisionHistoryLimit: 1 }), rs("new", 5, 4), olds).prune).toEqual(["r1", "r2"]);
  });
});
