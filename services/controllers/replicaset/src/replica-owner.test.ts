import { describe, expect, it } from "vitest";
import { replicaSetKind, replicationControllerKind } from "./replica-owner.js";

const template = { metadata: { labels: { app: "web", tier: "front" } }, spec: { containers: [{ name: "c", image: "nginx" }] } };
const metadata = { name: "web", namespace: "default", uid: "u1", generation: 2 };

describe("reading replica owners", () => {
  it("reads a ReplicaSet: its controller reference, counts, template and LabelSelector", () => {
    const rs = replicaSetKind.read({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { ...metadata, deletionTimestamp: "2026-01-01T00:00:00Z" },
      spec: { replicas: 3, minReadySeconds: 5, selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] }, template },
    });
    expect(rs).toMatchObject({ name: "web", namespace: "default", generation: 2, deleting: true, replicas: 3, minReadySeconds: 5, template });
    expect(rs.ref).toEqual({ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "u1", controller: true, blockOwnerDeletion: true });
    expect([rs.selects({ app: "web" }), rs.selects({ app: "api" })]).toEqual([true, false]);
  });

  it("reads a ReplicationController's map selector, and without one selects by the template's labels", () => {
    const withSelector = replicationControllerKind.read({ apiVersion: "v1", kind: "ReplicationController", metadata, spec: { selector: { app: "web" }, template } });
    expect(withSelector.replicas).toBe(1);
    expect(withSelector.ref.kind).toBe("ReplicationController");
    expect([withSelector.selects({ app: "web" }), withSelector.selects({ tier: "front" })]).toEqual([true, false]);
    const byTemplate = replicationControllerKind.read({ apiVersion: "v1", kind: "ReplicationController", metadata, spec: { template } });
    expect([byTemplate.selects({ app: "web", tier: "front" }), byTemplate.selects({ app: "web" })]).toEqual([true, false]);
  });
});
