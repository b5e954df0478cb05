import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type Event } from "@capstan/api";
import { eventually, examplesDir, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * PersistentVolumes through real processes: the example PV and PVC bind (pv-binder); a pod whose claim
 * has no volume waits in the scheduler (VolumeBinding) until a matching hostPath volume appears, then
 * binds, runs, and what its container writes lands in the volume's host directory (node agent).
 */
let cluster: TestCluster;
const hostDir = mkdtempSync(join(tmpdir(), "capstan-volumes-"));

beforeAll(async () => {
  cluster = await startTestCluster();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(hostDir, { recursive: true, force: true });
});

async function eventsOf(name: string, reason: string): Promise<Event[]> {
  const items = (await cluster.client.list({ kind: "Event", namespace: "default", fieldSelector: `involvedObject.name=${name},reason=${reason}` })).items;
  return items.map((o) => o.event!);
}

describe("persistent volumes", () => {
  it("binds the example claim to the example volume", async () => {
    await cluster.capctlOk(["apply", "-f", join(examplesDir, "pv-pvc.yaml")]);
    const table = await eventually(
      async () => {
        const out = await cluster.capctlOk(["get", "pv,pvc"]);
        return /persistentvolumeclaim\/pvc\s+Bound/.test(out) && /persistentvolume\/pv\s+10Gi\s+RWO\s+Retain\s+Bound/.test(out) ? out : undefined;
      },
      { timeoutMs: 30_000, what: "pv and pvc Bound" },
    );
    expect(table).toMatch(/^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+AGE$/m);
    expect(table).toMatch(/^persistentvolume\/pv\s+10Gi\s+RWO\s+Retain\s+Bound\s+default\/pvc\s+ssd\s+\d+s$/m);
    expect(table).toMatch(/^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+AGE$/m);
    expect(table).toMatch(/^persistentvolumeclaim\/pvc\s+Bound\s+pv\s+10Gi\s+RWO\s+ssd\s+\d+s$/m);
  });

  it("keeps a pod whose claim has no volume Pending, then runs it on the volume once one exists", async () => {
    const path = join(hostDir, "data"); // not there yet: the node agent creates it
    await cluster.client.create(
      toApiObject({
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "data" },
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: "", resources: { requests: { storage: "1Gi" } } },
      }),
    );
    await cluster.client.create(
      toApiObject({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "writer" },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: "c", image: "busybox", command: ["sh", "-c", "echo written by the pod > /data/hello; sleep 3600"], volumeMounts: [{ name: "data", mountPath: "/data" }] }],
          volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
        },
      }),
    );

    const unbound = await eventually(async () => (await eventsOf("data", "FailedBinding"))[0], { timeoutMs: 30_000, what: "a FailedBinding event" });
    expect(unbound.message).toBe("no persistent volumes available for this claim and no storage class is set");
    const failed = await eventually(async () => (await eventsOf("writer", "FailedScheduling"))[0], { timeoutMs: 30_000, what: "a FailedScheduling event" });
    expect(failed.message).toMatch(/^0\/2 nodes are available: pod has unbound immediate PersistentVolumeClaims\./);
    const pending = (await cluster.client.get({ kind: "Pod", namespace: "default", name: "writer" })).pod!;
    expect(pending.spec?.nodeName).toBe("");
    expect(pending.status?.phase).toBe("Pending");

    await cluster.client.create(
      toApiObject({
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "data-pv" },
        spec: { accessModes: ["ReadWriteOnce"], capacity: { storage: "2Gi" }, hostPath: { path } },
      }),
    );
    await eventually(
      async () => (await cluster.client.get({ kind: "Pod", namespace: "default", name: "writer" })).pod?.status?.phase === "Running" || undefined,
      { timeoutMs: 60_000, intervalMs: 250, what: "pod writer Running" },
    );
    const claims = await cluster.capctlOk(["get", "pvc", "data"]);
    expect(claims).toMatch(/^data\s+Bound\s+data-pv\s+2Gi\s+RWO\s+\d+s$/m);
    const written = await eventually(async () => (existsSync(join(path, "hello")) ? readFileSync(join(path, "hello"), "utf8") : undefined), {
      timeoutMs: 30_000,
      what: "the file the pod wrote, in the volume's host directory",
    });
    expect(written).toBe("written by the pod\n");
  });
});
