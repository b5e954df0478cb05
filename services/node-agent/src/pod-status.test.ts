import type { ContainerStatus } from "@capstan/api";
import { describe, expect, it } from "vitest";
import { podStatusFrom, podStatusHasChanged } from "./pod-status.js";
import type { PodRuntimeStatus } from "./runtime/index.js";

function containerStatus(name: string, ready: boolean): ContainerStatus {
  return { name, state: { running: { startedAt: "2026-01-01T00:00:00Z" } }, ready, restartCount: 0, image: "nginx", imageId: "", containerId: "", started: true };
}

function runtimeStatus(phase: PodRuntimeStatus["phase"], ready: Record<string, boolean>): PodRuntimeStatus {
  return { podIP: "127.1.0.2", phase, containerStatuses: Object.entries(ready).map(([name, r]) => containerStatus(name, r)) };
}

const conditionsOf = (status: Record<string, unknown>, type: string) =>
  (status["conditions"] as Array<{ type: string }>).find((c) => c.type === type);

describe("podStatusFrom", () => {
  it.each([
    { name: "all containers ready", runtime: runtimeStatus("Running", { a: true, b: true }), want: { status: "True" } },
    {
      name: "a container not ready (its readiness probe has not passed)",
      runtime: runtimeStatus("Running", { a: true, b: false, c: false }),
      want: { status: "False", reason: "ContainersNotReady", message: "containers with unready status: [b c]" },
    },
    { name: "a completed pod", runtime: runtimeStatus("Succeeded", { a: false }), want: { status: "False", reason: "PodCompleted" } },
  ])("Ready and ContainersReady follow the containers: $name", ({ runtime, want }) => {
    const status = podStatusFrom({ metadata: { name: "p" } }, runtime, "127.0.0.1", "2026-01-01T00:00:01Z");
    for (const type of ["Ready", "ContainersReady"]) {
      const c = conditionsOf(status, type) as Record<string, unknown>;
      expect(c).toMatchObject({ type, ...want });
      if (!("reason" in want)) expect(c["reason"]).toBeUndefined();
    }
  });

  it.each([
    { name: "no init containers", init: undefined, want: { status: "True" } },
    { name: "every init container exited 0", init: [["setup", 0]] as const, want: { status: "True" } },
    {
      name: "one still running, one failed",
      init: [["setup", undefined], ["migrate", 1]] as const,
      want: { status: "False", reason: "ContainersNotInitialized", message: "containers with incomplete status: [setup migrate]" },
    },
  ])("Initialized follows the init containers: $name", ({ init, want }) => {
    const runtime: PodRuntimeStatus = {
      ...runtimeStatus("Pending", { a: false }),
      ...(init
        ? {
            initContainerStatuses: init.map(([name, exitCode]) => ({
              ...containerStatus(name, false),
              state: exitCode === undefined ? { running: { startedAt: "t" } } : { terminated: { exitCode, signal: 0, reason: "", message: "", startedAt: "t", finishedAt: "t" } },
            })),
          }
        : {}),
    };
    const status = podStatusFrom({ metadata: { name: "p" } }, runtime, "127.0.0.1", "2026-01-01T00:00:01Z");
    expect(conditionsOf(status, "Initialized")).toMatchObject({ type: "Initialized", ...want });
    expect((status["initContainerStatuses"] as unknown[] | undefined)?.length).toBe(init?.length);
  });

  it("keeps lastTransitionTime while Ready does not change, and moves it when it does", () => {
    const t1 = "2026-01-01T00:00:01Z";
    const t2 = "2026-01-01T00:00:02Z";
    const t3 = "2026-01-01T00:00:03Z";
    const first = podStatusFrom({}, runtimeStatus("Running", { a: false }), "127.0.0.1", t1);
    const second = podStatusFrom({ status: first }, runtimeStatus("Running", { a: false }), "127.0.0.1", t2);
    const third = podStatusFrom({ status: second }, runtimeStatus("Running", { a: true }), "127.0.0.1", t3);
    expect(conditionsOf(second, "Ready")).toMatchObject({ status: "False", lastTransitionTime: t1 });
    expect(conditionsOf(third, "Ready")).toMatchObject({ status: "True", lastTransitionTime: t3 });
  });
});

describe("podStatusFrom with a sidecar", () => {
  const pod = { spec: { initContainers: [{ name: "proxy", restartPolicy: "Always" }], containers: [{ name: "a" }] } };
  const withSidecar = (sidecarReady: boolean): PodRuntimeStatus => ({ ...runtimeStatus("Running", { a: true }), initContainerStatuses: [containerStatus("proxy", sidecarReady)] });
  it.each([
    { name: "sidecar ready", sidecarReady: true, want: { status: "True" } },
    { name: "sidecar unready", sidecarReady: false, want: { status: "False", reason: "ContainersNotReady", message: "containers with unready status: [proxy]" } },
  ])("Ready: $name", ({ sidecarReady, want }) => {
    const status = podStatusFrom(pod, withSidecar(sidecarReady), "127.0.0.1", "2026-01-01T00:00:00Z");
    expect(conditionsOf(status, "Ready")).toMatchObject(want);
    // A started sidecar is initialized although it never exits.
    expect(conditionsOf(status, "Initialized")).toMatchObject({ status: "True" });
  });
});

describe("podStatusHasChanged", () => {
  const running = podStatusFrom({}, runtimeStatus("Running", { a: true }), "127.0.0.1", "2026-01-01T00:00:01Z");
  const reordered = Object.fromEntries(Object.entries(running).reverse());
  it.each([
    { name: "our own write came back (keys in another order)", previous: reordered, next: running, want: false },
    { name: "the same status computed later", previous: running, next: podStatusFrom({ status: running }, runtimeStatus("Running", { a: true }), "127.0.0.1", "2026-01-01T00:00:09Z"), want: false },
    { name: "a container became unready", previous: running, next: podStatusFrom({ status: running }, runtimeStatus("Running", { a: false }), "127.0.0.1", "2026-01-01T00:00:09Z"), want: true },
    { name: "no status yet", previous: undefined, next: running, want: true },
  ])("$name → $want", ({ previous, next, want }) => {
    expect(podStatusHasChanged(previous, next)).toBe(want);
  });
});
