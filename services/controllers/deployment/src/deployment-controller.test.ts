import { describe, expect, it } from "vitest";
import { aDeployment, type DeploymentBuilder } from "@capstan/api/testing";
import { FakeClock } from "@capstan/apimachinery/testing";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway } from "@capstan/client/testing";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { DeploymentReconciler } from "./deployment-controller.js";
import { templateOf } from "./deployment-replica-set.js";
import { viewOf } from "./deployment-plan.js";
import type { DeploymentStatusView } from "./deployment-status.js";
import { resolveFenceposts } from "./int-or-percent.js";
import { aReplicaSetOf } from "./testing/builders.js";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");

/** A fresh builder each time (builders change in place): the deployment "web" running `image`. */
const web = (image: string) => aDeployment("web").withImage(image);

const imageOf = (rs: JsonObject) => (templateOf(rs)["spec"] as { containers: { image: string }[] }).containers[0]!.image;
type Spec = JsonObject & { paused?: boolean; replicas?: number; template: { spec: { containers: { image: string }[] } } };

/**
 * A Deployment and its ReplicaSets in a FakeGateway, with the real reconciler over informers of it.
 * `podsFollow` stands in for the ReplicaSet controller and the kubelets; `edit` for a user.
 */
async function given(deployment: DeploymentBuilder, replicaSets: JsonObject[] = []) {
  const clock = new FakeClock(T0);
  const cluster = await createFakeGateway({ clock });
  for (const o of [deployment.json(), ...replicaSets]) await cluster.apply(o);
  const events: string[] = [];
  const recorder = { record: (o: JsonObject, type: string, reason: string, message: string) => void events.push(`${String((o["metadata"] as JsonObject)["name"])} ${type} ${reason}: ${message}`) };
  const reconciler = new DeploymentReconciler(await syncedInformer(cluster, "Deployment"), await syncedInformer(cluster, "ReplicaSet"), cluster, recorder, () => new Date(clock.now()));
  const stored = () => cluster.objects("ReplicaSet").map((rs) => ({ image: imageOf(rs), ...viewOf(rs) }));
  return {
    cluster,
    clock,
    /** The events recorded, as `object type reason: message`. */
    events,
    reconcile: () => reconciler.reconcile("default/web"),
    /** The stored ReplicaSets by image: revision and spec.replicas. */
    replicaSets: () => Object.fromEntries(stored().map((rs) => [rs.image, { revision: rs.revision, replicas: rs.replicas }])),
    stored,
    status: () => cluster.stored("Deployment", "web")!["status"] as DeploymentStatusView,
    condition: (type: string) => {
      const c = (cluster.stored("Deployment", "web")!["status"] as DeploymentStatusView).conditions.find((x) => x.type === type)!;
      return `${c.status} ${c.reason}`;
    },
    /**
     * One step of the ReplicaSet controller and the kubelets: each ReplicaSet's pods follow its replicas
     * at once; the pods that were there at the last step are ready and available, the new ones only at
     * the next step (never, when `ready` is false).
     */
    podsFollow: async ({ ready = true } = {}) => {
      for (const rs of cluster.objects("ReplicaSet")) {
        const { replicas, currentReplicas, availableReplicas } = viewOf(rs);
        const available = Math.min(replicas, ready ? currentReplicas : availableReplicas);
        const status = { replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 };
        await cluster.change("ReplicaSet", String((rs["metadata"] as JsonObject)["name"]), (o) => ({ ...o, status }));
      }
    },
    edit: (change: (spec: Spec) => void) =>
      cluster.change("Deployment", "web", (o) => {
        change(o["spec"] as Spec);
        return o;
      }),
  };
}

describe("DeploymentReconciler: one sync", () => {
  it.each([
    { name: "a new deployment gets its first ReplicaSet with every replica", deployment: web("nginx:1"), replicaSets: [], then: { "nginx:1": { revision: 1, replicas: 3 } } },
    {
      name: "a template change gets a new ReplicaSet at the next revision, within maxSurge and maxUnavailable",
      deployment: web("nginx:2"),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })],
      then: { "nginx:1": { revision: 1, replicas: 2 }, "nginx:2": { revision: 2, replicas: 1 } },
    },
    {
      name: "a rollback makes the old ReplicaSet current with the next revision, and creates none",
      deployment: web("nginx:1"),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 0 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 3 })],
      then: { "nginx:1": { revision: 3, replicas: 1 }, "nginx:2": { revision: 2, replicas: 2 } },
    },
    {
      name: "a paused deployment's template change waits",
      deployment: web("nginx:2").paused(),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })],
      then: { "nginx:1": { revision: 1, replicas: 3 } },
    },
    {
      name: "a paused rollback keeps the revisions",
      deployment: web("nginx:1").paused(),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 0 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 3 })],
      then: { "nginx:1": { revision: 1, replicas: 0 }, "nginx:2": { revision: 2, replicas: 3 } },
    },
    {
      name: "Recreate scales the old ReplicaSet to zero before the new one gets any",
      deployment: web("nginx:2").recreate(),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })],
      then: { "nginx:1": { revision: 1, replicas: 0 }, "nginx:2": { revision: 2, replicas: 0 } },
    },
    {
      name: "history past revisionHistoryLimit is deleted",
      deployment: web("nginx:3").keepingRevisions(1),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 0 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 0 }), aReplicaSetOf(web("nginx:3"), { revision: 3, replicas: 3 })],
      then: { "nginx:2": { revision: 2, replicas: 0 }, "nginx:3": { revision: 3, replicas: 3 } },
    },
  ])("given $name", async ({ deployment, replicaSets, then }) => {
    const c = await given(deployment, replicaSets);
    await c.reconcile();
    expect(c.replicaSets()).toEqual(then);
  });
});

describe("DeploymentReconciler: waits for its own writes", () => {
  it.each([
    { name: "a new deployment", deployment: web("nginx:1"), replicaSets: [] },
    { name: "a new deployment of no replicas", deployment: web("nginx:1").withReplicas(0), replicaSets: [] },
    { name: "a template change", deployment: web("nginx:2"), replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })] },
    {
      name: "the next step of a rollout",
      deployment: web("nginx:2"),
      replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 2 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 1 })],
    },
    { name: "a rollback", deployment: web("nginx:1"), replicaSets: [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 0 }), aReplicaSetOf(web("nginx:2"), { revision: 2, replicas: 3 })] },
  ])("given a ReplicaSet watch that lags, when $name is synced twice in a row, then it ends as it would with no lag", async ({ deployment, replicaSets }) => {
    const unlagged = await given(deployment, replicaSets);
    await unlagged.reconcile();
    await unlagged.reconcile();

    const c = await given(deployment, replicaSets);
    c.cluster.hold("ReplicaSet");
    // The work queue runs the key again as soon as the first sync returns (its status write woke it).
    const twice = c.reconcile().then(() => c.reconcile());
    await Promise.all([twice, c.cluster.settled().then(() => c.cluster.release("ReplicaSet"))]);
    expect(c.replicaSets()).toEqual(unlagged.replicaSets());
  });
});

describe("DeploymentReconciler: a rolling update", () => {
  it.each([
    { name: "maxSurge 1, maxUnavailable 0", replicas: 3, maxSurge: 1, maxUnavailable: 0 },
    { name: "maxSurge 0, maxUnavailable 1", replicas: 3, maxSurge: 0, maxUnavailable: 1 },
    { name: "25% each of 4", replicas: 4, maxSurge: "25%", maxUnavailable: "25%" },
    { name: "2 and 2 of 5", replicas: 5, maxSurge: 2, maxUnavailable: 2 },
    { name: "30% surge, none unavailable, of 10", replicas: 10, maxSurge: "30%", maxUnavailable: 0 },
  ])("with $name, steps to the new template and never past its bounds", async ({ replicas, maxSurge, maxUnavailable }) => {
    const deployment = web("nginx:2").withReplicas(replicas).rollingUpdate(maxSurge, maxUnavailable);
    const c = await given(deployment, [aReplicaSetOf(web("nginx:1").withReplicas(replicas), { revision: 1, replicas })]);
    const { surge, unavailable } = resolveFenceposts(String(maxSurge), String(maxUnavailable), replicas);
    const done = () => c.stored().every((rs) => (rs.image === "nginx:2" ? rs.availableReplicas === replicas : rs.currentReplicas === 0));
    for (let step = 0; !done(); step++) {
      expect(step, "steps to roll out").toBeLessThan(30);
      await c.reconcile();
      const after = c.stored();
      expect(after.reduce((n, rs) => n + rs.replicas, 0), "pods wanted").toBeLessThanOrEqual(replicas + surge);
      expect(after.reduce((n, rs) => n + Math.min(rs.replicas, rs.availableReplicas), 0), "pods kept available").toBeGreaterThanOrEqual(replicas - unavailable);
      await c.podsFollow();
    }
    await c.reconcile();
    expect(c.replicaSets()).toEqual({ "nginx:1": { revision: 1, replicas: 0 }, "nginx:2": { revision: 2, replicas } });
    expect(c.status()).toMatchObject({ replicas, updatedReplicas: replicas, availableReplicas: replicas });
    expect([c.condition("Available"), c.condition("Progressing")]).toEqual(["True MinimumReplicasAvailable", "True NewReplicaSetAvailable"]);
  });
});

/** Syncs and lets the pods follow until the deployment's status says the rollout is complete. */
async function rollOut(c: Awaited<ReturnType<typeof given>>): Promise<void> {
  for (let step = 0; step < 30; step++) {
    await c.reconcile();
    if (c.condition("Progressing") === "True NewReplicaSetAvailable") return;
    await c.podsFollow();
  }
  throw new Error("the rollout did not complete in 30 steps");
}

describe("DeploymentReconciler: rollback, pause, Recreate", () => {
  it("rolls back to the previous template: its ReplicaSet takes the next revision and the pods return to it", async () => {
    const c = await given(web("nginx:1"));
    await rollOut(c);
    await c.edit((spec) => void (spec.template.spec.containers[0]!.image = "nginx:2"));
    await rollOut(c);
    expect(c.replicaSets()).toEqual({ "nginx:1": { revision: 1, replicas: 0 }, "nginx:2": { revision: 2, replicas: 3 } });

    await c.edit((spec) => void (spec.template.spec.containers[0]!.image = "nginx:1"));
    await rollOut(c);
    expect(c.replicaSets()).toEqual({ "nginx:1": { revision: 3, replicas: 3 }, "nginx:2": { revision: 2, replicas: 0 } });
  });

  it("records a ScalingReplicaSet event on the Deployment for every scaling of a ReplicaSet, as Kubernetes words it", async () => {
    const c = await given(web("nginx:1"));
    await rollOut(c);
    const [first] = c.stored().map((rs) => rs.name);
    expect(c.events).toEqual([`web Normal ScalingReplicaSet: Scaled up replica set ${first} from 0 to 3`]);
    c.events.length = 0;
    await c.edit((spec) => void (spec.template.spec.containers[0]!.image = "nginx:2"));
    await rollOut(c);
    const second = c.stored().find((rs) => rs.image === "nginx:2")!.name;
    const scaled = (direction: string, rs: string, from: number, to: number) => `web Normal ScalingReplicaSet: Scaled ${direction} replica set ${rs} from ${from} to ${to}`;
    // maxSurge and maxUnavailable of 25% of 3: one pod at a time each way.
    expect(c.events).toEqual([
      scaled("up", second, 0, 1),
      scaled("down", first!, 3, 2),
      scaled("up", second, 1, 2),
      scaled("down", first!, 2, 1),
      scaled("up", second, 2, 3),
      scaled("down", first!, 1, 0),
    ]);
  });

  it("holds a template change while paused (following a change of replicas), and rolls it out on resume", async () => {
    const c = await given(web("nginx:1"));
    await rollOut(c);
    await c.edit((spec) => {
      spec.paused = true;
      spec.template.spec.containers[0]!.image = "nginx:2";
    });
    expect(await c.reconcile()).toBeUndefined();
    expect(c.replicaSets()).toEqual({ "nginx:1": { revision: 1, replicas: 3 } });
    expect(c.condition("Progressing")).toBe("Unknown DeploymentPaused");
    expect(c.status().updatedReplicas ?? 0, "updated replicas (absent = 0)").toBe(0);

    await c.edit((spec) => void (spec.replicas = 5));
    await c.reconcile();
    expect(c.replicaSets()).toEqual({ "nginx:1": { revision: 1, replicas: 5 } });

    await c.edit((spec) => void (spec.paused = false));
    await rollOut(c);
    expect(c.replicaSets()).toEqual({ "nginx:1": { revision: 1, replicas: 0 }, "nginx:2": { revision: 2, replicas: 5 } });
  });

  it("Recreate starts no new pod until every old one is gone", async () => {
    const c = await given(web("nginx:2").recreate(), [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })]);
    await c.reconcile();
    // The old pods are still terminating: another sync changes nothing.
    await c.reconcile();
    expect(c.replicaSets()).toEqual({ "nginx:1": { revision: 1, replicas: 0 }, "nginx:2": { revision: 2, replicas: 0 } });
    await c.podsFollow();
    await c.reconcile();
    expect(c.replicaSets()).toEqual({ "nginx:1": { revision: 1, replicas: 0 }, "nginx:2": { revision: 2, replicas: 3 } });
  });
});

describe("DeploymentReconciler: progress deadline", () => {
  it("marks a rollout that stops moving ProgressDeadlineExceeded once the deadline passes, and Progressing again when it moves", async () => {
    const c = await given(web("nginx:2").withProgressDeadline(60), [aReplicaSetOf(web("nginx:1"), { revision: 1, replicas: 3 })]);
    expect(await c.reconcile()).toEqual({ requeueAfterMs: 60_100 });
    await c.podsFollow({ ready: false });
    await c.reconcile();
    expect(c.condition("Progressing")).toBe("True ReplicaSetUpdated");

    // Its new pod never becomes ready: nothing moves any more.
    c.clock.advance(30_000);
    expect(await c.reconcile()).toEqual({ requeueAfterMs: 30_100 });
    expect(c.condition("Progressing")).toBe("True ReplicaSetUpdated");
    c.clock.advance(31_000);
    await c.reconcile();
    expect(c.condition("Progressing")).toBe("False ProgressDeadlineExceeded");

    await c.podsFollow();
    await c.reconcile();
    expect(c.condition("Progressing")).toBe("True ReplicaSetUpdated");
  });
});
