import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromApiObject, toApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { eventually, orGone, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * Static pods: the node agent runs a manifest from CAPSTAN_STATIC_POD_DIR without the API deciding,
 * restarts its container when it dies, and keeps a read-only mirror pod `<name>-<node>` in the API that
 * comes back when deleted; removing the file removes the pod and its mirror.
 */
let cluster: TestCluster;
const manifests = mkdtempSync(join(tmpdir(), "capstan-static-pods-"));
const manifest = join(manifests, "static-web.yaml");
const mirrorName = "static-web-node-1";

beforeAll(async () => {
  writeFileSync(
    manifest,
    [
      "apiVersion: v1",
      "kind: Pod",
      "metadata:",
      "  name: static-web",
      "  labels: { app: static-web }",
      "spec:",
      "  terminationGracePeriodSeconds: 0",
      "  containers:",
      "  - name: web",
      "    image: busybox",
      '    command: ["sh", "-c", "echo static pod up; exec sleep 3600"]',
      "",
    ].join("\n"),
  );
  cluster = await startTestCluster({ nodes: 1, env: { CAPSTAN_STATIC_POD_DIR: manifests, CAPSTAN_STATIC_POD_RESCAN_SECONDS: "5" } });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(manifests, { recursive: true, force: true });
});

const mirror = async () => {
  const pod = await orGone(cluster.client.get({ kind: "Pod", namespace: "default", name: mirrorName }));
  return pod && fromApiObject(pod).json;
};
const podOf = async () => (await orGone(cluster.client.get({ kind: "Pod", namespace: "default", name: mirrorName })))?.pod;

const runningMirror = (what: string, check: (pod: NonNullable<Awaited<ReturnType<typeof podOf>>>) => boolean = () => true) =>
  eventually(
    async () => {
      const pod = await podOf();
      return pod?.status?.phase === "Running" && pod.status.containerStatuses[0]?.state?.running && check(pod) ? pod : undefined;
    },
    { timeoutMs: 45_000, what },
  );

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("static pods", () => {
  it("runs the manifest's pod and mirrors it into the API as <name>-<node>, owned by the Node and read-only", async () => {
    const pod = await runningMirror("the mirror pod Running");
    const json = (await mirror())!;
    const meta = json["metadata"] as { annotations: Record<string, string>; ownerReferences: Array<Record<string, unknown>>; labels: Record<string, string> };
    expect(meta.annotations["kubernetes.io/config.source"]).toBe("file");
    expect(meta.annotations["kubernetes.io/config.mirror"]).toMatch(/^[0-9a-f]{32}$/);
    expect(meta.annotations["kubernetes.io/config.hash"]).toBe(meta.annotations["kubernetes.io/config.mirror"]);
    expect(meta.labels).toEqual({ app: "static-web" });
    const node = (await cluster.client.get({ kind: "Node", namespace: "", name: "node-1" })).node!;
    expect(meta.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Node", name: "node-1", uid: node.metadata!.uid, controller: true }]);
    expect(pod.spec?.nodeName).toBe("node-1");
    const logs = await eventually(async () => ((await cluster.capctl(["logs", mirrorName])).stdout.includes("static pod up") ? true : undefined), {
      timeoutMs: 15_000,
      what: "the static pod's log",
    });
    expect(logs).toBe(true);

    // Mirror pods are read-only: the static pod's file is what changes them.
    const spec = json["spec"] as { containers: Array<Record<string, unknown>> };
    const changed = toApiObject({ ...json, spec: { ...spec, containers: spec.containers.map((c) => ({ ...c, image: "nginx" })) } });
    const refused = await cluster.client.update(changed).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isCapstanError(refused, "Invalid")).toBe(true);
    expect((refused as Error).message).toContain("a mirror pod may not be updated");
  });

  it("restarts the container when its process dies, and the mirror counts the restart", async () => {
    const before = await runningMirror("the mirror pod Running");
    const pid = Number(before.status!.containerStatuses[0]!.containerId.replace("process://", ""));
    expect(isAlive(pid)).toBe(true);
    process.kill(pid, "SIGKILL");
    const after = await runningMirror("the container restarted", (pod) => (pod.status?.containerStatuses[0]?.restartCount ?? 0) >= 1);
    expect(after.status!.containerStatuses[0]!.restartCount).toBe(1);
    expect(after.status!.containerStatuses[0]!.containerId).not.toBe(before.status!.containerStatuses[0]!.containerId);
    // The runtime's events about the static pod, once its mirror exists, involve the mirror.
    const described = await eventually(
      async () => {
        const out = await cluster.capctlOk(["describe", "pod", mirrorName]);
        return /Normal\s+Started\s.*Started container web/.test(out) ? out : undefined;
      },
      { timeoutMs: 15_000, what: "the static pod's events on its mirror" },
    );
    expect(described).toContain("kubernetes.io/config.source: file");
  });

  it("makes a mirror pod deleted through the API again, while the static pod runs on", async () => {
    const before = await runningMirror("the mirror pod Running");
    const pid = Number(before.status!.containerStatuses[0]!.containerId.replace("process://", ""));
    await cluster.capctlOk(["delete", "pod", mirrorName]);
    const recreated = await runningMirror("the mirror pod recreated", (pod) => pod.metadata?.uid !== before.metadata?.uid);
    // The same static pod: its container was not restarted by the mirror's deletion.
    expect(recreated.status!.containerStatuses[0]!.containerId).toBe(`process://${pid}`);
    expect(isAlive(pid)).toBe(true);
  });

  it("stops the pod and deletes its mirror when the manifest is removed", async () => {
    const before = await runningMirror("the mirror pod Running");
    const pid = Number(before.status!.containerStatuses[0]!.containerId.replace("process://", ""));
    rmSync(manifest);
    await eventually(async () => ((await mirror()) === undefined ? true : undefined), { timeoutMs: 30_000, what: "the mirror pod gone" });
    await eventually(() => (isAlive(pid) ? undefined : true), { timeoutMs: 15_000, what: "the container process gone" });
  });
});
