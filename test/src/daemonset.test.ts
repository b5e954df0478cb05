import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isCapstanError } from "@capstan/apimachinery";
import type { Node, Pod } from "@capstan/api";
import { eventually, examplesDir, startTestCluster, type TestCluster } from "./support/index.js";

/**
 * DaemonSets through real processes: the shared example applied unchanged runs one pod on every node;
 * a node that joins gets one and a node deleted from the API loses it; a node labelled out of the
 * nodeSelector loses its pod and a node with an untolerated taint gets none; a template change rolls
 * every pod to the new revision, with the controller killed -9 halfway and no node getting two.
 */
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 3 });
  // node-3 joins later: its agent stops and its Node goes before the DaemonSet exists.
  await cluster.stack.service("node-3").crash();
  await cluster.client.delete({ kind: "Node", namespace: "", name: "node-3" });
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

const NAME = "log-shipper";

/** The DaemonSet's pods that are not terminating, by node. */
async function podsByNode(): Promise<Map<string, Pod[]>> {
  const pods = (await cluster.client.list({ kind: "Pod", namespace: "default", labelSelector: `app=${NAME}` })).items.map((o) => o.pod!);
  const byNode = new Map<string, Pod[]>();
  for (const p of pods.filter((p) => !p.metadata?.deletionTimestamp)) {
    const node = p.spec?.nodeName ?? "";
    byNode.set(node, [...(byNode.get(node) ?? []), p]);
  }
  return byNode;
}

/** One Running pod on each of `nodes` and on no other node, with the revision hash `hash` when given. */
async function runningOn(nodes: readonly string[], hash?: string): Promise<Map<string, Pod> | undefined> {
  const byNode = await podsByNode();
  if ([...byNode.keys()].sort().join() !== [...nodes].sort().join()) return undefined;
  const out = new Map<string, Pod>();
  for (const [node, pods] of byNode) {
    const [pod] = pods;
    if (pods.length !== 1 || pod!.status?.phase !== "Running") return undefined;
    if (hash !== undefined && pod!.metadata?.labels["controller-revision-hash"] !== hash) return undefined;
    out.set(node, pod!);
  }
  return out;
}

async function updateNode(name: string, change: (node: Node) => void): Promise<void> {
  for (;;) {
    const node = (await cluster.client.get({ kind: "Node", namespace: "", name })).node!;
    change(node);
    try {
      await cluster.client.update({ node });
      return;
    } catch (e) {
      // The node agent writes its status too: read again and re-apply the change.
      if (!isCapstanError(e, "Conflict")) throw e;
    }
  }
}

async function daemonSetStatus(): Promise<Record<string, unknown>> {
  const ds = (await cluster.client.get({ kind: "DaemonSet", namespace: "default", name: NAME })).daemonSet!;
  return { ...ds.status, generation: ds.metadata?.generation };
}

describe("DaemonSet", () => {
  it("runs one pod of the example on each node, placed by the scheduler through node affinity", async () => {
    await cluster.capctlOk(["apply", "-f", join(examplesDir, "daemonset.yaml")]);
    const pods = await eventually(() => runningOn(["node-1", "node-2"]), { timeoutMs: 60_000, what: "a Running pod on node-1 and node-2" });
    for (const [node, pod] of pods) {
      expect(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
        { matchExpressions: [], matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] },
      ]);
      expect(pod.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: "DaemonSet", name: NAME, controller: true })]);
    }
    await eventually(async () => ((await daemonSetStatus())["numberAvailable"] === 2 ? true : undefined), { what: "numberAvailable 2" });
    const table = await cluster.capctlOk(["get", "ds"]);
    expect(table).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\n/);
    expect(table).toMatch(/^log-shipper\s+2\s+2\s+2\s+2\s+2\s+<none>\s+\d+s$/m);
    const described = await cluster.capctlOk(["describe", "ds", NAME]);
    expect(described).toMatch(/^Desired Number of Nodes Scheduled:\s+2$/m);
    expect(described).toMatch(/^Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    expect(described).toMatch(/SuccessfulCreate\s+.*Created pod: log-shipper-\w+/);
  }, 120_000);

  it("gives a node that joins a pod, and takes it from a node deleted from the API", async () => {
    cluster.stack.service("node-3").start();
    await eventually(() => runningOn(["node-1", "node-2", "node-3"]), { timeoutMs: 60_000, what: "a Running pod on node-3 too" });

    await cluster.stack.service("node-3").crash();
    await cluster.client.delete({ kind: "Node", namespace: "", name: "node-3" });
    await eventually(async () => ((await podsByNode()).has("node-3") ? undefined : true), { timeoutMs: 30_000, what: "node-3's pod gone" });
    await eventually(async () => ((await daemonSetStatus())["desiredNumberScheduled"] === 2 ? true : undefined), { what: "desiredNumberScheduled 2" });
  }, 120_000);

  it("rolls every pod to a changed template, one node at a time, even when the controller is killed -9 midway", async () => {
    const before = (await runningOn(["node-1", "node-2"]))!;
    const oldHash = before.get("node-1")!.metadata!.labels["controller-revision-hash"];
    for (const node of ["node-1", "node-2"]) await cluster.capctlOk(["label", "node", node, "daemon=yes"]);

    const ds = (await cluster.client.get({ kind: "DaemonSet", namespace: "default", name: NAME })).daemonSet!;
    ds.spec!.template!.spec!.nodeSelector = { daemon: "yes" };
    await cluster.client.update({ daemonSet: ds });

    // Never both nodes without a pod at once (maxUnavailable 1), and a kill -9 of the controller midway.
    let minRunning = Infinity;
    let killed = false;
    const rolled = await eventually(
      async () => {
        const byNode = await podsByNode();
        minRunning = Math.min(minRunning, [...byNode.values()].filter((pods) => pods.some((p) => p.status?.phase === "Running")).length);
        if (!killed && [...byNode.values()].flat().some((p) => p.metadata?.labels["controller-revision-hash"] !== oldHash)) {
          killed = true;
          await cluster.stack.service("daemonset-controller").crash();
          cluster.stack.service("daemonset-controller").start();
        }
        const pods = await runningOn(["node-1", "node-2"]);
        const hash = pods?.get("node-1")?.metadata?.labels["controller-revision-hash"];
        return hash !== oldHash && pods?.get("node-2")?.metadata?.labels["controller-revision-hash"] === hash ? pods : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: "both pods at the new revision" },
    );
    expect(killed).toBe(true);
    expect(minRunning).toBeGreaterThanOrEqual(1);
    expect([...rolled.values()].every((p) => p.spec?.nodeSelector["daemon"] === "yes")).toBe(true);
    const revisions = (await cluster.client.list({ kind: "ControllerRevision", namespace: "default" })).items;
    expect(revisions).toHaveLength(2);
    await eventually(async () => ((await daemonSetStatus())["updatedNumberScheduled"] === 2 ? true : undefined), { what: "updatedNumberScheduled 2" });
    expect(await cluster.capctlOk(["get", "ds", NAME])).toMatch(/daemon=yes/);
    expect(await cluster.capctlOk(["rollout", "status", `ds/${NAME}`, "--timeout", "60s"])).toContain(`daemon set "${NAME}" successfully rolled out`);
  }, 180_000);

  it("takes the pod from a node labelled out of the nodeSelector, and gives none to a node with an untolerated taint", async () => {
    await updateNode("node-2", (n) => n.spec!.taints.push({ key: "dedicated", value: "batch", effect: "NoSchedule", timeAdded: "" }));
    // The NoSchedule taint keeps the running pod (only NoExecute evicts); labelling node-2 out takes it.
    await cluster.capctlOk(["label", "node", "node-2", "daemon=no", "--overwrite"]);
    await eventually(() => runningOn(["node-1"]), { timeoutMs: 30_000, what: "node-2's pod gone" });

    // Back in the selector but still tainted: no pod, while the example's tolerated control-plane taint is no bar.
    await updateNode("node-1", (n) => n.spec!.taints.push({ key: "node-role.kubernetes.io/control-plane", value: "", effect: "NoSchedule", timeAdded: "" }));
    await cluster.capctlOk(["label", "node", "node-2", "daemon=yes", "--overwrite"]);
    const generation = (await daemonSetStatus())["observedGeneration"];
    await new Promise((r) => setTimeout(r, 5_000));
    expect(await runningOn(["node-1"])).toBeDefined();
    expect(await daemonSetStatus()).toMatchObject({ desiredNumberScheduled: 1, observedGeneration: generation });

    await updateNode("node-2", (n) => (n.spec!.taints = n.spec!.taints.filter((t) => t.key !== "dedicated")));
    await eventually(() => runningOn(["node-1", "node-2"]), { timeoutMs: 60_000, what: "a pod on node-2 once untainted" });
  }, 180_000);

  it("lists the revisions in rollout history, and rollout undo goes back to the first template", async () => {
    const history = await cluster.capctlOk(["rollout", "history", `ds/${NAME}`]);
    expect(history).toMatch(/^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>$/m);
    // kubectl prints a revision's pod template (DescribePodTemplate shows no nodeSelector).
    expect(await cluster.capctlOk(["rollout", "history", `ds/${NAME}`, "--revision", "2"])).toMatch(/^daemonset\.apps\/log-shipper with revision #2\nPod Template:\n[^]*\bshipper:\n[^]*Image:\s+busybox$/m);
    const firstHash = (await cluster.client.list({ kind: "ControllerRevision", namespace: "default" })).items
      .map((o) => o.controllerRevision!)
      .find((r) => Number(r.revision) === 1)!.metadata!.labels["controller.kubernetes.io/hash"];

    expect(await cluster.capctlOk(["rollout", "undo", `ds/${NAME}`])).toContain("rolled back");
    const pods = await eventually(() => runningOn(["node-1", "node-2"], firstHash), { timeoutMs: 120_000, what: "both pods back at the first revision" });
    expect([...pods.values()].every((p) => p.spec?.nodeSelector["daemon"] === undefined)).toBe(true);
    expect(await cluster.capctlOk(["rollout", "history", `ds/${NAME}`])).toMatch(/^2\s+<none>\n3\s+<none>$/m);
  }, 180_000);

  it("deletes its pods and revisions with it (cascading through the garbage collector)", async () => {
    await cluster.capctlOk(["delete", "ds", NAME]);
    await eventually(async () => ((await podsByNode()).size === 0 ? true : undefined), { timeoutMs: 60_000, what: "the DaemonSet's pods deleted (terminating or gone)" });
    await eventually(async () => ((await cluster.client.list({ kind: "ControllerRevision", namespace: "default" })).items.length === 0 ? true : undefined), {
      what: "its ControllerRevisions gone",
    });
  }, 120_000);
});
