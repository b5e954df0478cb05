import { describe, expect, it } from "vitest";
import { createFakeGateway } from "@capstan/client/testing";
import { controllerRevisionHistory, previousRevision, restoreTemplate } from "./controller-revisions.js";
import { rolloutRef } from "./rollout-kinds.js";
import { statefulSetRolloutStatus } from "./rollout-viewers.js";

const template = (image: string) => ({ metadata: { labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image }] } });
const owner = { apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "", controller: true };

async function given() {
  const gateway = await createFakeGateway();
  const sts = await gateway.apply({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default" },
    spec: { serviceName: "nginx", selector: { matchLabels: { app: "nginx" } }, template: template("nginx:1.28") },
  });
  const uid = (sts["metadata"] as { uid: string }).uid;
  for (const [n, image] of [[2, "nginx:1.28"], [1, "nginx:1.27"]] as const) {
    await gateway.apply({
      apiVersion: "apps/v1",
      kind: "ControllerRevision",
      metadata: { name: `web-${n}`, namespace: "default", ownerReferences: [{ ...owner, uid }] },
      data: { spec: { template: { ...template(image), $patch: "replace" } } },
      revision: n,
    });
  }
  await gateway.apply({ apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name: "other-1", namespace: "default" }, data: {}, revision: 7 });
  return { gateway, sts };
}

describe("StatefulSet rollout history", () => {
  it("lists the revisions the set controls, oldest first, with the templates they hold", async () => {
    const { gateway, sts } = await given();
    const history = await controllerRevisionHistory(gateway, sts);
    expect(history.map((r) => [r.revision, r.template])).toEqual([[1, template("nginx:1.27")], [2, template("nginx:1.28")]]);
  });

  it("undoes to the previous revision, or the one named, and skips the template it already has", async () => {
    const { gateway, sts } = await given();
    const history = await controllerRevisionHistory(gateway, sts);
    expect(previousRevision(history, 0).revision).toBe(1);
    expect(() => previousRevision(history, 5)).toThrow("unable to find specified revision 5 in history");
    expect(() => previousRevision(history.slice(0, 1), 0)).toThrow("no last revision to roll back to");
    const copy = structuredClone(sts);
    expect(restoreTemplate(copy, previousRevision(history, 0))).toBe("rolled back");
    expect((copy["spec"] as { template: unknown }).template).toEqual(template("nginx:1.27"));
    expect(restoreTemplate(copy, previousRevision(history, 1))).toBe("skipped");
  });

  it("rolls out statefulsets and deployments, not other kinds", () => {
    expect(rolloutRef(["sts/web"], "history")).toMatchObject({ kind: "StatefulSet", name: "web" });
    expect(() => rolloutRef(["rs/web"], "undo")).toThrow("rollout undo supports deployments, statefulsets, daemonsets only, not replicasets");
  });
});

describe("statefulSetRolloutStatus", () => {
  const sts = (spec: object, status: object, generation = 1) => ({ metadata: { name: "web", generation }, spec: { replicas: 2, ...spec }, status: { observedGeneration: 1, ...status } });
  it.each([
    { name: "not yet observed", o: sts({}, {}, 2), want: "Waiting for statefulset spec update to be observed..." },
    { name: "pods not ready", o: sts({}, { readyReplicas: 1 }), want: "Waiting for 1 pods to be ready..." },
    { name: "rolling", o: sts({}, { readyReplicas: 2, updatedReplicas: 1, currentRevision: "web-1", updateRevision: "web-2" }), want: "waiting for statefulset rolling update to complete 1 pods at revision web-2..." },
    { name: "complete", o: sts({}, { readyReplicas: 2, currentReplicas: 2, currentRevision: "web-2", updateRevision: "web-2" }), want: "statefulset rolling update complete 2 pods at revision web-2..." },
    { name: "partitioned", o: sts({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } }, { readyReplicas: 2, updatedReplicas: 1 }), want: "partitioned roll out complete: 1 new pods have been updated..." },
    { name: "OnDelete", o: sts({ updateStrategy: { type: "OnDelete" } }, {}), want: "rollout status is only available for RollingUpdate strategy type" },
  ])("$name", ({ o, want }) => {
    expect(statefulSetRolloutStatus(o).message).toBe(want);
  });
});
