import { describe, expect, it } from "vitest";
import { daemonSetRolloutStatus } from "./rollout-viewers.js";

const ds = (status: Record<string, number>, generation = 2, type = "RollingUpdate") => ({
  metadata: { name: "log-shipper", generation },
  spec: { updateStrategy: { type } },
  status: { observedGeneration: 2, desiredNumberScheduled: 3, ...status },
});

describe("daemonSetRolloutStatus (DaemonSetStatusViewer)", () => {
  it.each([
    { name: "a spec not yet observed", o: ds({ updatedNumberScheduled: 3, numberAvailable: 3 }, 3), want: { phase: "Waiting", message: "Waiting for daemon set spec update to be observed..." } },
    {
      name: "pods still to update",
      o: ds({ updatedNumberScheduled: 1, numberAvailable: 3 }),
      want: { phase: "Waiting", message: 'Waiting for daemon set "log-shipper" rollout to finish: 1 out of 3 new pods have been updated...' },
    },
    {
      name: "updated pods not yet available",
      o: ds({ updatedNumberScheduled: 3, numberAvailable: 2 }),
      want: { phase: "Waiting", message: 'Waiting for daemon set "log-shipper" rollout to finish: 2 of 3 updated pods are available...' },
    },
    { name: "a finished rollout", o: ds({ updatedNumberScheduled: 3, numberAvailable: 3 }), want: { phase: "Complete", message: 'daemon set "log-shipper" successfully rolled out' } },
  ])("$name", ({ o, want }) => {
    expect(daemonSetRolloutStatus(o)).toEqual(want);
  });

  it("refuses OnDelete, which has no rollout to watch", () => {
    expect(daemonSetRolloutStatus(ds({}, 2, "OnDelete"))).toEqual({ phase: "Failed", message: "rollout status is only available for RollingUpdate strategy type" });
  });
});
