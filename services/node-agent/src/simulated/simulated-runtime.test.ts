import { describe, expect, it } from "vitest";
import { Pod } from "@capstan/api";
import { FakeClock } from "@capstan/apimachinery/testing";
import { SimulatedRuntime, simulatedPodIP } from "./simulated-runtime.js";

function pod(uid: string, containers = ["app", "sidecar"]): Pod {
  return Pod.fromJSON({ metadata: { uid, name: uid, namespace: "default" }, spec: { nodeName: "sim-1", containers: containers.map((name) => ({ name, image: `${name}:1` })) } });
}

function runtime(clock: FakeClock) {
  const rt = new SimulatedRuntime({ startMs: 100, startJitterMs: 50, maxStopMs: 500, clock, random: () => 0.5 });
  const changes: string[] = [];
  rt.onStatusChange((uid) => changes.push(uid));
  return { rt, changes };
}

describe("SimulatedRuntime", () => {
  it("moves a pod from ContainerCreating to Running with ready containers after the start latency", async () => {
    const clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));
    const { rt, changes } = runtime(clock);
    await rt.syncPod(pod("u1"));
    expect(rt.status("u1")).toMatchObject({ phase: "Pending", podIP: "" });
    expect(rt.status("u1")?.containerStatuses.map((c) => [c.name, c.state?.waiting?.reason, c.ready])).toEqual([
      ["app", "ContainerCreating", false],
      ["sidecar", "ContainerCreating", false],
    ]);
    clock.advance(124);
    expect(rt.status("u1")?.phase).toBe("Pending");
    clock.advance(1); // 100 ms + half of the 50 ms jitter
    const running = rt.status("u1")!;
    expect(running).toMatchObject({ phase: "Running", podIP: "10.0.0.1", startTime: "2026-01-01T00:00:00.125Z" });
    expect(running.containerStatuses.every((c) => c.ready && c.started && c.state?.running?.startedAt === running.startTime)).toBe(true);
    expect(changes).toEqual(["u1", "u1"]);
  });

  it("treats init containers as finished at once: each reported exited 0, the pod Running after the start latency", async () => {
    const clock = new FakeClock(Date.parse("2026-01-01T00:00:00Z"));
    const { rt } = runtime(clock);
    const withInit = Pod.fromJSON({ ...Pod.toJSON(pod("u1", ["app"])) as object, spec: { nodeName: "sim-1", initContainers: [{ name: "setup", image: "busybox" }], containers: [{ name: "app", image: "app:1" }] } });
    await rt.syncPod(withInit);
    expect(rt.status("u1")?.initContainerStatuses?.map((c) => [c.name, c.state?.terminated?.exitCode, c.state?.terminated?.reason])).toEqual([["setup", 0, "Completed"]]);
    clock.advance(125);
    expect(rt.status("u1")?.phase).toBe("Running");
    expect(rt.status("u1")?.initContainerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
  });

  it("gives each pod its own address and ignores a second sync", async () => {
    const clock = new FakeClock();
    const { rt, changes } = runtime(clock);
    await rt.syncPod(pod("a"));
    await rt.syncPod(pod("b"));
    await rt.syncPod(pod("a"));
    clock.advance(200);
    expect([rt.status("a")?.podIP, rt.status("b")?.podIP]).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(changes).toEqual(["a", "b", "a", "b"]);
  });

  it("keeps a pod that was Running before the fleet restarted running, with its address and start time", async () => {
    const clock = new FakeClock();
    const { rt } = runtime(clock);
    const running = Pod.fromJSON({ ...(Pod.toJSON(pod("u1")) as object), status: { phase: "Running", podIP: "10.0.3.7", startTime: "2026-01-01T00:00:00Z" } });
    await rt.syncPod(running);
    expect(rt.status("u1")).toMatchObject({ phase: "Running", podIP: "10.0.3.7", startTime: "2026-01-01T00:00:00Z" });
    expect(rt.status("u1")?.containerStatuses.every((c) => c.ready)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    await rt.syncPod(pod("new"));
    clock.advance(200);
    expect(rt.status("new")?.podIP).toBe("10.0.0.1");
  });

  it("never hands out the address of a pod it adopted", async () => {
    const clock = new FakeClock();
    const { rt } = runtime(clock);
    await rt.syncPod(Pod.fromJSON({ ...(Pod.toJSON(pod("old")) as object), status: { phase: "Running", podIP: "10.0.0.1", startTime: "2026-01-01T00:00:00Z" } }));
    await rt.syncPod(pod("new"));
    clock.advance(200);
    expect(rt.status("new")?.podIP).toBe("10.0.0.2");
  });

  it.each([
    { name: "a short grace period", grace: 0.2, stopsAfterMs: 200 },
    { name: "a long grace period is capped", grace: 30, stopsAfterMs: 500 },
    { name: "no grace", grace: 0, stopsAfterMs: 0 },
  ])("stops a pod after $name", async ({ grace, stopsAfterMs }) => {
    const clock = new FakeClock();
    const { rt } = runtime(clock);
    await rt.syncPod(pod("u1"));
    let stopped = false;
    const killing = rt.killPod("u1", grace).then(() => (stopped = true));
    if (stopsAfterMs > 0) {
      clock.advance(stopsAfterMs - 1);
      await Promise.resolve();
      expect(stopped).toBe(false);
    }
    clock.advance(1);
    await killing;
    expect(rt.status("u1")).toBeUndefined();
    expect(rt.runningPods()).toEqual([]);
    expect(clock.pendingTimers).toBe(0); // the start was cancelled too
  });

  it.each([
    { n: 0, ip: "10.0.0.1" },
    { n: 253, ip: "10.0.0.254" },
    { n: 254, ip: "10.0.1.1" },
    { n: 254 * 256, ip: "10.1.0.1" },
  ])("pod address $n is $ip", ({ n, ip }) => {
    expect(simulatedPodIP(n)).toBe(ip);
  });
});
