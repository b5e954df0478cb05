import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromApiObject, toApiObject, type ApiObject } from "@capstan/api";
import { isCapstanError } from "@capstan/apimachinery";
import { openEventStore, type JsonObject } from "@capstan/eventstore";
import { eventually, startTestCluster, type TestCluster } from "./support/index.js";

// The machine's NATS takes messages up to its default max_payload of 1 MiB; the gateway used to accept
// objects up to 1.5 MiB, and one event in between stopped every watcher for good.
const MIB = 1024 * 1024;
const BETWEEN_1_AND_1_5_MIB = Math.round(1.25 * MIB);

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 1 });
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

function aPod(name: string, extra: JsonObject = {}): ApiObject {
  return toApiObject({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "c", image: "busybox", command: ["sleep", "3600"], ...extra }], terminationGracePeriodSeconds: 1 },
  });
}

const phaseOf = async (name: string) => fromApiObject(await cluster.client.get({ kind: "Pod", namespace: "default", name })).json["status"] as JsonObject | undefined;

/** Watchers still hear the log: a new pod is scheduled (scheduler's watch) and started (node agent's watch). */
async function expectWatchersAlive(name: string): Promise<void> {
  await cluster.client.create(aPod(name));
  await eventually(async () => (await phaseOf(name))?.["phase"] === "Running", { what: `pod ${name} Running`, timeoutMs: 30_000 });
}

function expectTooLarge(error: unknown): void {
  expect(isCapstanError(error, "Invalid")).toBe(true);
  expect((error as Error).message).toMatch(/metadata: Too long: object size \d+ exceeds the limit of \d+ bytes/);
  const limit = Number(/limit of (\d+) bytes/.exec((error as Error).message)![1]);
  expect(limit).toBeLessThan(MIB);
}

describe("objects and the bus' message size", () => {
  it("refuses a create between 1 MiB and 1.5 MiB, and every watcher keeps working", async () => {
    const error = await cluster.client.create(aPod("big", { args: ["x".repeat(BETWEEN_1_AND_1_5_MIB)] })).catch((e: unknown) => e);
    expectTooLarge(error);
    await expectWatchersAlive("after-big-create");
  });

  it("refuses a status update that would grow an object past the limit, and every watcher keeps working", async () => {
    await expectWatchersAlive("grows");
    const pod = fromApiObject(await cluster.client.get({ kind: "Pod", namespace: "default", name: "grows" })).json;
    const status = { ...(pod["status"] as JsonObject), message: "y".repeat(BETWEEN_1_AND_1_5_MIB) };
    const error = await cluster.client.updateStatus(toApiObject({ ...pod, status })).catch((e: unknown) => e);
    expectTooLarge(error);
    expect((await phaseOf("grows"))?.["message"]).toBeUndefined();
    await expectWatchersAlive("after-big-status");
  });

  it("recovers a log that already holds an over-size event (written before the limit): watchers get it whole, later events flow", async () => {
    const gateway = cluster.stack.service("api-gateway");
    await gateway.stop();
    // What a gateway without the limit committed: a pod of 1.25 MiB, already bound to the node.
    const store = await openEventStore({ databaseUrl: cluster.databaseUrl });
    const legacy = fromApiObject(aPod("legacy", { args: ["z".repeat(BETWEEN_1_AND_1_5_MIB)] })).json;
    const object = {
      ...legacy,
      metadata: { ...(legacy["metadata"] as JsonObject), uid: "legacy-uid", creationTimestamp: new Date().toISOString() },
      spec: { ...(legacy["spec"] as JsonObject), nodeName: cluster.nodeNames[0] },
    };
    const key = { kind: "Pod", namespace: "default", name: "legacy" };
    const written = await store.append({ key, actor: "old-gateway", decide: () => ({ type: "ADDED", object }) });
    await store.close();

    gateway.start();
    await eventually(() => cluster.logs().includes(`outbox relay: event ${written.revision} (Pod default/legacy,`), { what: "the relay's reference line" });
    expect(cluster.logs()).not.toMatch(/outbox relay cannot publish/);

    // A Watch through the gateway gets the object whole, read from the log.
    const watch = cluster.client.watch({ kind: "Pod", namespace: "default", resourceVersion: String(written.revision - 1) });
    for await (const e of watch) {
      expect(e.resourceVersion).toBe(String(written.revision));
      const seen = fromApiObject(e.object!).json;
      expect(((seen["spec"] as JsonObject)["containers"] as JsonObject[])[0]!["args"]).toEqual(["z".repeat(BETWEEN_1_AND_1_5_MIB)]);
      break;
    }
    watch.cancel();
    // The node agent's reflector fetched it (it is bound there): it tries to run it and report status,
    // which the limit refuses — but its watch, and everyone else's, go on.
    await expectWatchersAlive("after-legacy");

    // Deleting it is always allowed, and the delete reaches the watchers too.
    await cluster.capctlOk(["delete", "pod", "legacy", "--force"]);
    await eventually(async () => !/^legacy /m.test(await cluster.capctlOk(["get", "pods"])), { what: "legacy pod gone" });
    await cluster.capctlOk(["delete", "pod", "after-legacy"]);
    await eventually(async () => !/^after-legacy /m.test(await cluster.capctlOk(["get", "pods"])), { what: "a later delete handled by the node agent" });
  });
});
