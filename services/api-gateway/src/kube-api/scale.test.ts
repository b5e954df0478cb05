import { describe, expect, it } from "vitest";
import { scaledObject, scaleOf } from "./scale.js";

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", uid: "u1", resourceVersion: "9", labels: { a: "b" }, creationTimestamp: "2026-01-01T00:00:00Z" },
  spec: { replicas: 3, selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }] }, template: {} },
  status: { replicas: 2 },
};

describe("scaleOf", () => {
  it("shows a workload's replicas and selector as an autoscaling/v1 Scale", () => {
    expect(scaleOf(deployment)).toEqual({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: { name: "web", namespace: "shop", uid: "u1", resourceVersion: "9", creationTimestamp: "2026-01-01T00:00:00Z" },
      spec: { replicas: 3 },
      status: { replicas: 2, selector: "app=web,tier in (front)" },
    });
  });

  it("reads a ReplicationController's plain selector map", () => {
    const rc = { kind: "ReplicationController", metadata: { name: "rc" }, spec: { replicas: 1, selector: { app: "rc" } } };
    expect(scaleOf(rc)["status"]).toEqual({ replicas: 0, selector: "app=rc" });
  });
});

describe("scaledObject", () => {
  it("sets spec.replicas and takes the Scale's resourceVersion as the write's", () => {
    const scaled = scaledObject(deployment, { kind: "Scale", metadata: { name: "web", resourceVersion: "8" }, spec: { replicas: 5 } });
    expect(scaled).toMatchObject({ metadata: { name: "web", resourceVersion: "8", labels: { a: "b" } }, spec: { replicas: 5, template: {} }, status: { replicas: 2 } });
  });

  it("keeps the object's resourceVersion when the Scale names none", () => {
    expect(scaledObject(deployment, { spec: { replicas: 0 } })).toMatchObject({ metadata: { resourceVersion: "9" }, spec: { replicas: 0 } });
  });

  it.each([
    { name: "negative replicas", scale: { spec: { replicas: -1 } }, message: "spec.replicas: Invalid value -1: must be greater than or equal to 0" },
    { name: "no replicas", scale: { spec: {} }, message: "spec.replicas: Invalid value undefined: must be an integer" },
    { name: "another object's name", scale: { metadata: { name: "db" }, spec: { replicas: 1 } }, message: 'metadata.name: Invalid value "db": must be "web"' },
    { name: "another kind", scale: { kind: "Pod", spec: { replicas: 1 } }, message: 'kind: Unsupported value "Pod": supported values: "Scale"' },
  ])("refuses $name as Invalid", ({ scale, message }) => {
    expect(() => scaledObject(deployment, scale)).toThrow(`Scale.autoscaling "web" is invalid: ${message}`);
  });
});
