import { afterEach, describe, expect, it, vi } from "vitest";
import { createFakeGateway, type FakeGateway } from "@capstan/client/testing";
import { aWebDeployment } from "../testing/builders.js";
import { deploymentRolloutStatus } from "../rollout-viewers.js";
import { rolloutStatus } from "./rollout-status.js";

afterEach(() => vi.restoreAllMocks());

type Json = Record<string, any>;

/** Deployment "web" (3 replicas) at generation 2, with this status. */
const at = (status: Json, generation = 2): Json => aWebDeployment({ replicas: 3, generation, status });
const progressing = (reason: string, status = "True") => ({ conditions: [{ type: "Progressing", status, reason }] });

describe("deploymentRolloutStatus", () => {
  it.each([
    { name: "spec not yet observed", d: at({ observedGeneration: 1, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), phase: "Waiting", message: "Waiting for deployment spec update to be observed..." },
    { name: "no status at all", d: at({}, 1), phase: "Waiting", message: "Waiting for deployment spec update to be observed..." },
    { name: "updating", d: at({ observedGeneration: 2, updatedReplicas: 1, replicas: 4, availableReplicas: 3 }), phase: "Waiting", message: 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...' },
    { name: "old pods terminating", d: at({ observedGeneration: 2, updatedReplicas: 3, replicas: 4, availableReplicas: 3 }), phase: "Waiting", message: 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...' },
    { name: "updated, not yet available", d: at({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 1 }), phase: "Waiting", message: 'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...' },
    { name: "complete", d: at({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3, ...progressing("NewReplicaSetAvailable") }), phase: "Complete", message: 'deployment "web" successfully rolled out' },
    { name: "observed a newer generation", d: at({ observedGeneration: 3, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }), phase: "Complete", message: 'deployment "web" successfully rolled out' },
    { name: "scaled to zero", d: { ...at({ observedGeneration: 2 }), spec: { ...at({})["spec"], replicas: 0 } }, phase: "Complete", message: 'deployment "web" successfully rolled out' },
    { name: "past its progress deadline", d: at({ observedGeneration: 2, updatedReplicas: 1, replicas: 3, availableReplicas: 2, ...progressing("ProgressDeadlineExceeded", "False") }), phase: "Failed", message: 'deployment "web" exceeded its progress deadline' },
    { name: "a deadline not yet seen at this generation", d: at({ observedGeneration: 1, ...progressing("ProgressDeadlineExceeded", "False") }), phase: "Waiting", message: "Waiting for deployment spec update to be observed..." },
  ])("$name", ({ d, phase, message }) => {
    expect(deploymentRolloutStatus(d)).toEqual({ phase, message });
  });
});

/**
 * A gateway holding Deployment "web" (3 replicas) at generation 2 (its image changed once), with this
 * status; `progress` is its controller writing the next one.
 */
async function aRollout(status: Json): Promise<FakeGateway> {
  const gw = await createFakeGateway();
  await gw.apply(aWebDeployment({ replicas: 3, image: "nginx:1.27" }));
  await gw.apply(aWebDeployment({ replicas: 3, image: "nginx:1.28", status }));
  return gw;
}
const progress = (gw: FakeGateway, status: Json) => gw.change("Deployment", "web", (d) => ({ ...d, status }));

const options = { namespace: "default", watch: true, timeoutMs: 0 };

/** The gateway's Watch, spied on; `watching(count)` waits until it has been opened that often. */
function spyOnWatch(gw: FakeGateway) {
  const watch = vi.spyOn(gw, "watch");
  return { watch, watching: (count = 1) => vi.waitFor(() => expect(watch).toHaveBeenCalledTimes(count)) };
}

describe("rolloutStatus", () => {
  it("prints each new status line until the rollout completes, watching from the list's revision", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await aRollout({ observedGeneration: 1 });
    const { watch, watching } = spyOnWatch(gw);
    const listedAt = String(gw.revision);
    const done = rolloutStatus(gw, ["deployment/web"], options);
    await watching();
    expect(watch.mock.calls[0]![0]).toMatchObject({ kind: "Deployment", namespace: "default", fieldSelector: "metadata.name=web", resourceVersion: listedAt });
    await progress(gw, { observedGeneration: 2, updatedReplicas: 1, replicas: 4, readyReplicas: 3, availableReplicas: 3 });
    // A change that says the same: no new line.
    await progress(gw, { observedGeneration: 2, updatedReplicas: 1, replicas: 4, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 });
    await progress(gw, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, readyReplicas: 2, availableReplicas: 2 });
    await progress(gw, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    await done;
    expect(log.mock.calls.map((c) => c[0])).toEqual([
      "Waiting for deployment spec update to be observed...",
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
      'deployment "web" successfully rolled out',
    ]);
  });

  it("fails when the Deployment exceeds its progress deadline", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await aRollout({ observedGeneration: 2, updatedReplicas: 1, replicas: 3 });
    const { watching } = spyOnWatch(gw);
    const done = rolloutStatus(gw, ["deployment/web"], options);
    await watching();
    await progress(gw, { observedGeneration: 2, updatedReplicas: 1, replicas: 3, ...progressing("ProgressDeadlineExceeded", "False") });
    await expect(done).rejects.toThrow('deployment "web" exceeded its progress deadline');
  });

  it("gives up after the timeout", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await aRollout({ observedGeneration: 1 });
    await expect(rolloutStatus(gw, ["deployment/web"], { ...options, timeoutMs: 50 })).rejects.toThrow(
      'timed out waiting for the condition: deployment "web" did not finish its rollout within 50ms',
    );
  });

  it("with --watch=false prints the status once and returns", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await aRollout({ observedGeneration: 2, updatedReplicas: 3, replicas: 3, readyReplicas: 1, availableReplicas: 1 });
    const { watch } = spyOnWatch(gw);
    await rolloutStatus(gw, ["deployment", "web"], { ...options, watch: false });
    expect(log.mock.calls.map((c) => c[0])).toEqual(['Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...']);
    expect(watch).not.toHaveBeenCalled();
  });

  it("lists again and watches on when the gateway ends the watch", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await aRollout({ observedGeneration: 1 });
    const { watch, watching } = spyOnWatch(gw);
    const done = rolloutStatus(gw, ["deployment/web"], options);
    await watching();
    // A change the ended watch never delivers: the list after it finds it.
    gw.hold("Deployment");
    await progress(gw, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, readyReplicas: 1, availableReplicas: 1 });
    const relistedAt = String(gw.revision);
    gw.endWatches();
    await watching(2);
    expect(watch.mock.calls[1]![0].resourceVersion).toBe(relistedAt);
    await gw.release("Deployment");
    await progress(gw, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    await done;
    expect(log.mock.calls.map((c) => c[0])).toEqual([
      "Waiting for deployment spec update to be observed...",
      'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...',
      'deployment "web" successfully rolled out',
    ]);
  });

  it("fails when the Deployment is deleted, or is not there", async () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const gw = await aRollout({ observedGeneration: 1 });
    const { watching } = spyOnWatch(gw);
    const done = rolloutStatus(gw, ["deployment/web"], options);
    await watching();
    await gw.delete({ kind: "Deployment", namespace: "default", name: "web" });
    await expect(done).rejects.toThrow('deployment "web" was deleted while waiting for its rollout');
    await expect(rolloutStatus(await createFakeGateway(), ["deployment/web"], options)).rejects.toThrow('Deployment "default/web" not found');
  });
});
