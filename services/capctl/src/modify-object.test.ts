import { describe, expect, it } from "vitest";
import { UnavailableError } from "@capstan/apimachinery";
import { createFakeGateway } from "@capstan/client/testing";
import { modifyObject } from "./modify-object.js";
import { beforeNext } from "./testing/before-next.js";
import { aWebDeployment } from "./testing/builders.js";

const key = { kind: "Deployment", namespace: "default", name: "web" };
const replicasOf = (o: Record<string, any>) => o["spec"]["replicas"] as number;

async function aGateway() {
  const gw = await createFakeGateway();
  await gw.apply(aWebDeployment({ replicas: 3 }));
  return gw;
}

describe("modifyObject", () => {
  it("writes the change with the resourceVersion it read", async () => {
    const gw = await aGateway();
    const { changed, object, result } = await modifyObject(gw, key, (o: Record<string, any>) => {
      o["spec"]["replicas"] = 5;
      return "done";
    });
    expect({ changed, result, replicas: replicasOf(object) }).toEqual({ changed: true, result: "done", replicas: 5 });
    expect(replicasOf(gw.stored("Deployment", "web")!)).toBe(5);
  });

  it("reads again and re-applies the change when another writer got there first", async () => {
    const gw = await aGateway();
    // A controller's status write between our read and our write.
    beforeNext(gw, "update", () => gw.change("Deployment", "web", (o) => ({ ...o, status: { observedGeneration: 1, replicas: 3 } })));
    const revision = gw.revision;
    await modifyObject(gw, key, (o: Record<string, any>) => (o["spec"]["replicas"] = 5));
    const stored = gw.stored("Deployment", "web") as Record<string, any>;
    expect(replicasOf(stored)).toBe(5);
    expect(stored["status"]).toEqual({ observedGeneration: 1, replicas: 3 });
    expect(gw.revision - revision, "the other writer's write and one update").toBe(2);
  });

  it("does not write when the change leaves the object as it was", async () => {
    const gw = await aGateway();
    const revision = gw.revision;
    const { changed } = await modifyObject(gw, key, (o: Record<string, any>) => (o["spec"]["replicas"] = 3));
    expect(changed).toBe(false);
    expect(gw.revision).toBe(revision);
  });

  it("passes on a refusal from the change and errors other than Conflict, unretried", async () => {
    const gw = await aGateway();
    await expect(
      modifyObject(gw, key, () => {
        throw new Error("is already paused");
      }),
    ).rejects.toThrow("is already paused");
    let attempts = 0;
    beforeNext(gw, "update", () => {
      attempts++;
      throw new UnavailableError("the event store is not reachable");
    });
    await expect(modifyObject(gw, key, (o: Record<string, any>) => (o["spec"]["replicas"] = 9))).rejects.toThrow("not reachable");
    expect(attempts).toBe(1);
  });
});
