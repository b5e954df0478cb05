import { describe, expect, it, vi } from "vitest";
import { fromApiObject, type ApiObject } from "@capstan/api";
import type { ObjectKey } from "@capstan/apimachinery";
import { createFakeGateway } from "@capstan/client/testing";
import { beforeNext } from "../testing/before-next.js";
import { applyObject } from "./apply.js";

type Json = Record<string, any>;

const key: ObjectKey = { kind: "Deployment", namespace: "default", name: "web" };

function aDeployment(replicas: number): Json {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } },
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
    },
  };
}

/** The object an update call sent. */
const sent = (object: ApiObject): Json => fromApiObject(object).json;

describe("applyObject", () => {
  it("creates, then leaves an unchanged object alone, then updates a changed one at the current resourceVersion", async () => {
    const gateway = await createFakeGateway();
    const update = vi.spyOn(gateway, "update");

    expect((await applyObject(gateway, key, aDeployment(3))).outcome).toBe("created");
    expect((await applyObject(gateway, key, aDeployment(3))).outcome).toBe("unchanged");
    const before = gateway.stored("Deployment", "web")!;
    expect((await applyObject(gateway, key, aDeployment(5))).outcome).toBe("configured");

    expect(update).toHaveBeenCalledTimes(1);
    expect(sent(update.mock.calls[0]![0])).toMatchObject({ metadata: { resourceVersion: (before["metadata"] as Json)["resourceVersion"] }, spec: { replicas: 5 } });
  });

  it("keeps the status a controller wrote and takes labels from the manifest", async () => {
    const gateway = await createFakeGateway();
    await gateway.apply({ ...aDeployment(3), metadata: { name: "web", labels: { old: "x" } }, status: { replicas: 3 } });

    expect((await applyObject(gateway, key, { ...aDeployment(3), metadata: { name: "web", labels: { app: "web" } } })).outcome).toBe("configured");

    expect(gateway.stored("Deployment", "web")).toMatchObject({ metadata: { labels: { app: "web" } }, status: { replicas: 3 } });
    expect((gateway.stored("Deployment", "web")!["metadata"] as Json)["labels"]).not.toHaveProperty("old");
  });

  it("updates an object another writer created between its read and its create", async () => {
    const gateway = await createFakeGateway();
    beforeNext(gateway, "create", () => gateway.apply(aDeployment(1)));

    expect((await applyObject(gateway, key, aDeployment(3))).outcome).toBe("configured");
    expect(gateway.stored("Deployment", "web")).toMatchObject({ spec: { replicas: 3 } });
  });

  it("finds a ReplicationController unchanged although its labels are defaulted from the template", async () => {
    const gateway = await createFakeGateway();
    const rc = {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "legacy" },
      spec: { replicas: 2, template: { metadata: { labels: { app: "legacy" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
    };
    const rcKey = { kind: "ReplicationController", namespace: "default", name: "legacy" };
    expect((await applyObject(gateway, rcKey, rc)).outcome).toBe("created");
    expect((await applyObject(gateway, rcKey, rc)).outcome).toBe("unchanged");
  });
});
