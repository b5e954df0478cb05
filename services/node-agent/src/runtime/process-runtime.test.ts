import { Service, type ContainerPort, type ContainerStatus, type Pod } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProcessRuntime, type ProcessRuntime, type ProcessRuntimeOptions } from "./process-runtime.js";
import { readProcess } from "./process-group.js";
import type { RuntimeEvent } from "./runtime.js";
import { aContainer, anExecProbe, anHTTPGetProbe, aPod, aTCPSocketProbe, eventually } from "./testing.js";

const started: ProcessRuntime[] = [];
const stateDirs: string[] = [];

function newStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "capstan-runtime-"));
  stateDirs.push(dir);
  return dir;
}

function runtime(opts: Partial<ProcessRuntimeOptions> = {}): { rt: ProcessRuntime; events: RuntimeEvent[] } {
  const rt = createProcessRuntime({ stateDir: opts.stateDir ?? newStateDir(), podIPBase: "127.200", ...opts });
  started.push(rt);
  const events: RuntimeEvent[] = [];
  rt.onEvent((e) => events.push(e));
  return { rt, events };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((rt) => rt.shutdown()));
  for (const dir of stateDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const uid = (pod: Pod): string => pod.metadata?.uid ?? "";

/** Whether the process still runs (a zombie left to a non-reaping init does not). */
function isRunning(pid: number): boolean {
  const info = readProcess(pid);
  return info !== undefined && info.state !== "Z";
}

function pidOf(rt: ProcessRuntime, pod: Pod, container: string): number {
  const id = rt.status(uid(pod))?.containerStatuses.find((c) => c.name === container)?.containerId ?? "";
  return Number(id.replace("process://", ""));
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream as Readable) text += String(chunk);
  return text;
}

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

beforeAll(() => {
  const nginx = fileURLToPath(new URL("../../dist/images/nginx.js", import.meta.url));
  if (!existsSync(nginx)) throw new Error(`${nginx} is missing: build first (npx tsc -b services/node-agent)`);
});

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

  it("runs the webserver, two-container and myapp example pods", async () => {
    const { rt } = runtime();
    const port = (containerPort: number) => ({ name: "", containerPort, hostPort: 0, protocol: "TCP", hostIp: "" });
    const webserver = aPod("webserver")
      .with(aContainer("webserver", "nginx:latest", { ports: [port(80)] }))
      .with(aContainer("webwatcher", "afakharany/watcher:latest"))
      .build();
    const myapp = aPod("myapp").with(aContainer("app-container", "punitporwal07/myapp:0.1", { ports: [port(8000)] })).build();
    await rt.syncPod(webserver);
    await rt.syncPod(myapp);
    await eventually(() => expect([rt.status(uid(webserver))?.phase, rt.status(uid(myapp))?.phase]).toEqual(["Running", "Running"]));
    // Running is exec'd, not listening (there is no readiness probe): poll.
    const body = await eventually(async () => (await fetch(`http://${rt.status(uid(webserver))?.podIP}/`)).text());
    expect(body).toContain("Welcome to nginx!");
    expect((await fetch(`http://${rt.status(uid(webserver))?.podIP}/missing.html`)).status).toBe(404);
  });

  it("binds the catalog's programs into the sandbox when the overlay root would not show them (under /tmp)", async () => {
    const pkg = newStateDir();
    mkdirSync(join(pkg, "dist", "images"), { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ type: "module" }));
    copyFileSync(fileURLToPath(new URL("../../dist/images/nginx.js", import.meta.url)), join(pkg, "dist", "images", "nginx.js"));
    const { rt } = runtime({ catalog: { programsDir: join(pkg, "dist", "images") } });
    const web = aPod("web").with(aContainer("nginx", "nginx")).build();
    await rt.syncPod(web);
    const body = await eventually(async () => (await fetch(`http://${rt.status(uid(web))?.podIP}/`)).text());
    expect(body).toContain("Welcome to nginx!");
  });

  it("gives a container its command, args, env, working directory and hostname", async () => {
    const { rt } = runtime();
    const pod = aPod("env-check")
      .restartPolicy("Never")
      .with(
        aContainer("main", "busybox:1.36", {
          command: ["/bin/sh", "-c"],
          args: ['echo "$GREETING $(WHO)|$POD_NAME|$POD_NAMESPACE|$POD_IP|$HOSTNAME|$(hostname)|$(pwd)|$1"', "argv0", "first-arg"],
          env: [
            { name: "WHO", value: "world" },
            { name: "GREETING", value: "hello" },
          ],
          workingDir: "/srv/app",
        }),
      )
      .build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Succeeded"));
    const ip = rt.status(uid(pod))?.podIP;
    const log = await readAll(rt.logs(uid(pod), "main", { follow: false }));
    expect(log.trim()).toBe(`hello world|env-check|default|${ip}|env-check|env-check|/srv/app|first-arg`);
    expect(existsSync("/srv/app")).toBe(false);
  });

  it("gives a container the pod's resolv.conf and /etc/hosts, and the variables of the Services that exist", async () => {
    const hostResolvConf = join(newStateDir(), "resolv.conf");
    writeFileSync(hostResolvConf, "nameserver 192.0.2.53\nsearch corp.example\n");
    const services = [
      Service.fromPartial({ metadata: { name: "my-service", namespace: "prod" }, spec: { clusterIp: "10.96.0.42", ports: [{ port: 80, protocol: "TCP" }] } }),
      Service.fromPartial({ metadata: { name: "elsewhere", namespace: "staging" }, spec: { clusterIp: "10.96.0.43", ports: [{ port: 80 }] } }),
    ];
    const { rt } = runtime({
      dns: { servers: ["10.96.0.10"], domain: "cluster.local" },
      hostResolvConf,
      services: (ns) => services.filter((s) => s.metadata?.namespace === ns),
    });
    if (rt.sandbox.mode !== "overlay") throw new Error(`this test needs the overlay sandbox: ${rt.sandbox.mode === "none" ? rt.sandbox.reason : ""}`);
    const script = 'cat /etc/resolv.conf; tail -n 1 /etc/hosts; env | grep -E "^(MY_SERVICE|ELSEWHERE)_" | sort';
    const pod = aPod("web-0").restartPolicy("Never").with(aContainer("main", "busybox", { command: ["/bin/sh", "-c", script] })).build();
    pod.metadata!.namespace = "prod";
    pod.spec!.subdomain = "web";
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Succeeded"));
    const ip = rt.status(uid(pod))?.podIP;
    const log = await readAll(rt.logs(uid(pod), "main", { follow: false }));
    expect(log.split("\n")).toEqual([
      "search prod.svc.cluster.local svc.cluster.local cluster.local corp.example",
      "nameserver 10.96.0.10",
      "options ndots:5",
      `${ip}\tweb-0.web.prod.svc.cluster.local\tweb-0`,
      "MY_SERVICE_PORT=tcp://10.96.0.42:80",
      "MY_SERVICE_PORT_80_TCP=tcp://10.96.0.42:80",
      "MY_SERVICE_PORT_80_TCP_ADDR=10.96.0.42",
      "MY_SERVICE_PORT_80_TCP_PORT=80",
      "MY_SERVICE_PORT_80_TCP_PROTO=tcp",
      "MY_SERVICE_SERVICE_HOST=10.96.0.42",
      "MY_SERVICE_SERVICE_PORT=80",
      "",
    ]);
    expect(readFileSync("/etc/resolv.conf", "utf8")).not.toContain("10.96.0.10");
  });

  it("uses the host's resolv.conf for dnsPolicy Default, and no service variables without enableServiceLinks", async () => {
    const hostResolvConf = join(newStateDir(), "resolv.conf");
    writeFileSync(hostResolvConf, "nameserver 192.0.2.53\nsearch corp.example\n");
    const services = [Service.fromPartial({ metadata: { name: "my-service", namespace: "default" }, spec: { clusterIp: "10.96.0.42", ports: [{ port: 80 }] } })];
    const { rt } = runtime({ dns: { servers: ["10.96.0.10"], domain: "cluster.local" }, hostResolvConf, services: () => services });
    const pod = aPod("plain").restartPolicy("Never").with(aContainer("main", "busybox", { command: ["/bin/sh", "-c", 'cat /etc/resolv.conf; echo "[${MY_SERVICE_SERVICE_HOST-}]"'] })).build();
    pod.spec!.dnsPolicy = "Default";
    pod.spec!.enableServiceLinks = false;
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Succeeded"));
    const log = await readAll(rt.logs(uid(pod), "main", { follow: false }));
    expect(log).toBe("search corp.example\nnameserver 192.0.2.53\n[]\n");
  });

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
    const pods = ["a", "b", "c"].map((n) => aPod(n).with(aContainer("main", "afakharany/watcher:latest")).build());
    for (const pod of pods) await rt.syncPod(pod);
    const ips = pods.map((p) => rt.status(uid(p))?.podIP);
    expect(new Set(ips).size).toBe(3);
    await rt.killPod(uid(pods[0]!), 1);
    const d = aPod("d").with(aContainer("main", "afakharany/watcher:latest")).build();
    await rt.syncPod(d);
    expect(ips).not.toContain(rt.status(uid(d))?.podIP);
    // The placeholder of an unknown image stays up and stops at once on SIGTERM.
    await eventually(() => expect(rt.status(uid(d))?.phase).toBe("Running"));
    const t0 = Date.now();
    await rt.killPod(uid(d), 30);
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it("reports a missing executable as a start error", async () => {
    const { rt, events } = runtime();
    const pod = aPod("typo").restartPolicy("Never").with(aContainer("main", "debian", { command: ["no-such-binary"] })).build();
    await rt.syncPod(pod);
    const status = await eventually(() => {
      const s = rt.status(uid(pod));
      expect(s?.phase).toBe("Failed");
      return s!;
    });
    expect(status.containerStatuses[0]?.state?.terminated).toMatchObject({ exitCode: 128, reason: "StartError" });
    expect(events.find((e) => e.reason === "Failed")?.message).toBe('Error: exec: "no-such-binary": executable file not found in $PATH');
    expect(events.map((e) => e.reason)).not.toContain("Started");
  });

  it("mounts a readOnly volume read-only", async () => {
    const { rt } = runtime();
    const dir = newStateDir();
    const pod = aPod("reader")
      .restartPolicy("Never")
      .withVolume({ name: "data", hostPath: { path: dir } })
      .with(
        aContainer("main", "busybox", {
          volumeMounts: [{ name: "data", mountPath: "/data", readOnly: true, subPath: "" }],
          command: ["/bin/sh", "-c", "touch /data/x"],
        }),
      )
      .build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Failed"));
    expect(await readAll(rt.logs(uid(pod), "main", { follow: false }))).toMatch(/Read-only file system/);
    expect(existsSync(join(dir, "x"))).toBe(false);
  });

  it("keeps a container that mounts an undefined volume waiting with CreateContainerConfigError", async () => {
    const { rt, events } = runtime();
    const pod = aPod("broken")
      .with(aContainer("main", "busybox", { volumeMounts: [{ name: "nope", mountPath: "/x", readOnly: false, subPath: "" }] }))
      .build();
    await rt.syncPod(pod);
    const status = rt.status(uid(pod));
    expect(status?.phase).toBe("Pending");
    expect(status?.containerStatuses[0]?.state?.waiting?.reason).toBe("CreateContainerConfigError");
    expect(events.find((e) => e.reason === "Failed")?.type).toBe("Warning");
  });

  it("kills the containers a previous life of the agent left running", async () => {
    const stateDir = newStateDir();
    const pod = aPod("survivor").with(aContainer("main", "debian", { command: ["/bin/sh", "-c", "while :; do sleep 1; done"] })).build();
    // The first agent runs in its own process and dies without shutting down.
    const runtimeModule = new URL("../../dist/runtime/index.js", import.meta.url).href;
    const script = `
      import { createProcessRuntime } from ${JSON.stringify(runtimeModule)};
      const rt = createProcessRuntime({ stateDir: ${JSON.stringify(stateDir)}, podIPBase: "127.200" });
      await rt.syncPod(${JSON.stringify(pod)});
      console.log(JSON.stringify(rt.status(${JSON.stringify(uid(pod))})));
      setInterval(() => {}, 1000);
    `;
    const agent = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve, reject) => {
      agent.stdout.once("data", (d) => resolve(String(d)));
      agent.once("exit", (code) => reject(new Error(`first agent exited with ${code}`)));
    });
    const before = JSON.parse(line) as { podIP: string; containerStatuses: Array<{ containerId: string }> };
    const pid = Number(before.containerStatuses[0]?.containerId.replace("process://", ""));
    agent.kill("SIGKILL");
    await new Promise((resolve) => agent.once("exit", resolve));
    expect(isRunning(pid)).toBe(true);

    const { rt } = runtime({ stateDir });
    await eventually(() => expect(isRunning(pid)).toBe(false));
    expect(rt.runningPods()).toEqual([uid(pod)]);
    // Re-synced, the pod keeps its IP and counts the lost instance as a restart.
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Running"));
    expect(rt.status(uid(pod))?.podIP).toBe(before.podIP);
    expect(rt.status(uid(pod))?.containerStatuses[0]?.restartCount).toBe(1);
  });

  it("after a previous life killed with SIGKILL, kills the processes of a pod deleted meanwhile and frees it, and runs the kept pod again", async () => {
    const stateDir = newStateDir();
    const loop = { command: ["/bin/sh", "-c", "while :; do sleep 1; done"] };
    const deleted = aPod("deleted-while-down").with(aContainer("main", "debian", loop)).with(aContainer("side", "debian", loop)).build();
    const kept = aPod("kept").with(aContainer("main", "debian", loop)).build();
    const runtimeModule = new URL("../../dist/runtime/index.js", import.meta.url).href;
    const script = `
      import { createProcessRuntime } from ${JSON.stringify(runtimeModule)};
      const rt = createProcessRuntime({ stateDir: ${JSON.stringify(stateDir)}, podIPBase: "127.200" });
      const pods = ${JSON.stringify([deleted, kept])};
      for (const pod of pods) await rt.syncPod(pod);
      console.log(JSON.stringify(pods.map((p) => rt.status(p.metadata.uid))));
      setInterval(() => {}, 1000);
    `;
    const agent = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve, reject) => {
      agent.stdout.once("data", (d) => resolve(String(d)));
      agent.once("exit", (code) => reject(new Error(`first agent exited with ${code}`)));
    });
    const before = JSON.parse(line) as Array<{ podIP: string; containerStatuses: Array<{ containerId: string }> }>;
    const pids = before.map((s) => s.containerStatuses.map((c) => Number(c.containerId.replace("process://", ""))));
    agent.kill("SIGKILL");
    await new Promise((resolve) => agent.once("exit", resolve));
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
    const { rt } = runtime();
    const pod = sharedVolumePod();
    await rt.syncPod(pod);
    const stateDir = stateDirs[0] ?? "";
    const index = join(stateDir, "pods", uid(pod), "volumes", "html", "index.html");
    await eventually(() => expect(readFileSync(index, "utf8")).toMatch(/\d\d:\d\d:\d\d/));
    await rt.killPod(uid(pod), 5);
    expect(existsSync(join(stateDir, "pods", uid(pod)))).toBe(false);
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
      const s = container(rt, pod, "main");
      expect(s).toMatchObject({ restartCount: 1, ready: true, state: { running: expect.anything() } });
      return s;
    });
    expect(c.lastState?.terminated).toMatchObject({ exitCode: 137, signal: 9, reason: "Error" });
    expect(pidOf(rt, pod, "main")).not.toBe(pid);
    expect(isRunning(pidOf(rt, pod, "main"))).toBe(true);
    expect(rt.status(uid(pod))?.podIP).toBe(ip);
  });
});

function container(rt: ProcessRuntime, pod: Pod, name: string): ContainerStatus {
  const s = rt.status(uid(pod))?.containerStatuses.find((c) => c.name === name);
  if (!s) throw new Error(`no status for container ${name}`);
  return s;
}

const namedPort = (name: string, containerPort: number): ContainerPort => ({ name, containerPort, hostPort: 0, protocol: "TCP", hostIp: "" });

describe("ProcessRuntime probes", () => {
  it("restarts a container whose liveness endpoint starts failing, counting the restart", async () => {
    const { rt, events } = runtime({ backoffBaseMs: 300 });
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
    await eventually(() => expect(container(rt, pod, "web")).toMatchObject({ ready: true, restartCount: 0 }));
    const pid = pidOf(rt, pod, "web");

    rmSync(join(html, "healthz"));
    await eventually(() => expect(container(rt, pod, "web").restartCount).toBe(1), { timeoutMs: 15_000, intervalMs: 20 });
    writeFileSync(join(html, "healthz"), "ok\n");
    // The new instance passes its probes again: ready, and not restarted a second time.
    await eventually(() => expect(container(rt, pod, "web")).toMatchObject({ ready: true, restartCount: 1, state: { running: expect.anything() } }));
    expect(pidOf(rt, pod, "web")).not.toBe(pid);
    expect(isRunning(pid)).toBe(false);

    const probeEvents = events.filter((e) => e.reason === "Unhealthy" || e.reason === "Killing").map((e) => [e.type, e.reason, e.message]);
    expect(probeEvents).toContainEqual(["Warning", "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404"]);
    expect(probeEvents).toContainEqual(["Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 404"]);
    expect(probeEvents).toContainEqual(["Normal", "Killing", "Container web failed liveness probe, will be restarted"]);
    expect(events.filter((e) => e.reason === "Started")).toHaveLength(2);
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
      failure: /^Readiness probe failed: dial tcp 127\.200\.\d+\.\d+:8080: connect ECONNREFUSED/,
    },
  ])("keeps a container unready until its readiness probe passes: $name", async ({ command, probe, failure }) => {
    const { rt, events } = runtime();
    const pod = aPod("later").with(aContainer("main", "debian", { command, readinessProbe: probe })).build();
    await rt.syncPod(pod);
    await eventually(() => expect(rt.status(uid(pod))?.phase).toBe("Running"));
    expect(container(rt, pod, "main")).toMatchObject({ started: true, ready: false });

    const becameReady = new Promise<number>((resolve) =>
      rt.onStatusChange(() => {
        if (rt.status(uid(pod))?.containerStatuses[0]?.ready) resolve(Date.now());
      }),
    );
    const t0 = Date.now();
    await eventually(() => expect(container(rt, pod, "main").ready).toBe(true), { timeoutMs: 10_000 });
    expect((await becameReady) - t0).toBeGreaterThanOrEqual(500);
    expect(container(rt, pod, "main").restartCount).toBe(0);
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
