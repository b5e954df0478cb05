import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { containerPids, isRunning, pidOf, runPreviousLife, uid, useProcessRuntimes } from "./process-runtime-harness.js";
import { aContainer, aPod, eventually } from "./testing.js";

const podIPBase = "127.204";
const { runtime, newStateDir } = useProcessRuntimes(podIPBase);

describe("ProcessRuntime: recovery after an agent restart", () => {
  it("kills the containers a previous life of the agent left running", async () => {
    const stateDir = newStateDir();
    const pod = aPod("survivor").with(aContainer("main", "debian", { command: ["/bin/sh", "-c", "while :; do sleep 1; done"] })).build();
    // The first agent runs in its own process and dies without shutting down.
    const [before] = await runPreviousLife(stateDir, podIPBase, [pod]);
    const pid = containerPids(before)[0] ?? 0;
    expect(isRunning(pid)).toBe(true);

    const { rt } = runtime({ stateDir });
    await eventually(() => expect(isRunning(pid)).toBe(false));
    expect(rt.runningPods()).toEqual([uid(pod)]);
    // Re-synced, the pod keeps its IP and counts the lost instance as a restart.
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Running"));
    expect(rt.status(uid(pod))?.podIP).toBe(before?.podIP);
    expect(rt.status(uid(pod))?.containerStatuses[0]?.restartCount).toBe(1);
  });

  it("after a previous life killed with SIGKILL, kills the processes of a pod deleted meanwhile and frees it, and runs the kept pod again", async () => {
    const stateDir = newStateDir();
    const loop = { command: ["/bin/sh", "-c", "while :; do sleep 1; done"] };
    const deleted = aPod("deleted-while-down").with(aContainer("main", "debian", loop)).with(aContainer("side", "debian", loop)).build();
    const kept = aPod("kept").with(aContainer("main", "debian", loop)).build();
    const before = await runPreviousLife(stateDir, podIPBase, [deleted, kept]);
    const pids = before.map(containerPids);
    expect(pids.flat().filter(isRunning)).toHaveLength(3);

    // The new life: what the pod manager does after listing this node's pods, where the deleted one is gone.
    const { rt } = runtime({ stateDir });
    expect(rt.runningPods().sort()).toEqual([uid(deleted), uid(kept)].sort());
    await rt.killPod(uid(deleted), 0);
    await rt.syncPod(kept);
    await eventually(() => expect(pids.flat().filter(isRunning)).toEqual([]));
    expect(rt.runningPods()).toEqual([uid(kept)]);
    expect(existsSync(join(stateDir, "pods", uid(deleted)))).toBe(false);
    expect(JSON.stringify(JSON.parse(readFileSync(join(stateDir, "pod-ips.json"), "utf8")))).not.toContain(uid(deleted));
    await eventually(() => expect(rt.status(uid(kept))?.phase).toBe("Running"));
    expect(rt.status(uid(kept))?.podIP).toBe(before[1]!.podIP);
    expect(isRunning(pidOf(rt, kept, "main"))).toBe(true);
  });
});
