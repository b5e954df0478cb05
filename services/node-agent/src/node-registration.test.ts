import { describe, expect, it } from "vitest";
import type { JsonObject } from "@capstan/client";
import type { NodeAgentConfig } from "./config.js";
import { describeThisNode, nodeStatus, nodeStatusHasChanged } from "./node-registration.js";

function status(opts: { heartbeat?: string; ready?: string; memory?: string; keyOrder?: "cpu-first" | "memory-first" } = {}): JsonObject {
  const cpu = { cpu: "2" };
  const memory = { memory: opts.memory ?? "1Gi" };
  const capacity = opts.keyOrder === "memory-first" ? { ...memory, ...cpu } : { ...cpu, ...memory };
  return {
    capacity,
    conditions: [
      {
        type: "Ready",
        status: opts.ready ?? "True",
        reason: "KubeletReady",
        lastHeartbeatTime: opts.heartbeat ?? "2026-03-01T12:00:00.000Z",
        lastTransitionTime: "2026-03-01T11:00:00.000Z",
      },
    ],
  };
}

describe("nodeStatusHasChanged", () => {
  it.each([
    { name: "only the heartbeat moved", previous: status(), next: status({ heartbeat: "2026-03-01T12:00:10.000Z" }), want: false },
    { name: "the store returned a map in another key order", previous: status({ keyOrder: "memory-first" }), next: status(), want: false },
    { name: "the controller marked the node Unknown", previous: status({ ready: "Unknown" }), next: status(), want: true },
    { name: "capacity changed", previous: status(), next: status({ memory: "2Gi" }), want: true },
    { name: "no status yet", previous: undefined, next: status(), want: true },
  ])("$name → $want", ({ previous, next, want }) => {
    expect(nodeStatusHasChanged(previous, next)).toBe(want);
  });
});

describe("nodeStatus", () => {
  it("reports the node's own address as InternalIP and its log endpoint's port", () => {
    const config = { nodeName: "node-1", nodeIP: "127.37.0.1", capacity: { cpu: "2" }, labels: {} } as unknown as NodeAgentConfig;
    const s = nodeStatus(describeThisNode(config, 10250), "2026-03-01T12:00:00.000Z");
    expect(s["addresses"]).toEqual([
      { type: "InternalIP", address: "127.37.0.1" },
      { type: "Hostname", address: "node-1" },
    ]);
    expect(s["daemonEndpoints"]).toEqual({ kubeletEndpoint: { port: 10250 } });
  });
});
