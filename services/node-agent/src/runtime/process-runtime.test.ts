import type { Pod } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readAll, uid, useProcessRuntimes } from "./process-runtime-harness.js";
import { aContainer, aPod, eventually } from "./testing.js";

const { runtime, newStateDir } = useProcessRuntimes("127.200");

/** The pod in /work/shared/examples/shared-volume-pod.yaml. */
function sharedVolumePod(): Pod {
  return aPod("mc1")
    .withVolume({ name: "html", emptyDir: { medium: "" } })
    .with(aContainer("1st", "nginx", { volumeMounts: [{ name: "html", mountPath: "/usr/share/nginx/html", readOnly: false, subPath: "" }] }))
    .with(
      aContainer("2nd", "debian", {
        volumeMounts: [{ name: "html", mountPath: "/html", readOnly: false, subPath: "" }],
        command: ["/bin/sh", "-c"],
        args: ["while true; do date >> /html/index.html; sleep 1; done"],
      }),
    )
    .build();
}

describe("ProcessRuntime", () => {
  it("runs the shared-volume pod: nginx serves what the other container writes, nothing appears on the host", async () => {
    const { rt, events } = runtime();
    const pod = sharedVolumePod();
    await rt.syncPod(pod);

    const status = await eventually(() => {
      const s = rt.status(uid(pod));
      expect(s?.phase).toBe("Running");
      return s!;
    });
    expect(status.podIP).toMatch(/^127\.200\.\d+\.\d+$/);
    expect(status.containerStatuses.map((c) => [c.name, c.ready, c.imageId])).toEqual([
      ["1st", true, "catalog://nginx"],
      ["2nd", true, "catalog://debian"],
    ]);
    const body = await eventually(async () => {
      const res = await fetch(`http://${status.podIP}:80/`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/\d\d:\d\d:\d\d/);
      return text;
    });
    expect(body.trim().split("\n").length).toBeGreaterThanOrEqual(1);
    expect(existsSync("/html")).toBe(false);
    expect(existsSync("/usr/share/nginx")).toBe(false);
    expect(events.filter((e) => e.container === "1st").map((e) => [e.reason, e.message])).toEqual([
      ["Pulled", 'Container image "nginx" already present on machine'],
      ["Created", "Created container 1st"],
      ["Started", "Started container 1st"],
    ]);
  });

  it("runs the example pods' catalog images and never an image it cannot pull", async () => {
    const { rt } = runtime();
    const port = (containerPort: number) => ({ name: "", containerPort, hostPort: 0, protocol: "TCP", hostIp: "" });
    const webserver = aPod("webserver")
      .with(aContainer("webserver", "nginx:latest", { ports: [port(80)] }))
      .with(aContainer("webwatcher", "afakharany/watcher:latest"))
      .build();
    const myapp = aPod("myapp").with(aContainer("app-container", "punitporwal07/myapp:0.1", { ports: [port(8000)] })).build();
    await rt.syncPod(webserver);
    await rt.syncPod(myapp);
    // Running is exec'd, not listening (there is no readiness probe): poll.
    const body = await eventually(async () => (await fetch(`http://${rt.status(uid(webserver))?.podIP}/`)).text());
    expect(body).toContain("Welcome to nginx!");
    expect((await fetch(`http://${rt.status(uid(webserver))?.podIP}/missing.html`)).status).toBe(404);
    expect(rt.status(uid(webserver))?.phase).toBe("Pending");
    expect(rt.status(uid(webserver))?.containerStatuses.map((c) => [c.name, c.ready, c.state?.waiting?.reason ?? "running"])).toEqual([
      ["webserver", true, "running"],
      ["webwatcher", false, "ErrImagePull"],
    ]);
    expect(rt.status(uid(myapp))).toMatchObject({ phase: "Pending", containerStatuses: [{ ready: false, containerId: "", state: { waiting: { reason: "ErrImagePull" } } }] });
  });

  it("backs off pulling an image it lacks, for containers, init containers and sidecars alike, and runs a catalog image once the pod names one", async () => {
    const { rt, events } = runtime({ imagePullBackoffBaseMs: 200 });
    const missing = "example.invalid/nope:1";
    const pods = [
      aPod("main").with(aContainer("app", missing)).build(),
      aPod("init").withInit(aContainer("setup", missing)).with(aContainer("app", "busybox", { command: ["sleep", "600"] })).build(),
      aPod("sidecar").withInit(aContainer("proxy", missing, { restartPolicy: "Always" })).with(aContainer("app", "busybox", { command: ["sleep", "600"] })).build(),
    ];
    for (const pod of pods) await rt.syncPod(pod);
    const waitingOf = (pod: Pod) => {
      const s = rt.status(uid(pod))!;
      return [...(s.initContainerStatuses ?? []), ...s.containerStatuses].map((c) => c.state?.waiting?.reason ?? "not waiting");
    };
    await eventually(() => {
      expect(pods.map(waitingOf)).toEqual([["ImagePullBackOff"], ["ImagePullBackOff", "PodInitializing"], ["ImagePullBackOff", "ContainerCreating"]]);
    });
    for (const pod of pods) expect(rt.status(uid(pod))?.phase).toBe("Pending");
    const forApp = events.filter((e) => e.podUid === uid(pods[0]!)).map((e) => `${e.type} ${e.reason}: ${e.message}`);
    expect(forApp.slice(0, 3)).toEqual([
      `Normal Pulling: Pulling image "${missing}"`,
      expect.stringMatching(/^Warning Failed: Failed to pull image "example\.invalid\/nope:1": image "example\.invalid\/nope:1" is not in the process runtime's image catalog/),
      "Warning Failed: Error: ErrImagePull",
    ]);
    expect(forApp).toContain(`Normal BackOff: Back-off pulling image "${missing}"`);
    expect(forApp).toContain("Warning Failed: Error: ImagePullBackOff");
    expect(forApp.some((e) => e.includes("Started"))).toBe(false);

    // Pods allow their image to change: the container is created from the new one.
    const fixed = structuredClone(pods[0]!);
    fixed.spec!.containers[0]!.image = "registry.k8s.io/pause:3.9";
    await rt.syncPod(fixed);
    await eventually(() => expect(rt.status(uid(fixed))).toMatchObject({ phase: "Running", containerStatuses: [{ ready: true, image: "registry.k8s.io/pause:3.9", imageId: "catalog://pause" }] }));
  });

  it("does not pull under pullPolicy Never: ErrImageNeverPull", async () => {
    const { rt, events } = runtime();
    const pod = aPod("never").with(aContainer("app", "example.invalid/nope:1", { imagePullPolicy: "Never" })).build();
    await rt.syncPod(pod);
    const message = 'Container image "example.invalid/nope:1" is not present with pull policy of Never';
    expect(rt.status(uid(pod))).toMatchObject({ phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ErrImageNeverPull", message } } }] });
    expect(events.map((e) => [e.type, e.reason, e.message])).toEqual([
      ["Warning", "ErrImageNeverPull", message],
      ["Warning", "Failed", "Error: ErrImageNeverPull"],
    ]);
  });

  it("streams logs: existing lines, tailLines, then new lines with follow until the pod is removed", async () => {
    const { rt } = runtime();
    // The test releases the container's last line by creating a file in a hostPath volume.
    const signalDir = newStateDir();
    const pod = aPod("talker")
      .withVolume({ name: "signal", hostPath: { path: signalDir } })
      .with(
        aContainer("main", "debian", {
          volumeMounts: [{ name: "signal", mountPath: "/signal", readOnly: true, subPath: "" }],
          command: ["/bin/sh", "-c", 'for i in 1 2 3; do echo "line $i"; done; echo oops >&2; until [ -e /signal/go ]; do sleep 0.05; done; echo later; sleep 600'],
        }),
      )
      .build();
    await rt.syncPod(pod);
    await eventually(async () => expect(await readAll(rt.logs(uid(pod), "main", { follow: false }))).toBe("line 1\nline 2\nline 3\noops\n"));
    expect(await readAll(rt.logs(uid(pod), "main", { follow: false, tailLines: 2 }))).toBe("line 3\noops\n");

    const follow = rt.logs(uid(pod), "main", { follow: true, tailLines: 1 }) as Readable;
    let seen = "";
    follow.on("data", (chunk) => (seen += String(chunk)));
    const ended = new Promise((resolve) => follow.on("end", resolve));
    await eventually(() => expect(seen).toBe("oops\n"));
    writeFileSync(join(signalDir, "go"), "");
    await eventually(() => expect(seen).toBe("oops\nlater\n"));

    await rt.killPod(uid(pod), 1);
    await ended;
    expect(() => rt.logs(uid(pod), "main", { follow: false })).toThrow(expect.objectContaining({ code: "NotFound" }));
  });

  it("gives every pod its own IP, and a removed pod's IP is not handed out again at once", async () => {
    const { rt } = runtime();
    const pods = ["a", "b", "c"].map((n) => aPod(n).with(aContainer("main", "registry.k8s.io/pause:3.9")).build());
    for (const pod of pods) await rt.syncPod(pod);
    const ips = pods.map((p) => rt.status(uid(p))?.podIP);
    expect(new Set(ips).size).toBe(3);
    await rt.killPod(uid(pods[0]!), 1);
    const d = aPod("d").with(aContainer("main", "registry.k8s.io/pause:3.9")).build();
    await rt.syncPod(d);
    expect(ips).not.toContain(rt.status(uid(d))?.podIP);
    // pause stays up and stops at once on SIGTERM.
    await eventually(() => expect(rt.status(uid(d))?.phase).toBe("Running"));
    const t0 = Date.now();
    await rt.killPod(uid(d), 30);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("without a sandbox, fails a pod that mounts volumes and still runs one that does not", async () => {
    const { rt, events } = runtime({ sandbox: "none" });
    const pod = sharedVolumePod();
    await rt.syncPod(pod);
    const status = rt.status(uid(pod));
    expect(status).toMatchObject({ phase: "Failed", reason: "ContainerCannotRun" });
    expect(status?.containerStatuses[0]?.state?.terminated?.reason).toBe("ContainerCannotRun");
    expect(events.filter((e) => e.reason === "Failed").map((e) => [e.type, e.container])).toEqual([
      ["Warning", "1st"],
      ["Warning", "2nd"],
    ]);

    const web = aPod("webserver").with(aContainer("webserver", "nginx:latest", { ports: [{ name: "", containerPort: 8080, hostPort: 0, protocol: "TCP", hostIp: "" }] })).build();
    await rt.syncPod(web);
    const ip = rt.status(uid(web))?.podIP;
    const body = await eventually(async () => (await fetch(`http://${ip}:8080/`)).text());
    expect(body).toContain("Welcome to nginx!");
  });

  it("throws NotFound for logs of an unknown pod", () => {
    const { rt } = runtime();
    try {
      rt.logs("nope", "main", { follow: false });
      expect.unreachable();
    } catch (e) {
      expect(isCapstanError(e, "NotFound")).toBe(true);
    }
  });

  it("keeps the volume's files across containers and removes them with the pod", async () => {
    const { rt, stateDir } = runtime();
    const pod = sharedVolumePod();
    await rt.syncPod(pod);
    const index = join(stateDir, "pods", uid(pod), "volumes", "html", "index.html");
    await eventually(() => expect(readFileSync(index, "utf8")).toMatch(/\d\d:\d\d:\d\d/));
    await rt.killPod(uid(pod), 5);
    expect(existsSync(join(stateDir, "pods", uid(pod)))).toBe(false);
  });
});
