import type { Pod } from "@capstan/api";
import { describe, expect, it } from "vitest";
import { readAll, uid, useProcessRuntimes } from "./process-runtime-harness.js";
import type { ProcessRuntime } from "./process-runtime.js";
import { aContainer, anExecProbe, aPod, eventually } from "./testing.js";

const { runtime } = useProcessRuntimes("127.201");
const mount = { name: "work", mountPath: "/work", readOnly: false, subPath: "" };

function sh(name: string, script: string) {
  return aContainer(name, "busybox", { command: ["/bin/sh", "-c", script], volumeMounts: [mount] });
}

function aPodWithInit(name: string, ...init: ReturnType<typeof sh>[]) {
  const pod = aPod(name).withVolume({ name: "work", emptyDir: { medium: "" } });
  for (const c of init) pod.withInit(c);
  return pod;
}

const initStates = (rt: ProcessRuntime, pod: Pod) =>
  (rt.status(uid(pod))?.initContainerStatuses ?? []).map((c) => [c.name, Object.keys(c.state ?? {}).find((k) => c.state?.[k as "running"]) ?? "", c.state?.terminated?.exitCode]);

describe("ProcessRuntime init containers", () => {
  it("runs them one at a time, in order, and the containers only after: the pod is Pending until then", async () => {
    const { rt } = runtime();
    const pod = aPodWithInit("ordered", sh("first", "echo one > /work/log; sleep 1"), sh("second", "echo two >> /work/log"))
      .with(sh("app", "cat /work/log; sleep 1000"))
      .build();
    await rt.syncPod(pod);
    await eventually(() => expect(initStates(rt, pod)).toEqual([["first", "running", undefined], ["second", "waiting", undefined]]));
    expect(rt.status(uid(pod))?.phase).toBe("Pending");
    expect(rt.status(uid(pod))?.containerStatuses[0]?.state?.waiting?.reason).toBe("PodInitializing");

    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Running"), { timeoutMs: 20_000 });
    expect(initStates(rt, pod)).toEqual([["first", "terminated", 0], ["second", "terminated", 0]]);
    // The app saw both lines: each init container ran to its end, in order, before it.
    await eventually(async () => expect(await readAll(rt.logs(uid(pod), "app", { follow: false }))).toBe("one\ntwo\n"));
  });

  it.each([
    { name: "Never: the pod fails", policy: "Never" as const, phase: "Failed", restarts: 0 },
    { name: "OnFailure: restarted, then the pod runs", policy: "OnFailure" as const, phase: "Running", restarts: 1 },
    { name: "Always: restarted like OnFailure, then the pod runs", policy: "Always" as const, phase: "Running", restarts: 1 },
  ])("an init container that fails once, restartPolicy $name", async ({ policy, phase, restarts }) => {
    const { rt } = runtime({ backoffBaseMs: 50 });
    const pod = aPodWithInit("flaky", sh("flaky", "[ -f /work/once ] && exit 0; touch /work/once; exit 3"))
      .with(sh("app", "sleep 1000"))
      .restartPolicy(policy)
      .build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe(phase), { timeoutMs: 20_000 });
    const init = rt.status(uid(pod))?.initContainerStatuses?.[0];
    expect(init?.restartCount).toBe(restarts);
    expect(init?.state?.terminated?.exitCode).toBe(phase === "Failed" ? 3 : 0);
    if (phase === "Failed") expect(rt.status(uid(pod))?.containerStatuses[0]?.state?.waiting?.reason).toBe("PodInitializing");
  });

  it("does not run init containers again for a pod whose status says they succeeded (an agent restart)", async () => {
    const { rt } = runtime();
    const pod = aPodWithInit("recovered", sh("once", "exit 1")).with(sh("app", "sleep 1000")).build();
    pod.status = {
      phase: "Running",
      conditions: [],
      message: "",
      reason: "",
      hostIp: "",
      podIp: "",
      podIps: [],
      startTime: "",
      containerStatuses: [],
      qosClass: "",
      nominatedNodeName: "",
      initContainerStatuses: [
        {
          name: "once",
          state: { terminated: { exitCode: 0, signal: 0, reason: "Completed", message: "", startedAt: "", finishedAt: "" } },
          ready: false,
          restartCount: 0,
          image: "busybox",
          imageId: "",
          containerId: "",
        },
      ],
    };
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Running"));
    expect(initStates(rt, pod)).toEqual([["once", "terminated", 0]]);
  });

  it("a sidecar lets the next init container start once its startup probe passed, and restarts whatever the pod's policy", async () => {
    const { rt } = runtime({ backoffBaseMs: 50 });
    const sidecar = sh("proxy", "n=$(cat /work/runs 2>/dev/null || echo 0); echo $((n+1)) > /work/runs; [ $n -ge 1 ] && exec sleep 1000; sleep 1; touch /work/proxy-up; sleep 2; exit 0");
    sidecar.restartPolicy = "Always";
    sidecar.startupProbe = anExecProbe(["cat", "/work/proxy-up"], { periodSeconds: 1 });
    const pod = aPodWithInit("with-sidecar", sidecar, sh("setup", "cat /work/proxy-up"))
      .with(sh("app", "sleep 1000"))
      .restartPolicy("Never")
      .build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Running"), { timeoutMs: 20_000 });
    // setup ran after the probe saw the file (else it failed, and under Never the pod with it); the sidecar still runs beside the app.
    expect(initStates(rt, pod)).toEqual([["proxy", "running", undefined], ["setup", "terminated", 0]]);
    // It exits 0 once; under restartPolicy Never it is restarted all the same.
    await eventually(() => expect(rt.status(uid(pod))?.initContainerStatuses?.[0]?.restartCount).toBe(1), { timeoutMs: 20_000 });
    await eventually(() => expect(initStates(rt, pod)[0]).toEqual(["proxy", "running", undefined]), { timeoutMs: 20_000 });
    expect(rt.status(uid(pod))?.phase).toBe("Running");
  });

  it("a Job-like pod completes when its containers do: the sidecar is then stopped and does not fail it", async () => {
    const { rt } = runtime();
    const sidecar = sh("logger", "trap 'exit 7' TERM; while true; do sleep 0.1; done");
    sidecar.restartPolicy = "Always";
    const pod = aPodWithInit("job-like", sidecar).with(sh("app", "sleep 1")).restartPolicy("Never").build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Succeeded"), { timeoutMs: 20_000 });
    await eventually(() => expect(initStates(rt, pod)).toEqual([["logger", "terminated", 7]]), { timeoutMs: 20_000 });
    expect(rt.status(uid(pod))?.phase).toBe("Succeeded");
    expect(rt.status(uid(pod))?.initContainerStatuses?.[0]?.restartCount).toBe(0);
  });

  it("stops the sidecars after the containers when the pod is killed", async () => {
    const { rt, events } = runtime();
    const sidecar = sh("tail", "while true; do sleep 0.1; done");
    sidecar.restartPolicy = "Always";
    const pod = aPodWithInit("ordered-stop", sidecar)
      .with(sh("app", "trap 'sleep 0.5; exit 0' TERM; while true; do sleep 0.1; done"))
      .build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.containerStatuses[0]?.state?.running).toBeDefined(), { timeoutMs: 20_000 });
    await rt.killPod(uid(pod), 10);
    const killing = events.filter((e) => e.reason === "Killing").map((e) => e.container);
    expect(killing).toEqual(["app", "tail"]);
  });
});
