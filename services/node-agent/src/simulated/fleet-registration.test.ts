import { describe, expect, it } from "vitest";
import { fromApiObject, type ApiObject } from "@capstan/api";
import type { JsonObject } from "@capstan/client";
import type { NodeDescription } from "../node-registration.js";
import { FleetRegistration } from "./fleet-registration.js";

const node = (name: string): NodeDescription => ({
  name,
  capacity: { cpu: "32", memory: "256Gi", pods: "110", "ephemeral-storage": "100Gi" },
  labels: { "topology.kubernetes.io/zone": "zone-a" },
  taints: [{ key: "dedicated", value: "sim", effect: "NoSchedule" }],
  internalIP: "172.16.0.1",
  kubeletPort: 0,
  osImage: "capstan simulated runtime",
  containerRuntimeVersion: "simulated://capstan",
});

/** A gateway that stores what it is sent, and a lease bucket that counts renewals. */
function fleet(names: string[]) {
  let time = Date.parse("2026-01-01T00:00:00Z");
  const stored = new Map<string, JsonObject>();
  const created: string[] = [];
  const statusWrites: string[] = [];
  const renewals: string[] = [];
  const registration = new FleetRegistration({
    client: {
      async create(o: ApiObject) {
        const json = fromApiObject(o).json;
        const name = String((json["metadata"] as JsonObject)["name"]);
        created.push(name);
        stored.set(name, json);
        return o;
      },
      async updateStatus(o: ApiObject) {
        const json = fromApiObject(o).json;
        const name = String((json["metadata"] as JsonObject)["name"]);
        statusWrites.push(name);
        stored.set(name, json);
        registration.apply({ type: "MODIFIED", object: json, revision: 0 });
        return o;
      },
    },
    leases: { renew: async (name) => void renewals.push(name) },
    nodes: names.map(node),
    heartbeatSeconds: 10,
    nodeStatusReportSeconds: 300,
    maxInFlight: 2,
    log: () => {},
    now: () => time,
    random: () => 0,
  });
  return { registration, stored, created, statusWrites, renewals, tick: (ms: number) => (time += ms) };
}

const markUnknown = (o: JsonObject): JsonObject => {
  const status = o["status"] as JsonObject;
  const conditions = (status["conditions"] as JsonObject[]).map((c) => ({ ...c, status: "Unknown", reason: "NodeStatusUnknown" }));
  return { ...o, status: { ...status, conditions } };
};

describe("FleetRegistration", () => {
  it("registers every node with its labels and taints, Ready, after renewing its lease", async () => {
    const f = fleet(["sim-1", "sim-2", "sim-3"]);
    f.registration.replace([]);
    await f.registration.register();
    expect(f.created.sort()).toEqual(["sim-1", "sim-2", "sim-3"]);
    expect(f.renewals.sort()).toEqual(["sim-1", "sim-2", "sim-3"]);
    const stored = f.stored.get("sim-2")!;
    expect(stored).toMatchObject({
      metadata: { name: "sim-2", labels: { "kubernetes.io/hostname": "sim-2", "topology.kubernetes.io/zone": "zone-a" } },
      spec: { taints: [{ key: "dedicated", value: "sim", effect: "NoSchedule" }] },
      status: { conditions: [{ type: "Ready", status: "True" }], addresses: [{ type: "InternalIP", address: "172.16.0.1" }, { type: "Hostname", address: "sim-2" }] },
    });
  });

  it("takes over nodes already registered by writing their status, without creating them", async () => {
    const f = fleet(["sim-1", "sim-2"]);
    f.registration.replace([
      { apiVersion: "v1", kind: "Node", metadata: { name: "sim-1", resourceVersion: "7" }, status: {} },
      { apiVersion: "v1", kind: "Node", metadata: { name: "other" } },
    ]);
    await f.registration.register();
    expect(f.created).toEqual(["sim-2"]);
    expect(f.statusWrites).toEqual(["sim-1"]);
    expect(f.stored.get("sim-1")!["metadata"]).toEqual({ name: "sim-1" });
  });

  it.each([
    { name: "nothing changed: leases only", change: () => {}, advanceMs: 10_000, want: [] as string[] },
    {
      name: "the node lifecycle controller marked a node Unknown",
      change: (f: ReturnType<typeof fleet>) => f.registration.apply({ type: "MODIFIED", object: markUnknown(f.stored.get("sim-2")!), revision: 0 }),
      advanceMs: 10_000,
      want: ["sim-2"],
    },
    { name: "the report period ran out", change: () => {}, advanceMs: 300_000, want: ["sim-1", "sim-2"] },
  ])("each heartbeat renews every lease; Node status is written when $name", async ({ change, advanceMs, want }) => {
    const f = fleet(["sim-1", "sim-2"]);
    f.registration.replace([]);
    await f.registration.register();
    f.renewals.length = 0;
    change(f);
    f.tick(advanceMs);
    await f.registration.heartbeat();
    expect(f.renewals.sort()).toEqual(["sim-1", "sim-2"]);
    expect(f.statusWrites.sort()).toEqual(want);
    expect(f.created).toHaveLength(2);
  });

  it("registers a node again when someone deleted it", async () => {
    const f = fleet(["sim-1"]);
    f.registration.replace([]);
    await f.registration.register();
    f.registration.apply({ type: "DELETED", object: f.stored.get("sim-1")!, revision: 0 });
    await f.registration.heartbeat();
    expect(f.created).toEqual(["sim-1", "sim-1"]);
  });
});
