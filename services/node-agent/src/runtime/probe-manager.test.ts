import type { ContainerPort } from "@capstan/api";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InMemoryMetrics } from "@capstan/telemetry/testing";
import { containerStatus, isRunning, pidOf, uid, useProcessRuntimes } from "./process-runtime-harness.js";
import { aContainer, anExecProbe, anHTTPGetProbe, aPod, aTCPSocketProbe, eventually } from "./testing.js";

const { runtime, newStateDir } = useProcessRuntimes("127.203");

const namedPort = (name: string, containerPort: number): ContainerPort => ({ name, containerPort, hostPort: 0, protocol: "TCP", hostIp: "" });

describe("ProcessRuntime probes", () => {
  it("restarts a container whose liveness endpoint starts failing, counting the restart", async () => {
    const metrics = new InMemoryMetrics();
    const { rt, events } = runtime({ backoffBaseMs: 300, meter: metrics.meter });
    const html = newStateDir();
    writeFileSync(join(html, "healthz"), "ok\n");
    const pod = aPod("live")
      .withVolume({ name: "html", hostPath: { path: html } })
      .with(
        aContainer("web", "nginx", {
          ports: [namedPort("http", 8080)],
          volumeMounts: [{ name: "html", mountPath: "/usr/share/nginx/html", readOnly: true, subPath: "" }],
          // By port name; the probe's grace period overrides the pod's 30 s.
          livenessProbe: anHTTPGetProbe("/healthz", "http", { periodSeconds: 1, failureThreshold: 2, terminationGracePeriodSeconds: 2 }),
          readinessProbe: anHTTPGetProbe("/healthz", 8080, { periodSeconds: 1 }),
        }),
      )
      .build();
    await rt.syncPod(pod);
    await eventually(() => expect(containerStatus(rt, pod, "web")).toMatchObject({ ready: true, restartCount: 0 }));
    const pid = pidOf(rt, pod, "web");

    rmSync(join(html, "healthz"));
    await eventually(() => expect(containerStatus(rt, pod, "web").restartCount).toBe(1), { timeoutMs: 15_000, intervalMs: 20 });
    writeFileSync(join(html, "healthz"), "ok\n");
    // The new instance passes its probes again: ready, and not restarted a second time.
    await eventually(() => expect(containerStatus(rt, pod, "web")).toMatchObject({ ready: true, restartCount: 1, state: { running: expect.anything() } }));
    expect(pidOf(rt, pod, "web")).not.toBe(pid);
    expect(isRunning(pid)).toBe(false);

    const probeEvents = events.filter((e) => e.reason === "Unhealthy" || e.reason === "Killing").map((e) => [e.type, e.reason, e.message]);
    expect(probeEvents).toContainEqual(["Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404"]);
    expect(probeEvents).toContainEqual(["Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 404"]);
    expect(probeEvents).toContainEqual(["Normal", "Killing", "Container web failed liveness probe, will be restarted"]);
    expect(events.filter((e) => e.reason === "Started")).toHaveLength(2);
    const probes = await metrics.points("capstan.probe.results");
    const runs = (type: string, result: string) =>
      probes.find((p) => p.attributes["capstan.probe.type"] === type && p.attributes["capstan.probe.result"] === result)?.value ?? 0;
    expect(runs("liveness", "failed")).toBeGreaterThanOrEqual(2);
    expect(runs("liveness", "successful")).toBeGreaterThanOrEqual(1);
    expect(runs("readiness", "successful")).toBeGreaterThanOrEqual(1);
  });

  it.each([
    {
      name: "an exec probe, until a file appears in the container's private /tmp",
      command: ["/bin/sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 600"],
      probe: anExecProbe(["cat", "/tmp/ready"], { periodSeconds: 1 }),
      failure: "Readiness probe failed: cat: /tmp/ready: No such file or directory\n",
    },
    {
      name: "a tcpSocket probe, until the port is open",
      command: ["/bin/sh", "-c", `sleep 2; exec ${process.execPath} -e 'require("net").createServer().listen(8080, process.env.POD_IP)'`],
      probe: aTCPSocketProbe(8080, { periodSeconds: 1 }),
      failure: /^Readiness probe failed: dial tcp 127\.203\.\d+\.\d+:8080: connect ECONNREFUSED/,
    },
  ])("keeps a container unready until its readiness probe passes: $name", async ({ command, probe, failure }) => {
    const { rt, events } = runtime();
    const pod = aPod("later").with(aContainer("main", "debian", { command, readinessProbe: probe })).build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Running"));
    expect(containerStatus(rt, pod, "main")).toMatchObject({ started: true, ready: false });

    const becameReady = new Promise<number>((resolve) =>
      rt.onStatusChange(() => {
        if (rt.status(uid(pod))?.containerStatuses[0]?.ready) resolve(Date.now());
      }),
    );
    const t0 = Date.now();
    await eventually(() => expect(containerStatus(rt, pod, "main").ready).toBe(true), { timeoutMs: 10_000 });
    expect((await becameReady) - t0).toBeGreaterThanOrEqual(500);
    expect(containerStatus(rt, pod, "main").restartCount).toBe(0);
    const unhealthy = events.filter((e) => e.reason === "Unhealthy");
    expect(unhealthy.length).toBeGreaterThanOrEqual(1);
    expect(unhealthy[0]).toMatchObject({ type: "Warning", container: "main", message: failure });
    expect(existsSync("/tmp/ready")).toBe(false);
  });

  it("kills a container whose startup probe never passes; under restartPolicy Never the pod fails", async () => {
    const { rt, events } = runtime();
    const pod = aPod("slow")
      .restartPolicy("Never")
      .with(
        aContainer("main", "debian", {
          command: ["/bin/sh", "-c", "while :; do sleep 1; done"],
          startupProbe: anExecProbe(["test", "-e", "/tmp/started"], { periodSeconds: 1, failureThreshold: 2 }),
          livenessProbe: anExecProbe(["false"], { periodSeconds: 1, failureThreshold: 1 }),
        }),
      )
      .build();
    await rt.syncPod(pod);
    const status = await eventually(() => {
      const s = rt.status(uid(pod));
      expect(s?.phase).toBe("Failed");
      return s!;
    });
    expect(status.containerStatuses[0]).toMatchObject({ restartCount: 0, started: false, ready: false });
    expect(status.containerStatuses[0]?.state?.terminated?.exitCode).toBeGreaterThan(128);
    expect(events.filter((e) => e.reason === "Killing").map((e) => e.message)).toEqual(["Container main failed startup probe"]);
    // The liveness probe never ran: the startup probe holds it back.
    expect(events.filter((e) => e.reason === "Unhealthy").map((e) => e.message)).toEqual(["Startup probe failed: ", "Startup probe failed: "]);
  });

  it("stops probing a pod once it is killed", async () => {
    const { rt, events } = runtime();
    const pod = aPod("gone")
      .with(aContainer("main", "debian", { command: ["/bin/sh", "-c", "while :; do sleep 1; done"], readinessProbe: anExecProbe(["false"], { periodSeconds: 1 }) }))
      .build();
    await rt.syncPod(pod);
    await eventually(() => expect(events.filter((e) => e.reason === "Unhealthy").length).toBeGreaterThanOrEqual(1));
    await rt.killPod(uid(pod), 1);
    const after = events.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(events.slice(after)).toEqual([]);
  });
});
