import { describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/client";
import { REVISION_ANNOTATION, templateOf } from "./deployment-replica-set.js";
import { planDeployment, viewOf, type DeploymentPlan } from "./deployment-plan.js";
import { POD_TEMPLATE_HASH } from "./pod-template-hash.js";
import { aDeployment } from "@capstan/api/testing";
import { aReplicaSetOf } from "./testing/builders.js";

const T0 = new Date("2026-03-01T12:00:00.000Z");
const secondsLater = (s: number) => new Date(T0.getTime() + s * 1000);

/** A fresh builder each time (builders change in place): the deployment "web" running `image`. */
const web = (image: string) => aDeployment("web").withImage(image);

const imageOf = (rs: JsonObject) => ((templateOf(rs)["spec"] as { containers: { image: string }[] }).containers[0]!.image);

/** The plan's writes in words, each ReplicaSet named by its image: "create nginx:2 revision 2", "nginx:1 replicas 2". */
function writes(plan: DeploymentPlan, replicaSets: readonly JsonObject[]): string[] {
  const image = new Map([...replicaSets, ...(plan.create ? [plan.create] : [])].map((rs) => [viewOf(rs).name, imageOf(rs)]));
  return [
    ...(plan.create ? [`create ${imageOf(plan.create)} revision ${viewOf(plan.create).revision}`] : []),
    ...plan.changes.map((c) => (c.revision !== undefined ? `${image.get(c.name)} revision ${c.revision}` : `${image.get(c.name)} replicas ${c.replicas}`)),
    ...plan.prune.map((name) => `prune ${image.get(name)}`),
  ];
}

const condition = (plan: DeploymentPlan, type: string) => plan.status?.conditions.find((c) => c.type === type);

describe("planDeployment: which ReplicaSet is current, and what moves", () => {
  it.each([
    { name: "a new deployment: its first ReplicaSet, given every replica", deployment: web("nginx:1"), replicaSets: [], then: ["create nginx:1 revision 1", "nginx:1 replicas 3"] },
    {
      name: "a template change: a new ReplicaSet at the next revision, one surge pod up, one old pod down",
      deployment: web("nginx:2"),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })],
      then: ["create nginx:2 revision 2", "nginx:2 replicas 1", "nginx:1 replicas 2"],
    },
    { name: "a rolled-out template: nothing to write but the status", deployment: web("nginx:1"), replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })], then: [] },
    {
      name: "a rollback: the older ReplicaSet of the template becomes current with the next revision",
      deployment: web("nginx:1"),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 0 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 3 })],
      then: ["nginx:1 revision 3", "nginx:1 replicas 1", "nginx:2 replicas 2"],
    },
    {
      name: "a rollback over several revisions: the next after the newest",
      deployment: web("nginx:2"),
      replicaSets: [
        aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 0 }),
        aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 0 }),
        aReplicaSetOf(web("nginx:3"), { revision: 3, replicas: 3 }),
      ],
      then: ["nginx:2 revision 4", "nginx:2 replicas 1", "nginx:3 replicas 2"],
    },
    { name: "paused with a changed template: no new ReplicaSet, nothing moves", deployment: web("nginx:2").paused(), replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })], then: [] },
    {
      name: "paused with more replicas: the newest ReplicaSet takes them",
      deployment: web("nginx:2").paused().withReplicas(5),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })],
      then: ["nginx:1 replicas 5"],
    },
    {
      name: "paused on a rollback: the revision waits for resume",
      deployment: web("nginx:1").paused(),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 1 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 2 })],
      then: [],
    },
    { name: "paused before its first ReplicaSet: nothing", deployment: web("nginx:1").paused(), replicaSets: [], then: [] },
    { name: "being deleted: nothing", deployment: web("nginx:2").terminating(), replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })], then: [] },
    {
      name: "a ReplicaSet of the template that another controller owns: not its own",
      deployment: web("nginx:1"),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3, ownerUid: "uid-other" })],
      then: ["create nginx:1 revision 1", "nginx:1 replicas 3"],
    },
    {
      name: "Recreate with old pods: the old ReplicaSet goes to zero, the new one waits",
      deployment: web("nginx:2").recreate(),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })],
      then: ["create nginx:2 revision 2", "nginx:1 replicas 0"],
    },
    {
      name: "Recreate with old pods still terminating: the new ReplicaSet still waits",
      deployment: web("nginx:2").recreate(),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 0, current: 2 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 0 })],
      then: [],
    },
    {
      name: "Recreate with every old pod gone: the new ReplicaSet gets every replica",
      deployment: web("nginx:2").recreate(),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 0 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 0 })],
      then: ["nginx:2 replicas 3"],
    },
    {
      name: "more idle ReplicaSets than revisionHistoryLimit: the oldest are pruned",
      deployment: web("nginx:3").keepingRevisions(1),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 0 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 0 }), aReplicaSetOf(web("nginx:3"), { revision: 3, replicas: 3 })],
      then: ["prune nginx:1"],
    },
  ])("given $name", ({ deployment, replicaSets, then }) => {
    expect(writes(planDeployment(deployment.json(), replicaSets, T0), replicaSets)).toEqual(then);
  });

  it("given a template no ReplicaSet runs, then the new one is named, labelled and selected by its hash, controlled by the deployment, with its change-cause", () => {
    const deployment = web("nginx:2").annotated({ "kubernetes.io/change-cause": "image 2", "kubectl.kubernetes.io/last-applied-configuration": "{}", [REVISION_ANNOTATION]: "7" });
    const created = planDeployment(deployment.json(), [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })], T0).create!;
    const meta = created["metadata"] as { name: string; labels: Record<string, string>; annotations: Record<string, string>; ownerReferences: unknown[] };
    const hash = meta.labels[POD_TEMPLATE_HASH]!;
    expect(meta.name).toBe(`web-${hash}`);
    expect(meta.labels).toEqual({ app: "web", [POD_TEMPLATE_HASH]: hash });
    expect(meta.annotations).toEqual({ "kubernetes.io/change-cause": "image 2", [REVISION_ANNOTATION]: "2" });
    expect(meta.ownerReferences).toEqual([{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "uid-web", controller: true, blockOwnerDeletion: true }]);
    expect(created["spec"]).toMatchObject({ replicas: 0, selector: { matchLabels: { app: "web", [POD_TEMPLATE_HASH]: hash } }, template: { metadata: { labels: meta.labels } } });
  });
});

describe("planDeployment: the status", () => {
  it.each([
    {
      name: "a rollout under way: progressing, look again when the deadline would pass",
      deployment: web("nginx:2").withProgressDeadline(60),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })],
      then: { progressing: "True ReplicaSetUpdated", available: "True", updatedReplicas: 0, requeueAfterMs: 60_100 },
    },
    {
      name: "a complete rollout: done, nothing to look at later",
      deployment: web("nginx:1"),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })],
      then: { progressing: "True NewReplicaSetAvailable", available: "True", updatedReplicas: 3, requeueAfterMs: undefined },
    },
    {
      name: "paused with a changed template: no pod is updated, nothing to look at later",
      deployment: web("nginx:2").paused(),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })],
      then: { progressing: "Unknown DeploymentPaused", available: "True", updatedReplicas: 0, requeueAfterMs: undefined },
    },
    {
      name: "too few available pods: not available",
      deployment: web("nginx:1"),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3, available: 1 })],
      then: { progressing: "True ReplicaSetUpdated", available: "False", updatedReplicas: 3, requeueAfterMs: 600_100 },
    },
  ])("given $name", ({ deployment, replicaSets, then }) => {
    const plan = planDeployment(deployment.json(), replicaSets, T0);
    expect({
      progressing: `${condition(plan, "Progressing")?.status} ${condition(plan, "Progressing")?.reason}`,
      available: condition(plan, "Available")?.status,
      updatedReplicas: plan.status?.updatedReplicas,
      requeueAfterMs: plan.requeueAfterMs,
    }).toEqual(then);
  });

  it("given the status it would write is already there, then it writes none", () => {
    const replicaSets = [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })];
    const first = planDeployment(web("nginx:1").json(), replicaSets, T0);
    expect(first.status).toBeDefined();
    const again = planDeployment(web("nginx:1").withStatus({ ...first.status! }).json(), replicaSets, secondsLater(30));
    expect(again.status).toBeUndefined();
  });

  it("given no progress for longer than progressDeadlineSeconds, then Progressing turns False with ProgressDeadlineExceeded", () => {
    const replicaSets = [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 2 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 2, available: 0 })];
    const deployment = web("nginx:2").withReplicas(3).rollingUpdate(1, 1).withProgressDeadline(60);
    const started = planDeployment(deployment.json(), replicaSets, T0);
    const within = planDeployment(deployment.withStatus({ ...started.status! }).json(), replicaSets, secondsLater(59));
    expect(within).toMatchObject({ changes: [], requeueAfterMs: 1_100 });
    expect(within.status).toBeUndefined();
    const past = planDeployment(deployment.withStatus({ ...started.status! }).json(), replicaSets, secondsLater(61));
    expect(condition(past, "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
  });
});
