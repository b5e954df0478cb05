import { describe, expect, it } from "vitest";
import { eventually } from "@capstan/apimachinery/testing";
import { createFakeGateway } from "./testing/index.js";
import { EventRecorder } from "./event-recorder.js";

const T0 = Date.parse("2026-03-01T12:00:00.000Z");

const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "default", uid: "u-1", resourceVersion: "7" } };

async function given() {
  const gateway = await createFakeGateway();
  let now = T0;
  const logged: string[] = [];
  const recorder = new EventRecorder(gateway, { component: "kubelet", host: "node-1" }, (m) => void logged.push(m), () => new Date(now));
  return {
    gateway,
    recorder,
    logged,
    advance: (ms: number) => void (now += ms),
    events: () => gateway.objects("Event").map((e) => ({ reason: e["reason"], message: e["message"], count: e["count"], first: e["firstTimestamp"], last: e["lastTimestamp"] })),
  };
}

describe("EventRecorder", () => {
  it("counts the same event again on the Event already written, keeping its first time", async () => {
    const c = await given();
    c.recorder.record(pod, "Warning", "BackOff", "Back-off restarting failed container web");
    c.advance(60_000);
    c.recorder.record(pod, "Warning", "BackOff", "Back-off restarting failed container web");
    c.advance(60_000);
    c.recorder.record({ ...pod, metadata: { ...pod.metadata, resourceVersion: "9" } }, "Warning", "BackOff", "Back-off restarting failed container web");
    await eventually(() => c.events()[0]?.count === 3);
    expect(c.events()).toEqual([
      { reason: "BackOff", message: "Back-off restarting failed container web", count: 3, first: "2026-03-01T12:00:00.000Z", last: "2026-03-01T12:02:00.000Z" },
    ]);
  });

  it("writes another Event for another message, reason or object", async () => {
    const c = await given();
    c.recorder.record(pod, "Normal", "Pulled", "Container image \"nginx\" already present on machine");
    c.recorder.record(pod, "Normal", "Created", "Created container: web");
    c.recorder.record(pod, "Normal", "Created", "Created container: side");
    c.recorder.record({ ...pod, metadata: { ...pod.metadata, name: "api", uid: "u-2" } }, "Normal", "Created", "Created container: web");
    await eventually(() => c.events().length === 4);
    expect(c.events().every((e) => e.count === 1)).toBe(true);
  });

  it("starts a new Event when the one it counted on is gone", async () => {
    const c = await given();
    c.recorder.record(pod, "Warning", "BackOff", "again");
    await eventually(() => c.events().length === 1);
    const [written] = c.gateway.objects("Event");
    await c.gateway.delete({ kind: "Event", namespace: "default", name: String((written!["metadata"] as Record<string, unknown>)["name"]) });
    c.advance(1000);
    c.recorder.record(pod, "Warning", "BackOff", "again");
    await eventually(() => c.events().length === 1 && c.events()[0]!.count === 1 && c.events()[0]!.first === "2026-03-01T12:00:01.000Z");
    expect(c.logged).toEqual([]);
  });
});
