import type { ContainerState, ContainerStatus } from "@capstan/api";
import { describe, expect, it } from "vitest";
import { initPhase, podPhase } from "./pod-phase.js";

const running: ContainerState = { running: { startedAt: "t" } };
const creating: ContainerState = { waiting: { reason: "ContainerCreating", message: "" } };
const backingOff: ContainerState = { waiting: { reason: "CrashLoopBackOff", message: "" } };
const exited = (exitCode: number): ContainerState => ({
  terminated: { exitCode, signal: 0, reason: exitCode ? "Error" : "Completed", message: "", startedAt: "t", finishedAt: "t" },
});

function container(state: ContainerState, lastState?: ContainerState): ContainerStatus {
  return { name: "c", state, ...(lastState ? { lastState } : {}), ready: false, restartCount: 0, image: "", imageId: "", containerId: "" };
}

describe("podPhase", () => {
  it.each([
    { name: "no containers yet", policy: "Always", containers: [], want: "Pending" },
    { name: "one still being created", policy: "Always", containers: [container(running), container(creating)], want: "Pending" },
    { name: "all running", policy: "Never", containers: [container(running), container(running)], want: "Running" },
    { name: "one running, one backing off", policy: "Always", containers: [container(running), container(backingOff, exited(1))], want: "Running" },
    { name: "only backing off", policy: "Always", containers: [container(backingOff, exited(1))], want: "Running" },
    { name: "Always: all exited 0 still restart", policy: "Always", containers: [container(exited(0))], want: "Running" },
    { name: "Never: all exited 0", policy: "Never", containers: [container(exited(0)), container(exited(0))], want: "Succeeded" },
    { name: "Never: one failed", policy: "Never", containers: [container(exited(0)), container(exited(2))], want: "Failed" },
    { name: "Never: one failed, one running", policy: "Never", containers: [container(exited(2)), container(running)], want: "Running" },
    { name: "OnFailure: exited 0", policy: "OnFailure", containers: [container(exited(0))], want: "Succeeded" },
    { name: "OnFailure: failed one restarts", policy: "OnFailure", containers: [container(exited(0)), container(backingOff, exited(1))], want: "Running" },
  ] as const)("$name → $want", ({ policy, containers, want }) => {
    expect(podPhase(policy, containers)).toBe(want);
  });
});

describe("initPhase", () => {
  it.each([
    { name: "no init containers: the containers decide", policy: "Always", init: [], want: undefined },
    { name: "all exited 0: the containers decide", policy: "Never", init: [container(exited(0)), container(exited(0))], want: undefined },
    { name: "first running", policy: "Always", init: [container(running), container(creating)], want: "Pending" },
    { name: "second waiting after the first", policy: "Never", init: [container(exited(0)), container(creating)], want: "Pending" },
    { name: "OnFailure: a failed one backs off", policy: "OnFailure", init: [container(backingOff, exited(1))], want: "Pending" },
    { name: "Never: a failed one fails the pod", policy: "Never", init: [container(exited(0)), container(exited(1)), container(creating)], want: "Failed" },
  ] as const)("$name → $want", ({ policy, init, want }) => {
    expect(initPhase(policy, init)).toBe(want);
  });

  const sidecar = (state: ContainerState, started: boolean, lastState?: ContainerState): ContainerStatus => ({ ...container(state, lastState), name: "proxy", started });
  it.each([
    { name: "a sidecar running, not started", init: [sidecar(running, false)], want: "Pending" },
    { name: "a sidecar started", init: [sidecar(running, true)], want: undefined },
    { name: "a sidecar restarting after it ran", init: [sidecar(backingOff, false, exited(1))], want: undefined },
    { name: "a sidecar never run", init: [sidecar(creating, false)], want: "Pending" },
    { name: "a sidecar stopped after the containers finished", init: [sidecar(exited(143), false)], want: undefined },
  ] as const)("sidecars: $name → $want", ({ init, want }) => {
    expect(initPhase("Never", init, new Set(["proxy"]))).toBe(want);
  });

  it("a sidecar restarting once the containers have run does not make the pod Pending", () => {
    expect(initPhase("Never", [sidecar(running, false, exited(0))], new Set(["proxy"]), true)).toBeUndefined();
    expect(initPhase("Never", [sidecar(creating, false)], new Set(["proxy"]), true)).toBeUndefined();
  });
});
