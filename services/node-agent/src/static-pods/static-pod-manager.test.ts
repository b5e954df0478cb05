import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UnavailableError } from "@capstan/apimachinery";
import type { CapstanClient } from "@capstan/client";
import { FakeGateway } from "@capstan/client/testing";
import { useProcessRuntimes } from "../runtime/process-runtime-harness.js";
import { eventually } from "../runtime/testing.js";
import { StaticPodManager } from "./static-pod-manager.js";

const { runtime } = useProcessRuntimes("127.204");
const managers: StaticPodManager[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const m of managers.splice(0)) m.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function manifestDir(script: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "static-pods-"));
  dirs.push(dir);
  const file = join(dir, "job.yaml");
  writeManifest(file, script);
  return { dir, file };
}

function writeManifest(file: string, script: string): void {
  const doc = { apiVersion: "v1", kind: "Pod", metadata: { name: "job" }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "busybox", command: ["sh", "-c", script] }] } };
  writeFileSync(file, JSON.stringify(doc));
}

function manager(rt: ReturnType<typeof runtime>["rt"], client: CapstanClient, dir: string): StaticPodManager {
  // A long rescan: the tests read the directory again themselves.
  const m = new StaticPodManager(rt, client, { dir, nodeName: "node-1", hostIP: "127.0.0.1", rescanMs: 600_000, retryMs: 50, log: () => {} });
  managers.push(m);
  return m;
}

describe("StaticPodManager", () => {
  it("runs the static pod and restarts its container by restartPolicy while the API does not answer", async () => {
    const { rt } = runtime({ backoffBaseMs: 50 });
    const unreachable = new Proxy({}, { get: () => () => Promise.reject(new UnavailableError("the gateway does not answer")) }) as CapstanClient;
    const { dir } = manifestDir("sleep 0.2; exit 1");
    const m = manager(rt, unreachable, dir);
    await m.start();
    const uid = m.uidFor("default", "job-node-1")!;
    expect(uid).toMatch(/^[0-9a-f]{32}$/);
    await eventually(() => expect(rt.status(uid)?.containerStatuses[0]?.restartCount).toBeGreaterThanOrEqual(2), { timeoutMs: 20_000 });
  });

  it("mirrors the pod; a changed manifest replaces pod and mirror, a removed one stops the pod and deletes the mirror", async () => {
    const { rt } = runtime();
    const api = new FakeGateway();
    await api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } });
    await api.apply({ apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } });
    const { dir, file } = manifestDir("sleep 1000");
    const m = manager(rt, api, dir);
    await m.start();
    const first = m.uidFor("default", "job-node-1")!;
    const mirrorOf = () => api.stored("Pod", "job-node-1", "default") as { metadata: { annotations: Record<string, string> }; status?: { phase?: string } } | undefined;
    await eventually(() => expect(mirrorOf()?.status?.phase).toBe("Running"), { timeoutMs: 20_000 });
    expect(mirrorOf()?.metadata.annotations["kubernetes.io/config.mirror"]).toBe(first);

    writeManifest(file, "echo changed; sleep 1000");
    await m.rescan();
    const second = m.uidFor("default", "job-node-1")!;
    expect(second).not.toBe(first);
    expect(rt.status(first)).toBeUndefined();
    await eventually(() => expect(mirrorOf()?.metadata.annotations["kubernetes.io/config.mirror"]).toBe(second), { timeoutMs: 20_000 });

    rmSync(file);
    await m.rescan();
    expect(rt.status(second)).toBeUndefined();
    await eventually(() => expect(mirrorOf()).toBeUndefined(), { timeoutMs: 20_000 });
  });
});
