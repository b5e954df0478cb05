import { describe, expect, it } from "vitest";
import { claimName, newClaim, newStatefulPod, ordinalOf } from "./stateful-pod.js";
import { readStatefulSet } from "./stateful-set.js";

const set = readStatefulSet({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "web", namespace: "default", uid: "sts-uid" },
  spec: {
    serviceName: "nginx",
    selector: { matchLabels: { app: "nginx" } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
    template: { metadata: { labels: { app: "nginx" } }, spec: { containers: [{ name: "nginx", image: "nginx" }], volumes: [{ name: "www", emptyDir: {} }, { name: "tmp", emptyDir: {} }] } },
    volumeClaimTemplates: [{ metadata: { name: "www", labels: { tier: "data" } }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
  },
});

describe("a StatefulSet pod's identity", () => {
  it.each([
    { name: "web-0", ordinal: 0 },
    { name: "web-12", ordinal: 12 },
    { name: "web-01", ordinal: undefined },
    { name: "web-x", ordinal: undefined },
    { name: "webby-1", ordinal: undefined },
  ])("reads the ordinal of $name", ({ name, ordinal }) => {
    expect(ordinalOf(set, name)).toBe(ordinal);
  });

  it("names the pod for its ordinal, labels it, gives it a hostname under the service, and mounts its claim in place of a template volume of the same name", () => {
    const pod = newStatefulPod(set, set.template, "web-abc", 3);
    expect(pod["metadata"]).toMatchObject({
      name: "web-3",
      labels: { app: "nginx", "statefulset.kubernetes.io/pod-name": "web-3", "apps.kubernetes.io/pod-index": "3", "controller-revision-hash": "web-abc" },
      ownerReferences: [{ kind: "StatefulSet", name: "web", uid: "sts-uid", controller: true }],
    });
    expect(pod["spec"]).toMatchObject({ hostname: "web-3", subdomain: "nginx", volumes: [{ name: "tmp", emptyDir: {} }, { name: "www", persistentVolumeClaim: { claimName: "www-web-3" } }] });
  });

  it("makes the claim <template>-<set>-<ordinal> with the selector's labels, owned by the set under whenDeleted: Delete", () => {
    const claim = newClaim(set, set.claimTemplates[0]!, 3);
    expect(claimName("www", set, 3)).toBe("www-web-3");
    expect(claim["metadata"]).toEqual({
      name: "www-web-3",
      namespace: "default",
      labels: { tier: "data", app: "nginx" },
      ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "sts-uid", controller: false }],
    });
    expect(claim["spec"]).toEqual({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } });
  });
});
