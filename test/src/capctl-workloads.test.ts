import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { Pod } from "@capstan/api";
import { startTestCluster, type CommandResult, type TestCluster } from "./support/index.js";

type Json = Record<string, any>;

/** Every command runs in this namespace through -n, so the global option is exercised after subcommands too. */
const NS = "workloads";

let cluster: TestCluster;

async function capctl(...args: string[]): Promise<CommandResult> {
  return cluster.capctl([...args, "-n", NS]);
}

const ok = (...args: string[]) => cluster.capctlOk([...args, "-n", NS]);

/** A command that must fail: its one line of stderr. */
async function fails(...args: string[]): Promise<string> {
  const r = await capctl(...args);
  expect(r.code, `capctl ${args.join(" ")} should fail; stdout: ${r.stdout}`).toBe(1);
  return r.stderr.trim();
}

async function deployment(name = "web"): Promise<Json> {
  const r = await capctl("get", "deployment", name, "-o", "json");
  return JSON.parse(r.stdout) as Json;
}

const imageOf = (d: Json): string => d["spec"]["template"]["spec"]["containers"][0]["image"];

async function livePods(app: string): Promise<Pod[]> {
  const list = await cluster.client.list({ kind: "Pod", namespace: NS, labelSelector: `app=${app}` });
  return list.items.map((o) => o.pod!).filter((p) => !p.metadata!.deletionTimestamp);
}

function aDeployment(name: string, spec: Json): string {
  return stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      ...spec,
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, ...spec["template"] } },
    },
  });
}

/** Waits for the rollout through the command under test; kubectl's last line says it is done. */
async function rolledOut(name = "web"): Promise<void> {
  const out = await ok("rollout", "status", `deployment/${name}`, "--timeout=90s");
  expect(out.trim().split("\n").at(-1)).toBe(`deployment "${name}" successfully rolled out`);
}

beforeAll(async () => {
  // The Deployment's image `example/web` (every tag) is nginx from the node's image catalog.
  cluster = await startTestCluster({ nodes: 1, images: { "example/web": { image: "nginx" } } });
  const ns = await cluster.capctl(["apply", "-f", "-"], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`);
  expect(ns.stdout).toContain(`namespace/${NS} created`);
  const r = await cluster.capctl(["apply", "-n", NS, "-f", "-"], aDeployment("web", { replicas: 2, template: { containers: [{ name: "web", image: "example/web:1" }] } }));
  expect(r.stdout.trim()).toBe("deployment.apps/web created");
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("capctl workload commands against a Deployment", () => {
  it("rollout status waits for the first rollout", async () => {
    await rolledOut();
    expect(await livePods("web")).toHaveLength(2);
  }, 120_000);

  it("scale changes spec.replicas, refusing a stale --current-replicas", async () => {
    expect((await ok("scale", "deployment/web", "--replicas=3")).trim()).toBe("deployment.apps/web scaled");
    expect((await deployment())["spec"]["replicas"]).toBe(3);
    expect(await fails("scale", "deployment", "web", "--replicas=1", "--current-replicas=2")).toBe("error: Expected replicas to be 2, was 3");
    expect((await deployment())["spec"]["replicas"]).toBe(3);
    expect(await fails("scale", "pod/web", "--replicas=1")).toBe("error: pods cannot be scaled: only deployments, replicasets and replicationcontrollers can");
    await rolledOut();
    expect(await livePods("web")).toHaveLength(3);
  }, 120_000);

  it("set image changes the template and the rollout replaces every pod", async () => {
    expect((await ok("set", "image", "deployment/web", "web=example/web:2")).trim()).toBe("deployment.apps/web image updated");
    expect(imageOf(await deployment())).toBe("example/web:2");
    expect(await fails("set", "image", "deployment/web", "nope=example/web:9")).toBe('error: unable to find container named "nope"');
    expect(imageOf(await deployment())).toBe("example/web:2");
    await rolledOut();
    const pods = await livePods("web");
    expect(pods.map((p) => p.spec!.containers[0]!.image)).toEqual(["example/web:2", "example/web:2", "example/web:2"]);
  }, 120_000);

  it("label and annotate add, refuse to overwrite without --overwrite, and remove", async () => {
    const before = ((await deployment())["metadata"]["labels"] ?? {}) as Record<string, string>;
    expect((await ok("label", "deployment", "web", "tier=frontend")).trim()).toBe("deployment.apps/web labeled");
    expect(await fails("label", "deployment", "web", "tier=backend")).toBe("error: 'tier' already has a value (frontend), and --overwrite is false");
    expect((await ok("label", "deployment/web", "tier=backend", "--overwrite")).trim()).toBe("deployment.apps/web labeled");
    expect((await deployment())["metadata"]["labels"]).toEqual({ ...before, tier: "backend" });
    expect((await ok("label", "deployment/web", "tier-")).trim()).toBe("deployment.apps/web unlabeled");
    expect((await deployment())["metadata"]["labels"] ?? {}).toEqual(before);

    expect((await ok("annotate", "deployment/web", "owner=team-a")).trim()).toBe("deployment.apps/web annotated");
    expect(await fails("annotate", "deployment/web", "owner=team-b")).toBe("error: --overwrite is false but found the following declared annotation(s): 'owner' already has a value (team-a)");
    expect((await deployment())["metadata"]["annotations"]).toEqual({ owner: "team-a" });
    expect((await ok("annotate", "deployment/web", "owner-")).trim()).toBe("deployment.apps/web annotated");
    expect((await deployment())["metadata"]["annotations"]).toBeUndefined();

    // Any kind: the pods, chosen by a selector.
    const names = (await livePods("web")).map((p) => p.metadata!.name).sort();
    const out = await ok("label", "pods", "-l", "app=web", "checked=yes");
    expect(out.trim().split("\n").sort()).toEqual(names.map((n) => `pod/${n} labeled`));
    expect((await livePods("web")).map((p) => p.metadata!.labels["checked"])).toEqual(["yes", "yes", "yes"]);
  }, 60_000);

  it("rollout history lists the revisions, with the change cause a ReplicaSet carries, and shows one", async () => {
    expect(await ok("rollout", "history", "deployment/web")).toBe("deployment.apps/web\nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n");
    const replicaSets = (await cluster.client.list({ kind: "ReplicaSet", namespace: NS })).items.map((o) => o.replicaSet!);
    const second = replicaSets.find((rs) => rs.metadata!.annotations["deployment.kubernetes.io/revision"] === "2")!;
    expect((await ok("annotate", `rs/${second.metadata!.name}`, "kubernetes.io/change-cause=image 2")).trim()).toBe(`replicaset.apps/${second.metadata!.name} annotated`);
    expect(await ok("rollout", "history", "deployment", "web")).toBe("deployment.apps/web\nREVISION  CHANGE-CAUSE\n1         <none>\n2         image 2\n");

    const first = await ok("rollout", "history", "deployment/web", "--revision=1");
    expect(first).toMatch(/^deployment\.apps\/web with revision #1\nPod Template:\n/);
    expect(first).toMatch(/Image:\s+example\/web:1\n/);
    expect(first).toMatch(/pod-template-hash=/);
    expect(await fails("rollout", "history", "deployment/web", "--revision=7")).toBe("error: unable to find the specified revision 7");
  });

  it("rollout undo goes back to the previous template, or says it already is there", async () => {
    expect((await ok("rollout", "undo", "deployment/web")).trim()).toBe("deployment.apps/web rolled back");
    const d = await deployment();
    expect(imageOf(d)).toBe("example/web:1");
    expect(d["spec"]["template"]["metadata"]["labels"]).toEqual({ app: "web" });
    await rolledOut();
    expect((await livePods("web")).map((p) => p.spec!.containers[0]!.image)).toEqual(["example/web:1", "example/web:1", "example/web:1"]);
    // The controller gives the restored template the next revision.
    expect(await ok("rollout", "history", "deployment/web")).toBe("deployment.apps/web\nREVISION  CHANGE-CAUSE\n2         image 2\n3         <none>\n");
    expect((await ok("rollout", "undo", "deployment/web", "--to-revision=3")).trim()).toBe("deployment.apps/web skipped rollback (current template already matches revision 3)");
    expect(await fails("rollout", "undo", "deployment/web", "--to-revision=42")).toBe("error: unable to find specified revision 42 in history");
  }, 120_000);

  it("rollout pause holds changes back, so rollout status times out, until rollout resume", async () => {
    expect((await ok("rollout", "pause", "deployment/web")).trim()).toBe("deployment.apps/web paused");
    expect(await fails("rollout", "pause", "deployment/web")).toBe('error: deployments.apps "web" is already paused');
    expect((await ok("set", "image", "deployment/web", "web=example/web:3")).trim()).toBe("deployment.apps/web image updated");
    expect(await fails("rollout", "undo", "deployment/web")).toBe("error: you cannot rollback a paused deployment; resume it first with 'capctl rollout resume' and try again");

    const started = Date.now();
    const status = await capctl("rollout", "status", "deployment/web", "--timeout=3s");
    expect(status.code).toBe(1);
    expect(status.stderr.trim()).toBe('error: timed out waiting for the condition: deployment "web" did not finish its rollout within 3s');
    expect(status.stdout).toMatch(/^Waiting for deployment "web" rollout to finish: 0 out of 3 new replicas have been updated\.\.\.$/m);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect((await livePods("web")).map((p) => p.spec!.containers[0]!.image)).toEqual(["example/web:1", "example/web:1", "example/web:1"]);

    expect((await ok("rollout", "resume", "deployment/web")).trim()).toBe("deployment.apps/web resumed");
    expect(await fails("rollout", "resume", "deployment/web")).toBe('error: deployments.apps "web" is not paused');
    await rolledOut();
    expect((await livePods("web")).map((p) => p.spec!.containers[0]!.image)).toEqual(["example/web:3", "example/web:3", "example/web:3"]);
  }, 120_000);

  it("rollout restart replaces every pod", async () => {
    const before = new Set((await livePods("web")).map((p) => p.metadata!.name));
    expect((await ok("rollout", "restart", "deployment/web")).trim()).toBe("deployment.apps/web restarted");
    expect((await deployment())["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await rolledOut();
    const after = await livePods("web");
    expect(after).toHaveLength(3);
    expect(after.filter((p) => before.has(p.metadata!.name))).toEqual([]);
  }, 120_000);

  it("rollout status fails when a Deployment exceeds its progress deadline", async () => {
    const manifest = aDeployment("stuck", {
      replicas: 1,
      progressDeadlineSeconds: 3,
      template: { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"], readinessProbe: { exec: { command: ["false"] }, periodSeconds: 1 } }] },
    });
    expect((await cluster.capctl(["apply", "-n", NS, "-f", "-"], manifest)).stdout.trim()).toBe("deployment.apps/stuck created");
    const status = await capctl("rollout", "status", "deployment/stuck", "--timeout=60s");
    expect(status.stderr.trim()).toBe('error: deployment "stuck" exceeded its progress deadline');
    expect(status.code).toBe(1);
  }, 90_000);

  it("refuses kinds that have no rollout, in one line", async () => {
    expect(await fails("rollout", "status", "rs/web")).toBe("error: rollout status supports deployments, statefulsets, daemonsets only, not replicasets");
    expect(await fails("rollout", "status", "deployment/nothing", "--timeout=1s")).toBe('Error from server (NotFound): Deployment "workloads/nothing" not found');
  });
});
