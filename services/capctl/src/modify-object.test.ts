import { describe, expect, it } from "vitest";
import { UnavailableError } from "@capstan/apimachinery";
import { modifyObject } from "./modify-object.js";
import { aDeployment } from "./testing/builders.js";
import { FakeGateway } from "./testing/fake-gateway.js";

const key = { kind: "Deployment", namespace: "default", name: "web" };
const replicasOf = (o: Record<string, any>) => o["spec"]["replicas"] as number;

describe("modifyObject", () => {
  it("writes the change with the resourceVersion it read", async () => {
    const gw = new FakeGateway();
    gw.store(aDeployment({ replicas: 3 }));
    const { changed, object, result } = await modifyObject(gw, key, (o: Record<string, any>) => {
      o["spec"]["replicas"] = 5;
      return "done";
    });
    expect({ changed, result, replicas: replicasOf(object) }).toEqual({ changed: true, result: "done", replicas: 5 });
    expect(replicasOf(gw.object("Deployment", "web"))).toBe(5);
  });

  it("reads again and re-applies the change when another writer got there first", async () => {
    const gw = new FakeGateway();
    gw.store(aDeployment({ replicas: 3 }));
    // A controller's status write between our read and our write.
    gw.beforeUpdate = () => gw.touch("Deployment", "web", (o) => (o["status"] = { observedGeneration: 1, replicas: 3 }));
    await modifyObject(gw, key, (o: Record<string, any>) => (o["spec"]["replicas"] = 5));
    const stored = gw.object("Deployment", "web") as Record<string, any>;
    expect(replicasOf(stored)).toBe(5);
    expect(stored["status"]).toEqual({ observedGeneration: 1, replicas: 3 });
    expect(gw.updates).toHaveLength(1);
  });

  it("does not write when the change leaves the object as it was", async () => {
    const gw = new FakeGateway();
    gw.store(aDeployment({ replicas: 3 }));
    const { changed } = await modifyObject(gw, key, (o: Record<string, any>) => (o["spec"]["replicas"] = 3));
    expect(changed).toBe(false);
    expect(gw.updates).toHaveLength(0);
  });

  it("passes on a refusal from the change and errors other than Conflict, unretried", async () => {
    const gw = new FakeGateway();
    gw.store(aDeployment());
    await expect(
      modifyObject(gw, key, () => {
        throw new Error("is already paused");
      }),
    ).rejects.toThrow("is already paused");
    let attempts = 0;
    gw.beforeUpdate = () => {
      attempts++;
      throw new UnavailableError("the event store is not reachable");
    };
    await expect(modifyObject(gw, key, (o: Record<string, any>) => (o["spec"]["replicas"] = 9))).rejects.toThrow("not reachable");
    expect(attempts).toBe(1);
  });
});
