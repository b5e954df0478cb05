import { describe, expect, it } from "vitest";
import { containerStatus, isRunning, pidOf, readAll, uid, useProcessRuntimes } from "./process-runtime-harness.js";
import { aContainer, aPod, eventually } from "./testing.js";

const { runtime } = useProcessRuntimes("127.202");

describe("ProcessRuntime: a container's lifecycle", () => {
  it.each([
    { name: "Never, exit 0 → Succeeded", policy: "Never", exit: 0, phase: "Succeeded", reason: "Completed" },
    { name: "Never, exit 7 → Failed", policy: "Never", exit: 7, phase: "Failed", reason: "Error" },
    { name: "OnFailure, exit 0 → Succeeded", policy: "OnFailure", exit: 0, phase: "Succeeded", reason: "Completed" },
  ] as const)("ends the pod by its restart policy: $name", async ({ policy, exit, phase, reason }) => {
    const { rt } = runtime();
    const pod = aPod("once")
      .restartPolicy(policy)
      .with(aContainer("main", "debian", { command: ["/bin/sh", "-c", `sleep 0.2; exit ${exit}`] }))
      .build();
    await rt.syncPod(pod);
    const status = await eventually(() => {
      const s = rt.status(uid(pod));
      expect(s?.phase).toBe(phase);
      return s!;
    });
    const c = status.containerStatuses[0];
    expect(c?.state?.terminated).toMatchObject({ exitCode: exit, reason });
    expect(c?.restartCount).toBe(0);
  });

  it("restarts a crashing container with growing back-off (Always), in CrashLoopBackOff in between", async () => {
    const { rt, events } = runtime({ backoffBaseMs: 300, backoffCapMs: 1200 });
    const pod = aPod("crasher")
      .with(aContainer("main", "busybox", { command: ["/bin/sh", "-c", "echo run $(cat /proc/sys/kernel/random/uuid); exit 3"] }))
      .build();
    const startedAt: number[] = [];
    rt.onEvent((e) => {
      if (e.reason === "Started") startedAt.push(Date.now());
    });
    const waiting = new Set<string>();
    rt.onStatusChange(() => {
      const reason = rt.status(uid(pod))?.containerStatuses[0]?.state?.waiting?.reason;
      if (reason) waiting.add(reason);
    });
    await rt.syncPod(pod);

    await eventually(() => expect(startedAt.length).toBeGreaterThanOrEqual(4));
    const status = rt.status(uid(pod))!;
    expect(status.containerStatuses[0]?.restartCount).toBeGreaterThanOrEqual(3);
    expect(status.phase).toBe("Running");
    expect(status.containerStatuses[0]?.lastState?.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    expect(waiting).toContain("CrashLoopBackOff");
    expect(events.find((e) => e.reason === "BackOff")).toMatchObject({ type: "Warning", container: "main" });
    expect(events.find((e) => e.reason === "BackOff")?.message).toContain("Back-off restarting failed container main");
    // The first restart is immediate, then each waits at least the doubled back-off (300, 600 ms).
    const gaps = startedAt.slice(1).map((t, i) => t - (startedAt[i] ?? 0));
    expect(gaps[1]).toBeGreaterThanOrEqual(280);
    expect(gaps[2]).toBeGreaterThanOrEqual(580);

    // The current instance may have started a moment ago and not written its line yet.
    const current = await eventually(async () => {
      const text = await readAll(rt.logs(uid(pod), "main", { follow: false }));
      expect(text).toMatch(/^run [0-9a-f-]{36}\n$/);
      return text;
    });
    const previous = await readAll(rt.logs(uid(pod), "main", { follow: false, previous: true }));
    expect(previous).toMatch(/^run [0-9a-f-]{36}\n$/);
    expect(previous).not.toBe(current);
  });

  it("kills a container that ignores SIGTERM after the grace period, and frees the pod", async () => {
    const { rt, events } = runtime();
    const pod = aPod("stubborn")
      .with(aContainer("main", "debian", { command: ["/bin/sh", "-c", "trap '' TERM; echo trapped; while :; do sleep 1; done"] }))
      .build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Running"));
    // Running means exec'd; the shell ignores SIGTERM only once it has run the trap.
    await eventually(async () => expect(await readAll(rt.logs(uid(pod), "main", { follow: false }))).toBe("trapped\n"));
    const pid = pidOf(rt, pod, "main");
    expect(isRunning(pid)).toBe(true);

    const t0 = Date.now();
    await rt.killPod(uid(pod), 2);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(5000);
    expect(isRunning(pid)).toBe(false);
    expect(events.filter((e) => e.reason === "Killing").map((e) => e.message)).toEqual(["Stopping container main"]);
    expect(rt.status(uid(pod))).toBeUndefined();
    expect(rt.runningPods()).not.toContain(uid(pod));
  });

  it("restarts a container killed with SIGKILL in place, counting the restart", async () => {
    const { rt } = runtime();
    const pod = aPod("victim").with(aContainer("main", "debian", { command: ["/bin/sh", "-c", "while :; do sleep 1; done"] })).build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Running"));
    const ip = rt.status(uid(pod))?.podIP;
    const pid = pidOf(rt, pod, "main");
    process.kill(pid, "SIGKILL");

    const c = await eventually(() => {
      const s = containerStatus(rt, pod, "main");
      expect(s).toMatchObject({ restartCount: 1, ready: true, state: { running: expect.anything() } });
      return s;
    });
    expect(c.lastState?.terminated).toMatchObject({ exitCode: 137, signal: 9, reason: "Error" });
    expect(pidOf(rt, pod, "main")).not.toBe(pid);
    expect(isRunning(pidOf(rt, pod, "main"))).toBe(true);
    expect(rt.status(uid(pod))?.podIP).toBe(ip);
  });
});
