import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toApiObject, type PersistentVolume } from "@capstan/api";
import { eventually, orGone, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * Dynamic provisioning through real processes, as k3s's local-path: a claim naming no class gets the
 * default class local-path (gateway admission); its pod is scheduled, the scheduler selects the node on
 * the claim, the provisioner makes a volume there, the pv-binder binds it, the scheduler binds the pod,
 * and what the container writes lands in the volume's directory (made by the node agent). Deleting the
 * pod and the claim removes the volume and its directory; a Retain class keeps both.
 */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

const claimOf = (name: string, storageClassName?: string) =>
  toApiObject({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...(storageClassName ? { storageClassName } : {}) },
  });

const writerOf = (name: string, claimName: string) =>
  toApiObject({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: "c", image: "busybox", command: ["sh", "-c", `echo written by ${name} > /data/hello; sleep 3600`], volumeMounts: [{ name: "data", mountPath: "/data" }] }],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName } }],
    },
  });

const getPod = (name: string) => cluster.client.get({ kind: "Pod", namespace: "default", name });
const getClaim = (name: string) => cluster.client.get({ kind: "PersistentVolumeClaim", namespace: "default", name });
const getVolume = (name: string) => cluster.client.get({ kind: "PersistentVolume", namespace: "", name });

/** Runs a writer pod on a new claim until the pod is Running and its file is in the volume; the claim's volume and node. */
async function provisionAndWrite(claimName: string, podName: string, storageClassName?: string): Promise<{ volume: PersistentVolume; nodeName: string; path: string }> {
  await cluster.client.create(claimOf(claimName, storageClassName));
  await cluster.client.create(writerOf(podName, claimName));
  const pod = await eventually(async () => ((await getPod(podName)).pod?.status?.phase === "Running" ? (await getPod(podName)).pod : undefined), {
    timeoutMs: 90_000,
    intervalMs: 250,
    what: `pod ${podName} Running`,
  });
  const claim = (await getClaim(claimName)).persistentVolumeClaim!;
  expect(claim.status?.phase).toBe("Bound");
  const volume = (await getVolume(claim.spec!.volumeName!)).persistentVolume!;
  const path = volume.spec!.hostPath!.path;
  const written = await eventually(async () => (existsSync(join(path, "hello")) ? readFileSync(join(path, "hello"), "utf8") : undefined), {
    what: "the file the pod wrote, in the volume's directory",
  });
  expect(written).toBe(`written by ${podName}\n`);
  return { volume, nodeName: pod!.spec!.nodeName, path };
}

async function deletePodAndClaim(podName: string, claimName: string): Promise<void> {
  await cluster.client.delete({ kind: "Pod", namespace: "default", name: podName });
  await eventually(async () => ((await orGone(getPod(podName))) === undefined ? true : undefined), { timeoutMs: 60_000, what: `pod ${podName} gone` });
  await cluster.client.delete({ kind: "PersistentVolumeClaim", namespace: "default", name: claimName });
}

describe("local-path provisioning", () => {
  it("ships local-path as the default class", async () => {
    const table = await cluster.capctlOk(["get", "sc"]);
    expect(table).toMatch(/^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/m);
    expect(table).toMatch(/^local-path \(default\)\s+capstan\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+\d+[sm]$/m);
  });

  it("provisions a claim naming no class on its pod's node, and deletes volume and directory with the claim", async () => {
    const { volume, nodeName, path } = await provisionAndWrite("data", "writer");

    const claim = (await getClaim("data")).persistentVolumeClaim!;
    expect(claim.spec?.storageClassName).toBe("local-path");
    expect(claim.metadata?.annotations["volume.kubernetes.io/selected-node"]).toBe(nodeName);
    const name = `pvc-${claim.metadata!.uid}`;
    expect(volume.metadata?.name).toBe(name);
    expect(volume.metadata?.annotations["pv.kubernetes.io/provisioned-by"]).toBe("capstan.io/local-path");
    expect(volume.spec?.persistentVolumeReclaimPolicy).toBe("Delete");
    expect(volume.spec?.claimRef).toMatchObject({ namespace: "default", name: "data", uid: claim.metadata!.uid });
    expect(volume.spec?.nodeAffinity?.required?.nodeSelectorTerms).toEqual([{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [nodeName] }], matchFields: [] }]);
    expect(path).toBe(join(resolve(cluster.dataDir), "local-path", `${name}_default_data`));
    const claims = await cluster.capctlOk(["get", "pvc", "data"]);
    expect(claims).toMatch(new RegExp(`^data\\s+Bound\\s+${name}\\s+1Gi\\s+RWO\\s+local-path\\s+\\d+s$`, "m"));

    await deletePodAndClaim("writer", "data");
    await eventually(async () => ((await orGone(getVolume(name))) === undefined ? true : undefined), { timeoutMs: 60_000, what: `volume ${name} deleted` });
    await eventually(() => (existsSync(path) ? undefined : true), { what: `directory ${path} removed` });
  });

  it("keeps the volume and its directory, Released, under a Retain class", async () => {
    await cluster.client.create(
      toApiObject({
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: "local-keep" },
        provisioner: "capstan.io/local-path",
        reclaimPolicy: "Retain",
        volumeBindingMode: "WaitForFirstConsumer",
      }),
    );
    const { volume, path } = await provisionAndWrite("kept", "keeper", "local-keep");
    const name = volume.metadata!.name;
    expect(volume.spec?.persistentVolumeReclaimPolicy).toBe("Retain");

    await deletePodAndClaim("keeper", "kept");
    const released = await eventually(async () => ((await getVolume(name)).persistentVolume?.status?.phase === "Released" ? true : undefined), {
      what: `volume ${name} Released`,
    });
    expect(released).toBe(true);
    const table = await cluster.capctlOk(["get", "pv", name]);
    expect(table).toMatch(new RegExp(`^${name}\\s+1Gi\\s+RWO\\s+Retain\\s+Released\\s+default/kept\\s+local-keep\\s+\\d+s$`, "m"));
    expect(readFileSync(join(path, "hello"), "utf8")).toBe("written by keeper\n");
  });

  it("provisions and binds a claim of an Immediate class before any pod uses it", async () => {
    await cluster.client.create(
      toApiObject({ apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "local-now" }, provisioner: "capstan.io/local-path", volumeBindingMode: "Immediate" }),
    );
    await cluster.client.create(claimOf("early", "local-now"));
    const claim = await eventually(async () => ((await getClaim("early")).persistentVolumeClaim?.status?.phase === "Bound" ? (await getClaim("early")).persistentVolumeClaim : undefined), {
      what: "claim early Bound",
    });
    const name = claim!.spec!.volumeName!;
    const volume = (await getVolume(name)).persistentVolume!;
    expect(cluster.nodeNames).toContain(volume.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions[0]?.values[0]);
    expect(claim!.metadata?.annotations["volume.kubernetes.io/selected-node"]).toBeUndefined();

    await cluster.client.delete({ kind: "PersistentVolumeClaim", namespace: "default", name: "early" });
    await eventually(async () => ((await orGone(getVolume(name))) === undefined ? true : undefined), { what: `volume ${name} deleted` });
  });

  it("picks up after a kill -9 of the provisioner: a pod waiting on its claim runs once it is back, with one volume", async () => {
    const provisioner = cluster.stack.service("local-path-provisioner");
    await provisioner.crash();
    await cluster.client.create(claimOf("late"));
    await cluster.client.create(writerOf("waiter", "late"));
    // The scheduler picked a node and waits in PreBind; nothing provisions yet.
    const selected = await eventually(async () => (await getClaim("late")).persistentVolumeClaim?.metadata?.annotations["volume.kubernetes.io/selected-node"], {
      what: "the claim's selected node",
    });
    expect((await getPod("waiter")).pod?.spec?.nodeName).toBe("");

    provisioner.start();
    await eventually(async () => ((await getPod("waiter")).pod?.status?.phase === "Running" ? true : undefined), { timeoutMs: 90_000, intervalMs: 250, what: "pod waiter Running" });
    expect((await getPod("waiter")).pod?.spec?.nodeName).toBe(selected);
    const uid = (await getClaim("late")).persistentVolumeClaim!.metadata!.uid;
    const volumes = (await cluster.client.list({ kind: "PersistentVolume" })).items.map((o) => o.persistentVolume!);
    expect(volumes.filter((v) => v.spec?.claimRef?.uid === uid).map((v) => v.metadata?.name)).toEqual([`pvc-${uid}`]);
  });
});
