import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Event } from "@capstan/api";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * Config into pods through real processes: a container's env from a ConfigMap key, a Secret key, every
 * key of a ConfigMap under a prefix, and the downward API (its name, its IP); a ConfigMap volume whose
 * files follow the ConfigMap's updates, and a downwardAPI volume; a pod whose ConfigMap is missing waits in CreateContainerConfigError with a Warning, and starts once the ConfigMap is created.
 */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const configMap = (name: string, data: Record<string, string>) => toApiObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });

function pod(name: string, container: Record<string, unknown>, volumes: unknown[] = []) {
  return toApiObject({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: name } },
    spec: { terminationGracePeriodSeconds: 0, volumes, containers: [{ name: "app", image: "busybox", ...container }] },
  });
}

async function logsOf(name: string, has: string): Promise<string> {
  return eventually(
    async () => {
      const out = await cluster.capctl(["logs", name]);
      return out.stdout.includes(has) ? out.stdout : undefined;
    },
    { timeoutMs: 30_000, what: `the log of ${name} to show ${has}` },
  );
}

async function eventsOf(name: string, reason: string): Promise<Event[]> {
  const items = (await cluster.client.list({ kind: "Event", namespace: "default", fieldSelector: `involvedObject.name=${name},reason=${reason}` })).items;
  return items.map((o) => o.event!);
}

describe("config into pods", () => {
  it("gives a container env from a ConfigMap, a Secret, envFrom with a prefix and the downward API", async () => {
    await cluster.client.create(configMap("settings", { level: "debug", color: "blue" }));
    await cluster.client.create(toApiObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "creds" }, stringData: { password: "s3cret" } }));
    await cluster.client.create(
      pod("env-reader", {
        command: ["sh", "-c", 'echo "level=$LEVEL password=$PASSWORD color=$CFG_color name=$MY_NAME ip=$MY_IP"; sleep 3600'],
        env: [
          { name: "LEVEL", valueFrom: { configMapKeyRef: { name: "settings", key: "level" } } },
          { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "creds", key: "password" } } },
          { name: "MY_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "MY_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
        ],
        envFrom: [{ prefix: "CFG_", configMapRef: { name: "settings" } }],
      }),
    );
    const logs = await logsOf("env-reader", "level=");
    const running = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "env-reader" })).pod!;
    expect(running.status?.podIp).toMatch(/^127\./);
    expect(logs.trim()).toBe(`level=debug password=s3cret color=blue name=env-reader ip=${running.status?.podIp}`);

    const described = await cluster.capctlOk(["describe", "pod", "env-reader"]);
    expect(described).toMatch(/LEVEL:\s+<set to the key 'level' of config map 'settings'>\s+Optional: false/);
    expect(described).toMatch(/PASSWORD:\s+<set to the key 'password' in secret 'creds'>\s+Optional: false/);
    expect(described).toMatch(/MY_NAME:\s+env-reader \(v1:metadata\.name\)/);
    expect(described).toMatch(/Environment Variables from:\n\s+settings\s+ConfigMap with prefix 'CFG_'\s+Optional: false/);
  });

  it("mounts a ConfigMap as files that follow its updates (not through a subPath), and a downwardAPI volume", async () => {
    await cluster.client.create(configMap("mounted", { level: "debug" }));
    await cluster.client.create(
      pod(
        "volume-reader",
        {
          command: ["sh", "-c", 'ls -a /etc/config; cat /etc/podinfo/labels; echo; while true; do echo "level=$(cat /etc/config/level) sub=$(cat /etc/sub-level)"; sleep 1; done'],
          volumeMounts: [
            { name: "config", mountPath: "/etc/config" },
            { name: "config", mountPath: "/etc/sub-level", subPath: "level" },
            { name: "podinfo", mountPath: "/etc/podinfo" },
          ],
        },
        [
          { name: "config", configMap: { name: "mounted" } },
          { name: "podinfo", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
        ],
      ),
    );
    const first = await logsOf("volume-reader", "level=debug sub=debug");
    expect(first).toMatch(/^\.\.data$/m);
    expect(first).toMatch(/^level$/m);
    expect(first).toContain('app="volume-reader"');

    const current = (await cluster.client.get({ kind: "ConfigMap", namespace: "default", name: "mounted" })).configMap!;
    await cluster.client.update(toApiObject({ apiVersion: "v1", kind: "ConfigMap", metadata: current.metadata, data: { level: "info" } }));
    // A subPath mount is the file as it was when the container started, as with the kubelet.
    await logsOf("volume-reader", "level=info sub=debug");
  });

  it("holds a container whose ConfigMap is missing in CreateContainerConfigError, and starts it once the ConfigMap exists", async () => {
    await cluster.client.create(
      pod("waits-for-config", {
        command: ["sh", "-c", 'echo "mode=$MODE"; sleep 3600'],
        env: [{ name: "MODE", valueFrom: { configMapKeyRef: { name: "late", key: "mode" } } }],
      }),
    );
    const waiting = await eventually(
      async () => {
        const p = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "waits-for-config" })).pod!;
        return p.status?.containerStatuses[0]?.state?.waiting?.reason === "CreateContainerConfigError" ? p : undefined;
      },
      { timeoutMs: 30_000, what: "CreateContainerConfigError" },
    );
    expect(waiting.status?.containerStatuses[0]?.state?.waiting?.message).toBe('configmap "late" not found');
    const failed = await eventually(async () => {
      const events = await eventsOf("waits-for-config", "Failed");
      return events.length > 0 ? events : undefined;
    }, { timeoutMs: 15_000, what: "a Failed event" });
    expect(failed[0]).toMatchObject({ type: "Warning", message: 'Error: configmap "late" not found' });
    expect(await cluster.capctlOk(["get", "pod", "waits-for-config"])).toMatch(/waits-for-config\s+0\/1\s+CreateContainerConfigError/);

    await cluster.client.create(configMap("late", { mode: "fast" }));
    expect((await logsOf("waits-for-config", "mode=")).trim()).toBe("mode=fast");
    const running = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "waits-for-config" })).pod!;
    expect(running.status?.containerStatuses[0]?.state?.running).toBeDefined();
  });

  it("keeps a pod whose ConfigMap volume is missing ContainerCreating with FailedMount, and runs it once the ConfigMap exists", async () => {
    await cluster.client.create(
      pod("waits-for-volume", { command: ["sh", "-c", "cat /etc/config/mode; echo; sleep 3600"], volumeMounts: [{ name: "config", mountPath: "/etc/config" }] }, [
        { name: "config", configMap: { name: "late-volume" } },
      ]),
    );
    const failed = await eventually(async () => {
      const events = await eventsOf("waits-for-volume", "FailedMount");
      return events.length > 0 ? events : undefined;
    }, { timeoutMs: 30_000, what: "a FailedMount event" });
    expect(failed[0]).toMatchObject({ type: "Warning", message: 'MountVolume.SetUp failed for volume "config" : configmap "late-volume" not found' });
    expect(await cluster.capctlOk(["get", "pod", "waits-for-volume"])).toMatch(/waits-for-volume\s+0\/1\s+ContainerCreating/);

    await cluster.client.create(configMap("late-volume", { mode: "mounted" }));
    expect((await logsOf("waits-for-volume", "mounted")).trim()).toBe("mounted");
  });
});
