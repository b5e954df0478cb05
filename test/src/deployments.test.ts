import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type ApiObject, type Pod } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { examplesImageCatalog } from "@capstan/local-stack";
import { eventually, examplesDir, startTestCluster, type TestCluster } from "./support/index.js";

let cluster: TestCluster;

beforeAll(async () => {
  // shared/examples/deployment.yaml's `my-image` is in pnpm start's image catalog (agnhost serve-hostname).
  cluster = await startTestCluster({ nodes: 2, env: { CAPSTAN_LEASE_SECONDS: "3", CAPSTAN_IMAGE_CATALOG: examplesImageCatalog } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const live = (p: Pod) => !p.metadata!.deletionTimestamp;
const ready = (p: Pod) => p.status?.conditions.some((c) => c.type === "Ready" && c.status === "True") ?? false;

async function podsOf(label: string): Promise<Pod[]> {
  return (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: label })).items.map((o) => o.pod!);
}

async function deployment(name: string) {
  return (await cluster.client.get({ kind: "Deployment", namespace: "default", name })).deployment!;
}

type Deployment = Awaited<ReturnType<typeof deployment>>;

/** Read-modify-write as a user would: the controller's status writes make a stale read a Conflict, so retry. */
async function changeDeployment(name: string, change: (d: Deployment) => void): Promise<void> {
  for (;;) {
    const d = await deployment(name);
    change(d);
    try {
      await cluster.client.update({ deployment: d });
      return;
    } catch (e) {
      if (!isCapstanError(e, "Conflict")) throw e;
    }
  }
}

describe("Deployments", () => {
  it("runs shared/examples/deployment.yaml as 3 Running pods and replaces a deleted one", async () => {
    const r = await cluster.capctl(["apply", "-f", join(examplesDir, "deployment.yaml")]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("deployment.apps/my-deployment created");
    const running = await eventually(
      async () => {
        const pods = (await podsOf("app=my-app")).filter(live);
        if (pods.length !== 3 || pods.some((p) => p.status?.phase !== "Running")) throw new Error(`${pods.length} pods, ${pods.filter((p) => p.status?.phase === "Running").length} running`);
        return pods;
      },
      { timeoutMs: 60_000, what: "3 running pods" },
    );
    await eventually(
      async () => {
        const d = await deployment("my-deployment");
        if (d.status?.availableReplicas !== 3) throw new Error(`available ${d.status?.availableReplicas}`);
        return d;
      },
      { timeoutMs: 30_000, what: "3 available replicas in the status" },
    );
    const table = await cluster.capctl(["get", "deployments"]);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nmy-deployment\s+3\/3\s+3\s+3\s+/);
    const several = await cluster.capctl(["get", "deploy,rs"]);
    expect(several.stdout).toMatch(/^NAME\s+READY.*\ndeployment\.apps\/my-deployment\s+3\/3.*\n\nNAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nreplicaset\.apps\/my-deployment-\w+\s+3\s+3\s+3\s+/);

    // kill -9 of a container's process: the node agent restarts it in place.
    const crashed = running[1]!;
    const pid = Number(/^process:\/\/(\d+)$/.exec(crashed.status!.containerStatuses[0]!.containerId)?.[1]);
    expect(pid, JSON.stringify(crashed.status)).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    await eventually(
      async () => {
        const p = (await cluster.client.get({ kind: "Pod", namespace: "default", name: crashed.metadata!.name })).pod!;
        const c = p.status!.containerStatuses[0]!;
        if (c.restartCount !== 1 || !c.ready || p.status!.phase !== "Running") throw new Error(JSON.stringify(c));
        return true;
      },
      { timeoutMs: 30_000, what: "the killed container to restart in place" },
    );
    expect((await cluster.capctl(["get", "pods", crashed.metadata!.name])).stdout).toMatch(/\s1\/1\s+Running\s+1 \(\d+s ago\)\s+/);

    const victim = running[0]!.metadata!.name;
    await cluster.client.delete({ kind: "Pod", namespace: "default", name: victim });
    await eventually(
      async () => {
        const pods = (await podsOf("app=my-app")).filter(live);
        if (pods.length !== 3 || pods.some((p) => p.metadata!.name === victim) || pods.some((p) => p.status?.phase !== "Running")) {
          throw new Error(`${pods.map((p) => `${p.metadata!.name}:${p.status?.phase}`).join(" ")}`);
        }
        return true;
      },
      { timeoutMs: 60_000, what: "a replacement pod" },
    );
  });

  it("rolls an image change out within maxSurge and maxUnavailable, sampled every 100 ms", async () => {
    const manifest = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: "web" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [{ name: "web", image: "nginx:1.27", readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 1 } }],
            terminationGracePeriodSeconds: 1,
          },
        },
      },
    };
    await cluster.client.create(toApiObject(manifest));
    await eventually(
      async () => {
        const d = await deployment("web");
        if (d.status?.availableReplicas !== 4 || d.status.updatedReplicas !== 4) throw new Error(JSON.stringify(d.status));
        return true;
      },
      { timeoutMs: 60_000, what: "the first rollout" },
    );

    const samples: { total: number; available: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = (await podsOf("app=web")).filter(live);
        samples.push({ total: pods.length, available: pods.filter(ready).length });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await changeDeployment("web", (d) => (d.spec!.template!.spec!.containers[0]!.image = "nginx:1.28"));
    await eventually(
      async () => {
        const d = await deployment("web");
        const pods = (await podsOf("app=web")).filter(live);
        const images = new Set(pods.map((p) => p.spec!.containers[0]!.image));
        if (d.status?.updatedReplicas !== 4 || d.status.availableReplicas !== 4 || pods.length !== 4 || images.size !== 1 || !images.has("nginx:1.28")) {
          throw new Error(`${JSON.stringify(d.status)} pods ${pods.length} images ${[...images]}`);
        }
        return true;
      },
      { timeoutMs: 90_000, what: "the image rollout" },
    );
    sampling = false;
    await sampler;
    expect(samples.length).toBeGreaterThan(10);
    expect(Math.max(...samples.map((s) => s.total)), "pods never above replicas + maxSurge").toBeLessThanOrEqual(5);
    expect(Math.min(...samples.map((s) => s.available)), "available never below replicas − maxUnavailable").toBeGreaterThanOrEqual(3);
    const rs = (await cluster.client.list({ kind: "ReplicaSet", namespace: "default", labelSelector: "app=web" })).items.map((o) => o.replicaSet!);
    expect(rs.map((r) => [r.metadata!.annotations["deployment.kubernetes.io/revision"], r.spec!.replicas]).sort()).toEqual([
      ["1", 0],
      ["2", 4],
    ]);
  });

  it("scales 3 → 100 → 0 and converges", async () => {
    const create = (replicas: number): ApiObject =>
      toApiObject({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "scaler" },
        spec: {
          replicas,
          selector: { matchLabels: { app: "scaler" } },
          template: { metadata: { labels: { app: "scaler" } }, spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }], terminationGracePeriodSeconds: 0 } },
        },
      });
    await cluster.client.create(create(3));
    for (const replicas of [3, 100, 0]) {
      await changeDeployment("scaler", (d) => (d.spec!.replicas = replicas));
      await eventually(
        async () => {
          const pods = (await podsOf("app=scaler")).filter(live);
          const running = pods.filter((p) => p.status?.phase === "Running").length;
          const status = (await deployment("scaler")).status;
          if (pods.length !== replicas || running !== replicas || status?.availableReplicas !== replicas) {
            throw new Error(`${pods.length} pods, ${running} running, status ${JSON.stringify(status)}`);
          }
          return true;
        },
        { timeoutMs: 90_000, what: `${replicas} replicas` },
      );
    }
  });
});

describe("Deployment strategies and conditions", () => {
  const template = (command: string[], extra: Record<string, unknown> = {}) => ({
    metadata: { labels: { app: "strategy" } },
    spec: { containers: [{ name: "c", image: "busybox", command, ...extra }], terminationGracePeriodSeconds: 1 },
  });

  it("Recreate stops every old pod before the first new one starts", async () => {
    await cluster.client.create(
      toApiObject({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "recreate" },
        spec: { replicas: 3, strategy: { type: "Recreate" }, selector: { matchLabels: { app: "strategy" } }, template: template(["sleep", "3600"]) },
      }),
    );
    await eventually(async () => ((await podsOf("app=strategy")).filter((p) => p.status?.phase === "Running").length === 3 ? true : undefined), { what: "3 old pods" });
    const mixed: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        // Terminating pods count too: Recreate waits until they are gone.
        const commands = new Set((await podsOf("app=strategy")).map((p) => p.spec!.containers[0]!.command.join(" ")));
        if (commands.size > 1) mixed.push([...commands].join(" & "));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await changeDeployment("recreate", (d) => (d.spec!.template!.spec!.containers[0]!.command = ["sleep", "3601"]));
    await eventually(
      async () => {
        const pods = (await podsOf("app=strategy")).filter(live);
        return pods.length === 3 && pods.every((p) => p.spec!.containers[0]!.command[1] === "3601" && p.status?.phase === "Running") ? true : undefined;
      },
      { timeoutMs: 60_000, what: "3 new pods" },
    );
    sampling = false;
    await sampler;
    expect(mixed, "old and new pods at the same time").toEqual([]);
  });

  it("marks a rollout that cannot progress with ProgressDeadlineExceeded", async () => {
    await cluster.client.create(
      toApiObject({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "stuck" },
        spec: {
          replicas: 1,
          progressDeadlineSeconds: 3,
          selector: { matchLabels: { app: "stuck" } },
          template: { ...template(["sleep", "3600"], { readinessProbe: { exec: { command: ["false"] }, periodSeconds: 1 } }), metadata: { labels: { app: "stuck" } } },
        },
      }),
    );
    const condition = await eventually(
      async () => {
        const c = (await deployment("stuck")).status?.conditions.find((x) => x.type === "Progressing");
        return c?.reason === "ProgressDeadlineExceeded" ? c : undefined;
      },
      { timeoutMs: 30_000, what: "ProgressDeadlineExceeded" },
    );
    expect(condition).toMatchObject({ status: "False", message: expect.stringMatching(/has timed out progressing/) });
    expect((await deployment("stuck")).status?.conditions.find((x) => x.type === "Available")?.status).toBe("False");
  });
});

describe("ReplicaSets and ReplicationControllers", () => {
  const podSpec = { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }], terminationGracePeriodSeconds: 0 };

  it("adopt a matching orphan instead of creating a pod, and release a pod relabelled away", async () => {
    await cluster.client.create(toApiObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "orphan", labels: { app: "adopt" } }, spec: podSpec }));
    await cluster.client.create(
      toApiObject({
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: { name: "adopter" },
        spec: { replicas: 2, selector: { matchLabels: { app: "adopt" } }, template: { metadata: { labels: { app: "adopt" } }, spec: podSpec } },
      }),
    );
    const rs = (await cluster.client.get({ kind: "ReplicaSet", namespace: "default", name: "adopter" })).replicaSet!;
    const owned = async () => (await podsOf("app=adopt")).filter((p) => live(p) && p.metadata!.ownerReferences.some((r) => r.uid === rs.metadata!.uid));
    await eventually(async () => ((await owned()).length === 2 ? true : undefined), { what: "2 owned pods" });
    expect((await owned()).map((p) => p.metadata!.name)).toContain("orphan");

    // Relabelled away: released (no owner reference) and replaced.
    for (;;) {
      const orphan = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "orphan" })).pod!;
      orphan.metadata!.labels = { app: "debug" };
      try {
        await cluster.client.update({ pod: orphan });
        break;
      } catch (e) {
        if (!isCapstanError(e, "Conflict")) throw e;
      }
    }
    await eventually(
      async () => {
        const released = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "orphan" })).pod!;
        const pods = await owned();
        return released.metadata!.ownerReferences.length === 0 && pods.length === 2 && !pods.some((p) => p.metadata!.name === "orphan") ? true : undefined;
      },
      { what: "the relabelled pod released and replaced" },
    );
  });

  it("keep a ReplicationController's replicas with its map selector", async () => {
    await cluster.client.create(
      toApiObject({ apiVersion: "v1", kind: "ReplicationController", metadata: { name: "legacy" }, spec: { replicas: 2, selector: { app: "legacy" }, template: { metadata: { labels: { app: "legacy" } }, spec: podSpec } } }),
    );
    await eventually(async () => ((await podsOf("app=legacy")).filter(live).length === 2 ? true : undefined), { what: "2 pods of the ReplicationController" });
    await eventually(
      async () => ((await cluster.client.get({ kind: "ReplicationController", namespace: "default", name: "legacy" })).replicationController!.status?.replicas === 2 ? true : undefined),
      { what: "its status" },
    );
  });
});

describe("Probes through the API", () => {
  it("restarts a container whose liveness probe starts failing, with Unhealthy and Killing events", async () => {
    await cluster.client.create(
      toApiObject({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "flaky" },
        spec: {
          containers: [
            {
              name: "app",
              image: "busybox",
              command: ["sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600"],
              livenessProbe: { exec: { command: ["cat", "/tmp/healthy"] }, periodSeconds: 1, failureThreshold: 2 },
            },
          ],
          terminationGracePeriodSeconds: 1,
        },
      }),
    );
    await eventually(
      async () => {
        const c = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "flaky" })).pod!.status?.containerStatuses[0];
        return c && c.restartCount >= 1 ? c : undefined;
      },
      { timeoutMs: 30_000, what: "a restart after the liveness probe failed" },
    );
    const reasons = (await cluster.client.list({ kind: "Event", namespace: "default", fieldSelector: "involvedObject.name=flaky" })).items.map((o) => o.event!);
    expect(reasons.some((e) => e.reason === "Unhealthy" && e.message.startsWith("Liveness probe failed"))).toBe(true);
    expect(reasons.some((e) => e.reason === "Killing" && e.message === "Container app failed liveness probe, will be restarted")).toBe(true);
  });
});
