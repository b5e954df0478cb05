import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromApiObject, toApiObject, type Pod } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import { eventually, orGone, startTestCluster, type TestCluster } from "./support/index.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 1 });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Ignores SIGTERM, so a pod takes its whole grace period to stop: long enough to watch an owner wait for it. */
const stubborn = ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"];

async function createReplicaSet(name: string, opts: { namespace?: string; graceSeconds?: number; command?: string[] } = {}): Promise<string> {
  const created = await cluster.client.create(
    toApiObject({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name, namespace: opts.namespace ?? "default" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            terminationGracePeriodSeconds: opts.graceSeconds ?? 1,
            containers: [{ name: "c", image: "busybox", command: opts.command ?? ["sleep", "3600"] }],
          },
        },
      },
    }),
  );
  return created.replicaSet!.metadata!.uid;
}

async function podsLabelled(app: string, namespace = "default"): Promise<Pod[]> {
  return (await cluster.client.list({ kind: "Pod", namespace, labelSelector: `app=${app}` })).items.map((o) => o.pod!);
}

/** The replica set's two pods, Running. */
async function runningPodsOf(app: string, namespace = "default"): Promise<Pod[]> {
  return eventually(
    async () => {
      const pods = await podsLabelled(app, namespace);
      const running = pods.filter((p) => p.status?.phase === "Running" && !p.metadata!.deletionTimestamp);
      if (running.length !== 2) throw new Error(`${running.length} of ${pods.length} pods running`);
      return running;
    },
    { timeoutMs: 60_000, what: `2 running pods of ${app}` },
  );
}

async function getOrUndefined(kind: string, name: string, namespace = "default"): Promise<JsonObject | undefined> {
  const found = await orGone(cluster.client.get({ kind, namespace, name }));
  return found && fromApiObject(found).json;
}

const metadata = (o: JsonObject | undefined) => (o?.["metadata"] ?? {}) as JsonObject;

const capctl = (...args: string[]) => cluster.capctlOk(args);

describe("garbage collection", () => {
  it("deletes a replica set's pods after it, with --cascade=background (the default)", async () => {
    const uid = await createReplicaSet("bg");
    const pods = await runningPodsOf("bg");
    expect(pods.map((p) => p.metadata!.ownerReferences[0]?.uid)).toEqual([uid, uid]);

    expect(await capctl("delete", "replicaset", "bg")).toBe('replicaset.apps "bg" deleted\n');

    await eventually(async () => (await podsLabelled("bg")).length === 0, { timeoutMs: 30_000, what: "the pods of bg to go" });
  });

  it("keeps a replica set deleted with --cascade=foreground until its pods are gone, then deletes it", async () => {
    await createReplicaSet("fg", { graceSeconds: 4, command: stubborn });
    await runningPodsOf("fg");

    expect(await capctl("delete", "rs", "fg", "--cascade=foreground", "--wait=false")).toBe('replicaset.apps "fg" deleted\n');

    let sawItWait = false;
    await eventually(
      async () => {
        // The replica set first, then its pods: once it is gone, none of them may be left.
        const rs = await getOrUndefined("ReplicaSet", "fg");
        const pods = await podsLabelled("fg");
        if (rs) {
          expect(metadata(rs)).toMatchObject({ deletionTimestamp: expect.any(String), finalizers: ["foregroundDeletion"] });
          if (pods.length > 0 && pods.every((p) => p.metadata!.deletionTimestamp)) sawItWait = true;
          throw new Error(`replica set still there, with ${pods.length} pods`);
        }
        expect(pods).toEqual([]);
        return true;
      },
      { timeoutMs: 45_000, intervalMs: 100, what: "the pods, then the replica set, to go" },
    );
    expect(sawItWait, "the replica set waited while its pods were terminating").toBe(true);
  }, 120_000);

  it("leaves the pods of a replica set deleted with --cascade=orphan running, without the owner reference", async () => {
    await createReplicaSet("orph");
    const before = await runningPodsOf("orph");

    expect(await capctl("delete", "rs", "orph", "--cascade=orphan")).toBe('replicaset.apps "orph" deleted\n');

    expect(await getOrUndefined("ReplicaSet", "orph")).toBeUndefined();
    // Given the collector time to get it wrong, the same pods still run, owned by no one.
    await new Promise((r) => setTimeout(r, 2_000));
    const after = await podsLabelled("orph");
    expect(after.map((p) => p.metadata!.uid).sort()).toEqual(before.map((p) => p.metadata!.uid).sort());
    for (const p of after) {
      expect(p.metadata!.ownerReferences).toEqual([]);
      expect(p.metadata!.deletionTimestamp).toBeUndefined();
      expect(p.status?.phase).toBe("Running");
    }
    for (const p of after) await cluster.client.delete({ kind: "Pod", namespace: "default", name: p.metadata!.name, gracePeriodSeconds: 0 });
  });

  it("deletes a deployment's replica set and its pods after it", async () => {
    const created = await cluster.client.create(
      toApiObject({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "chain", namespace: "default" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "chain" } },
          template: {
            metadata: { labels: { app: "chain" } },
            spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"] }] },
          },
        },
      }),
    );
    const replicaSetsOfChain = async () =>
      (await cluster.client.list({ kind: "ReplicaSet", namespace: "default" })).items.filter((o) =>
        o.replicaSet!.metadata!.ownerReferences.some((r) => r.uid === created.deployment!.metadata!.uid),
      );
    await runningPodsOf("chain");
    expect(await replicaSetsOfChain()).toHaveLength(1);

    expect(await capctl("delete", "deployment", "chain")).toBe('deployment.apps "chain" deleted\n');

    await eventually(
      async () => (await replicaSetsOfChain()).length === 0 && (await podsLabelled("chain")).length === 0,
      { timeoutMs: 30_000, what: "the replica set and pods of chain to go" },
    );
  }, 120_000);

  it("accepts kubectl's deprecated --cascade=false as orphan, with its warning", async () => {
    await createReplicaSet("legacy");
    await runningPodsOf("legacy");

    const r = await cluster.capctl(["delete", "rs", "legacy", "--cascade=false"]);

    expect(r.stderr).toBe("warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n");
    expect(r.code).toBe(0);
    await new Promise((r) => setTimeout(r, 1_000));
    const pods = await podsLabelled("legacy");
    expect(pods).toHaveLength(2);
    for (const p of pods) await cluster.client.delete({ kind: "Pod", namespace: "default", name: p.metadata!.name, gracePeriodSeconds: 0 });
  });
});

describe("service deletion", () => {
  it("takes the Service's Endpoints and EndpointSlices with it: none is left naming its pods", async () => {
    await createReplicaSet("gc-web");
    const pods = await runningPodsOf("gc-web");
    await cluster.client.create(
      toApiObject({ apiVersion: "v1", kind: "Service", metadata: { name: "gc-web", namespace: "default" }, spec: { selector: { app: "gc-web" }, ports: [{ port: 80 }] } }),
    );
    const podIPs = pods.map((p) => p.status!.podIp);
    const listed = await eventually(
      async () => {
        const out = await capctl("get", "endpoints,endpointslices");
        const rows = out.split("\n").filter((line) => line.includes("gc-web"));
        // The Endpoints row and one slice row, each with the pods' addresses.
        if (rows.length !== 2 || !rows.every((row) => podIPs.every((ip) => row.includes(ip)))) throw new Error(`not yet listed with both pods:\n${out}`);
        return rows;
      },
      { what: "the Endpoints and EndpointSlice of gc-web with its pods" },
    );
    expect(listed[0]).toMatch(/^endpoints\/gc-web\s/);
    expect(listed[1]).toMatch(/^endpointslice\.discovery\.k8s\.io\/gc-web-\w+\s/);

    expect(await capctl("delete", "service", "gc-web")).toBe('service "gc-web" deleted\n');

    await eventually(
      async () => {
        const out = await capctl("get", "endpoints,endpointslices");
        if (out.includes("gc-web")) throw new Error(`still listed:\n${out}`);
        return true;
      },
      { timeoutMs: 30_000, what: "the Endpoints and EndpointSlices of gc-web to go" },
    );
    await capctl("delete", "replicaset", "gc-web");
  });
});

describe("namespace deletion", () => {
  it("deletes everything in a namespace, pods gracefully, then the namespace", async () => {
    await cluster.client.create(toApiObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } }));
    await createReplicaSet("web", { namespace: "team-a" });
    await cluster.client.create(
      toApiObject({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "lonely", namespace: "team-a", labels: { app: "lonely" } },
        spec: { terminationGracePeriodSeconds: 3, containers: [{ name: "c", image: "busybox", command: stubborn }] },
      }),
    );
    await runningPodsOf("web", "team-a");
    await eventually(async () => (await podsLabelled("lonely", "team-a"))[0]?.status?.phase === "Running", { timeoutMs: 60_000, what: "the lonely pod to run" });

    expect(await capctl("delete", "namespace", "team-a", "--wait=false")).toBe('namespace "team-a" deleted\n');

    expect(await capctl("get", "namespace", "team-a")).toMatch(/^NAME\s+STATUS\s+AGE\nteam-a\s+Terminating\s+/);
    await expect(
      cluster.client.create(toApiObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "late", namespace: "team-a" }, spec: { containers: [{ name: "c", image: "busybox" }] } })),
    ).rejects.toThrow(/because it is being terminated/);

    await eventually(
      async () => {
        const ns = await getOrUndefined("Namespace", "team-a", "");
        const pods = (await cluster.client.list({ kind: "Pod", namespace: "team-a" })).items;
        const replicaSets = (await cluster.client.list({ kind: "ReplicaSet", namespace: "team-a" })).items;
        if (ns) throw new Error(`namespace ${String((ns["status"] as JsonObject)["phase"])}, ${pods.length} pods, ${replicaSets.length} replica sets left`);
        expect([...pods, ...replicaSets]).toEqual([]);
        return true;
      },
      { timeoutMs: 60_000, what: "the namespace's content, then the namespace, to go" },
    );
  }, 180_000);

  it("refuses to delete a system namespace", async () => {
    const r = await cluster.capctl(["delete", "namespace", "kube-system"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('namespaces "kube-system" is forbidden: this namespace may not be deleted');
    expect(await getOrUndefined("Namespace", "kube-system", "")).toBeDefined();
  });
});
