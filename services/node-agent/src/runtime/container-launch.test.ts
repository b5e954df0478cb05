import { Service } from "@capstan/api";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readAll, uid, useProcessRuntimes } from "./process-runtime-harness.js";
import { aContainer, aPod, eventually } from "./testing.js";

const { runtime, newStateDir } = useProcessRuntimes("127.201");

describe("ProcessRuntime: launching a container", () => {
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
});
