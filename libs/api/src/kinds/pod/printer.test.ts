import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { podPrinter, podStatusText } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;

function aPod(status: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name: "web", namespace: "default", creationTimestamp: created, ...extra },
    spec: { nodeName: "node-1", containers: [{ name: "a" }, { name: "b" }] },
    status,
  };
}

function aSidecarPod(status: Record<string, unknown>) {
  const pod = aPod({ phase: "Running", ...status });
  return { ...pod, spec: { ...pod.spec, initContainers: [{ name: "setup" }, { name: "proxy", restartPolicy: "Always" }] } };
}

function anInitPod(status: Record<string, unknown>) {
  const pod = aPod({ phase: "Pending", ...status });
  return { ...pod, spec: { ...pod.spec, initContainers: [{ name: "i1" }, { name: "i2" }] } };
}

describe("pod STATUS column", () => {
  it.each([
    ["running", aPod({ phase: "Running", containerStatuses: [{ ready: true, state: { running: {} } }] }), "Running"],
    ["crash loop", aPod({ phase: "Running", containerStatuses: [{ state: { waiting: { reason: "CrashLoopBackOff" } } }] }), "CrashLoopBackOff"],
    ["image pull failed", aPod({ phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ErrImagePull" } } }] }), "ErrImagePull"],
    ["image pull backing off", aPod({ phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ImagePullBackOff" } } }] }), "ImagePullBackOff"],
    ["completed", aPod({ phase: "Succeeded", containerStatuses: [{ state: { terminated: { reason: "Completed", exitCode: 0 } } }] }), "Completed"],
    ["exit code", aPod({ phase: "Failed", containerStatuses: [{ state: { terminated: { exitCode: 3 } } }] }), "ExitCode:3"],
    ["bound, nothing reported", aPod({ phase: "Pending" }), "ContainerCreating"],
    ["terminating", aPod({ phase: "Running" }, { deletionTimestamp: created }), "Terminating"],
    ["first of two init containers running", anInitPod({ initContainerStatuses: [{ state: { running: {} } }, { state: { waiting: { reason: "PodInitializing" } } }] }), "Init:0/2"],
    ["second init container running", anInitPod({ initContainerStatuses: [{ state: { terminated: { exitCode: 0, reason: "Completed" } } }, { state: { running: {} } }] }), "Init:1/2"],
    ["init container failed", anInitPod({ phase: "Failed", initContainerStatuses: [{ state: { terminated: { exitCode: 1, reason: "Error" } } }, { state: { waiting: { reason: "PodInitializing" } } }] }), "Init:Error"],
    ["init container without a reason", anInitPod({ initContainerStatuses: [{ state: { terminated: { exitCode: 3 } } }, {}] }), "Init:ExitCode:3"],
    ["init container crash loop", anInitPod({ initContainerStatuses: [{ state: { waiting: { reason: "CrashLoopBackOff" } } }, {}] }), "Init:CrashLoopBackOff"],
    ["init container image backing off", anInitPod({ initContainerStatuses: [{ state: { waiting: { reason: "ImagePullBackOff" } } }, {}] }), "Init:ImagePullBackOff"],
    [
      "init done, app running",
      anInitPod({
        phase: "Running",
        initContainerStatuses: [{ state: { terminated: { exitCode: 0, reason: "Completed" } } }, { state: { terminated: { exitCode: 0, reason: "Completed" } } }],
        containerStatuses: [{ ready: true, state: { running: {} } }],
      }),
      "Running",
    ],
    [
      "sidecar not started yet",
      aSidecarPod({ phase: "Pending", initContainerStatuses: [{ name: "setup", state: { terminated: { exitCode: 0 } } }, { name: "proxy", started: false, state: { running: {} } }] }),
      "Init:1/2",
    ],
    [
      "sidecar started, app running",
      aSidecarPod({
        initContainerStatuses: [{ name: "setup", state: { terminated: { exitCode: 0 } } }, { name: "proxy", started: true, state: { running: {} } }],
        containerStatuses: [{ ready: true, state: { running: {} } }],
      }),
      "Running",
    ],
    [
      "sidecar restarting after the pod initialized",
      aSidecarPod({
        conditions: [{ type: "Initialized", status: "True" }],
        initContainerStatuses: [{ name: "setup", state: { terminated: { exitCode: 0 } } }, { name: "proxy", state: { waiting: { reason: "CrashLoopBackOff" } } }],
        containerStatuses: [{ ready: true, state: { running: {} } }],
      }),
      "Running",
    ],
  ])("%s", (_name, pod, want) => {
    expect(podStatusText(pod)).toBe(want);
  });
});

describe("pod table", () => {
  it("prints kubectl's columns, wide adds IP, NODE, NOMINATED NODE and READINESS GATES", () => {
    const pod = aPod({
      phase: "Running",
      podIP: "127.1.0.2",
      containerStatuses: [
        { ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: "2026-01-01T00:00:20Z" } } },
        { ready: false, restartCount: 1, state: { running: {} } },
      ],
    });
    const opts = { wide: true, withNamespace: false, now };
    expect(formatTable(printerColumns(podPrinter, opts), [printerRow(podPrinter, pod, opts)])).toBe(
      [
        "NAME   READY   STATUS    RESTARTS      AGE   IP          NODE     NOMINATED NODE   READINESS GATES",
        "web    1/2     Running   3 (45s ago)   65s   127.1.0.2   node-1   <none>           <none>",
      ].join("\n"),
    );
  });

  it("shows the node a preempting pod is nominated for, and how many readiness gates are met", () => {
    const pod = aPod({ phase: "Pending", nominatedNodeName: "node-2", conditions: [{ type: "example.com/lb", status: "True" }, { type: "example.com/dns", status: "False" }] });
    const gated = { ...pod, spec: { ...pod.spec, readinessGates: [{ conditionType: "example.com/lb" }, { conditionType: "example.com/dns" }] } };
    expect(printerRow(podPrinter, gated, { wide: true, withNamespace: false, now }).slice(-2)).toEqual(["node-2", "1/2"]);
  });

  it("counts started sidecars in READY, as kubectl counts restartable init containers", () => {
    const pod = aSidecarPod({
      initContainerStatuses: [
        { name: "setup", ready: false, state: { terminated: { exitCode: 0 } } },
        { name: "proxy", ready: true, started: true, state: { running: {} } },
      ],
      containerStatuses: [{ ready: true, state: { running: {} } }, { ready: false, state: { running: {} } }],
    });
    expect(printerRow(podPrinter, pod, { wide: false, withNamespace: false, now })[1]).toBe("2/3");
  });
});
