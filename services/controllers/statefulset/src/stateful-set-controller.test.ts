import { describe, expect, it } from "vitest";
import { FakeClock } from "@capstan/apimachinery/testing";
import type { JsonObject } from "@capstan/client";
import { createFakeGateway, type FakeGateway } from "@capstan/client/testing";
import { syncedInformer } from "@capstan/controller-runtime/testing";
import { StatefulSetReconciler } from "./stateful-set-controller.js";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");

/** ../shared/examples/statefulset.yaml's StatefulSet, with `spec` changes. */
const web = (spec: JsonObject = {}): JsonObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "web", namespace: "default" },
  spec: {
    serviceName: "nginx",
    replicas: 2,
    selector: { matchLabels: { app: "nginx" } },
    template: {
      metadata: { labels: { app: "nginx" } },
      spec: { containers: [{ name: "nginx", image: "nginx:latest", volumeMounts: [{ name: "www", mountPath: "/usr/share/nginx/html" }] }] },
    },
    volumeClaimTemplates: [{ metadata: { name: "www" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
    ...spec,
  },
});

const metaOf = (o: JsonObject) => o["metadata"] as { name: string; labels: Record<string, string>; deletionTimestamp?: string; ownerReferences?: { kind: string }[] };
const specOf = (o: JsonObject) => o["spec"] as JsonObject;

async function given(set: JsonObject) {
  const clock = new FakeClock(T0);
  const gateway: FakeGateway = await createFakeGateway({ clock });
  await gateway.apply({ apiVersion: "v1", kind: "Node", metadata: { name: "node-1" } });
  await gateway.apply(set);
  const informers = {
    sets: await syncedInformer(gateway, "StatefulSet"),
    pods: await syncedInformer(gateway, "Pod"),
    claims: await syncedInformer(gateway, "PersistentVolumeClaim"),
    revisions: await syncedInformer(gateway, "ControllerRevision"),
  };
  const events: string[] = [];
  const recorder = { record: (_o: JsonObject, type: string, reason: string, message: string) => void events.push(`${type} ${reason} ${message}`) };
  const reconciler = new StatefulSetReconciler(informers, gateway, recorder, () => new Date(clock.now()));
  const pods = () => gateway.objects("Pod").filter((p) => !metaOf(p).deletionTimestamp);
  return {
    gateway,
    events,
    reconcile: () => reconciler.reconcile("default/web"),
    /** Live pod names, each with its revision label. */
    pods: () => pods().map((p) => metaOf(p).name).sort(),
    revisionOf: (pod: string) => metaOf(gateway.stored("Pod", pod, "default")!).labels["controller-revision-hash"],
    claims: () => gateway.objects("PersistentVolumeClaim").map((c) => metaOf(c).name).sort(),
    status: () => gateway.stored("StatefulSet", "web", "default")!["status"] as JsonObject,
    /** The pod Running and Ready, as its node agent reports it. */
    ready: async (pod: string) => {
      await gateway.bind({ namespace: "default", name: pod, nodeName: "node-1" });
      await gateway.change("Pod", pod, (p) => ({ ...p, status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date(clock.now()).toISOString() }] } }), "default");
    },
    /** The pod gone, as the node agent finishes a deletion. */
    gone: async (pod: string) => {
      if (gateway.stored("Pod", pod, "default")) await gateway.delete({ kind: "Pod", namespace: "default", name: pod, gracePeriodSeconds: 0 });
    },
    change: (spec: JsonObject) => gateway.change("StatefulSet", "web", (s) => ({ ...s, spec: { ...specOf(s), ...spec } }), "default"),
  };
}

describe("StatefulSetReconciler", () => {
  it("creates ordinals in order, each claim before its pod, the next only after the one before is Ready", async () => {
    const t = await given(web());
    await t.reconcile();
    expect([t.pods(), t.claims()]).toEqual([["web-0"], ["www-web-0"]]);
    expect(t.events).toEqual(["Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success", "Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful"]);
    await t.reconcile();
    expect(t.pods(), "web-1 waits for web-0 to be Ready").toEqual(["web-0"]);
    await t.ready("web-0");
    await t.reconcile();
    expect([t.pods(), t.claims()]).toEqual([["web-0", "web-1"], ["www-web-0", "www-web-1"]]);

    const pod = t.gateway.stored("Pod", "web-0", "default")!;
    expect(metaOf(pod).labels).toMatchObject({ app: "nginx", "statefulset.kubernetes.io/pod-name": "web-0", "apps.kubernetes.io/pod-index": "0" });
    expect(specOf(pod)).toMatchObject({ hostname: "web-0", subdomain: "nginx", volumes: [{ name: "www", persistentVolumeClaim: { claimName: "www-web-0" } }] });
    await t.reconcile();
    expect(t.status()).toMatchObject({ replicas: 2, readyReplicas: 1, currentRevision: t.revisionOf("web-0"), updateRevision: t.revisionOf("web-0") });
  });

  it("adopts an orphan it selects that holds one of its ordinals' names, and creates only the others", async () => {
    const t = await given(web({ podManagementPolicy: "Parallel" }));
    await t.gateway.apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "web-0", namespace: "default", labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } });
    await t.gateway.apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "stray", namespace: "default", labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image: "nginx" }] } });
    await t.reconcile();
    expect(t.pods()).toEqual(["stray", "web-0", "web-1"]);
    expect(metaOf(t.gateway.stored("Pod", "web-0", "default")!).ownerReferences?.map((r) => r.kind)).toEqual(["StatefulSet"]);
    expect(metaOf(t.gateway.stored("Pod", "stray", "default")!).ownerReferences ?? []).toEqual([]);
  });

  it("in Parallel creates every ordinal at once", async () => {
    const t = await given(web({ podManagementPolicy: "Parallel", replicas: 3 }));
    await t.reconcile();
    expect(t.pods()).toEqual(["web-0", "web-1", "web-2"]);
  });

  it("scales down highest ordinal first, one at a time, and keeps the claims", async () => {
    const t = await given(web({ replicas: 3, podManagementPolicy: "Parallel" }));
    await t.reconcile();
    for (const p of ["web-0", "web-1", "web-2"]) await t.ready(p);
    await t.change({ replicas: 1, podManagementPolicy: "Parallel" });
    await t.reconcile();
    expect(t.pods()).toEqual(["web-0"]);
    expect(t.claims()).toEqual(["www-web-0", "www-web-1", "www-web-2"]);
  });

  it.each([
    { name: "whenScaled: Delete gives a condemned pod's claim to the pod, so it goes after it", policy: { whenDeleted: "Retain", whenScaled: "Delete" }, owners: { "www-web-0": [], "www-web-1": ["Pod/web-1"] } },
    { name: "whenDeleted: Delete gives every claim to the set", policy: { whenDeleted: "Delete", whenScaled: "Retain" }, owners: { "www-web-0": ["StatefulSet/web"], "www-web-1": ["StatefulSet/web"] } },
  ])("claim retention: $name", async ({ policy, owners }) => {
    const t = await given(web({ podManagementPolicy: "Parallel", persistentVolumeClaimRetentionPolicy: policy }));
    await t.reconcile();
    await t.change({ replicas: 1 });
    await t.reconcile();
    const ownersOf = (claim: string) => (metaOf(t.gateway.stored("PersistentVolumeClaim", claim, "default")!).ownerReferences ?? []).map((r) => `${r.kind}/${(r as { name?: string }).name}`);
    expect({ "www-web-0": ownersOf("www-web-0"), "www-web-1": ownersOf("www-web-1") }).toEqual(owners);
  });

  it("OrderedReady scales down one at a time, waiting for the terminating pod to go", async () => {
    const t = await given(web({ replicas: 3 }));
    for (const p of ["web-0", "web-1", "web-2"]) {
      await t.reconcile();
      await t.ready(p);
    }
    await t.change({ replicas: 1 });
    await t.reconcile();
    expect(t.pods()).toEqual(["web-0", "web-1"]);
    await t.reconcile();
    expect(t.pods()).toEqual(["web-0", "web-1"]);
    await t.gone("web-2");
    await t.reconcile();
    expect(t.pods()).toEqual(["web-0"]);
  });

  it("rolls a template change out highest ordinal first, one pod at a time, and then makes the update revision current", async () => {
    const t = await given(web());
    await t.reconcile();
    await t.ready("web-0");
    await t.reconcile();
    await t.ready("web-1");
    await t.reconcile();
    const first = t.revisionOf("web-0");

    const template = specOf(web())["template"] as JsonObject;
    await t.change({ template: { ...template, spec: { containers: [{ name: "nginx", image: "nginx:1.27", volumeMounts: [{ name: "www", mountPath: "/usr/share/nginx/html" }] }] } } });
    await t.reconcile();
    expect(t.pods(), "web-1 is deleted first").toEqual(["web-0"]);
    await t.gone("web-1");
    await t.reconcile();
    const second = t.revisionOf("web-1");
    expect(second).not.toBe(first);
    expect(t.revisionOf("web-0")).toBe(first);
    await t.reconcile();
    expect(t.pods(), "web-0 waits for web-1 to be Ready").toEqual(["web-0", "web-1"]);
    await t.ready("web-1");
    await t.reconcile();
    expect(t.pods()).toEqual(["web-1"]);
    await t.gone("web-0");
    await t.reconcile();
    await t.ready("web-0");
    await t.reconcile();
    expect([t.revisionOf("web-0"), t.revisionOf("web-1")]).toEqual([second, second]);
    expect(t.status()).toMatchObject({ currentRevision: second, updateRevision: second, currentReplicas: 2, updatedReplicas: 2 });
    expect(t.gateway.objects("ControllerRevision").map((r) => r["revision"]).sort()).toEqual([1, 2]);
  });

  it("keeps ordinals below the partition at the current revision", async () => {
    const t = await given(web({ podManagementPolicy: "Parallel", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } }));
    await t.reconcile();
    await t.ready("web-0");
    await t.ready("web-1");
    const first = t.revisionOf("web-0");
    const template = specOf(web())["template"] as JsonObject;
    await t.change({ template: { ...template, metadata: { labels: { app: "nginx", v: "2" } } } });
    await t.reconcile();
    await t.gone("web-1");
    await t.reconcile();
    await t.ready("web-1");
    await t.reconcile();
    expect(t.pods()).toEqual(["web-0", "web-1"]);
    expect(t.revisionOf("web-0")).toBe(first);
    expect(t.revisionOf("web-1")).not.toBe(first);
  });

  it("with OnDelete leaves outdated pods until they are deleted", async () => {
    const t = await given(web({ podManagementPolicy: "Parallel", updateStrategy: { type: "OnDelete" } }));
    await t.reconcile();
    await t.ready("web-0");
    await t.ready("web-1");
    const template = specOf(web())["template"] as JsonObject;
    await t.change({ template: { ...template, metadata: { labels: { app: "nginx", v: "2" } } } });
    await t.reconcile();
    expect(t.pods()).toEqual(["web-0", "web-1"]);
    expect(t.status()).toMatchObject({ currentReplicas: 2 });
    expect(t.status()["updatedReplicas"] ?? 0).toBe(0);
  });
});
