import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { isCapstanError } from "@capstan/apimachinery";
import { JetStreamBus } from "./jetstream-bus.js";
import type { BusEvent } from "./bus-event.js";

const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const opened: JetStreamBus[] = [];

async function openBus(opts: { maxEvents?: number } = {}): Promise<JetStreamBus> {
  const bus = await JetStreamBus.connect({ url, prefix: `t${randomBytes(4).toString("hex")}`, owner: true, ...opts });
  opened.push(bus);
  return bus;
}

function podEvent(revision: number, nodeName: string): BusEvent {
  const name = `pod-${revision}.x`;
  return {
    revision,
    type: "ADDED",
    kind: "Pod",
    namespace: "default",
    name,
    nodeName,
    actor: "test",
    object: { metadata: { name, resourceVersion: String(revision) } },
  };
}

async function take(bus: JetStreamBus, sub: AsyncIterable<BusEvent>, n: number): Promise<BusEvent[]> {
  const seen: BusEvent[] = [];
  if (n === 0) return seen;
  for await (const e of sub) {
    seen.push(e);
    if (seen.length === n) break;
  }
  return seen;
}

afterEach(async () => {
  for (const bus of opened.splice(0)) {
    await bus.deleteStream();
    await bus.close();
  }
});

describe("JetStreamBus", () => {
  it("keeps stream sequence equal to revision and refuses a gap", async () => {
    const bus = await openBus();
    const events = Array.from({ length: 300 }, (_, i) => podEvent(i + 1, i % 2 ? "n1" : "n2"));
    expect(await bus.publishInOrder(events)).toEqual({ lastAccepted: 300, references: [] });
    // Revision 302 would leave a gap after 300: the stream refuses it, saying it stands elsewhere.
    const gap = await bus.publishInOrder([podEvent(302, "n1")]);
    expect(gap).toMatchObject({ lastAccepted: 301, outOfSequence: true });
    expect(gap.rejection?.message).toMatch(/wrong last sequence: 300/);
    expect((await bus.bounds()).last).toBe(300);
    // Republishing an old revision (a relay that crashed before its ack) is deduplicated, never stored twice.
    expect((await bus.publishInOrder([podEvent(300, "n1")])).lastAccepted).toBe(300);
    expect((await bus.bounds()).last).toBe(300);
  });

  it("delivers only the selected node's events, in order, from a revision", async () => {
    const bus = await openBus();
    await bus.publishInOrder(Array.from({ length: 40 }, (_, i) => podEvent(i + 1, i % 2 ? "n1" : "n2")));
    const sub = await bus.subscribe({ kind: "Pod", nodeName: "n1" }, 20);
    const got = await take(bus, sub, 10);
    await sub.stop();
    expect(got.map((e) => e.revision)).toEqual([22, 24, 26, 28, 30, 32, 34, 36, 38, 40]);
    expect(got.every((e) => e.nodeName === "n1" && e.name.endsWith(".x"))).toBe(true);
  });

  it("sends an event too large for the server as a reference, and the events after it as they are", async () => {
    const bus = await openBus();
    const big = podEvent(2, "n1");
    const bigObject = { ...big.object, spec: { nodeName: "n1", blob: "x".repeat(bus.maxPayload) } };
    const result = await bus.publishInOrder([podEvent(1, "n1"), { ...big, object: bigObject }, podEvent(3, "n1")]);
    expect(result.lastAccepted).toBe(3);
    expect(result.references).toEqual([{ revision: 2, objectBytes: Buffer.byteLength(JSON.stringify(bigObject)) }]);
    const sub = await bus.subscribe({ kind: "Pod" }, 0);
    const [first, second, third] = await take(bus, sub, 3);
    await sub.stop();
    expect(first!.omittedObjectBytes).toBeUndefined();
    expect(second).toMatchObject({
      revision: 2,
      name: big.name,
      omittedObjectBytes: result.references[0]!.objectBytes,
      object: { metadata: { name: big.name, resourceVersion: "2" }, spec: { nodeName: "n1" } },
    });
    expect(third!.object).toEqual(podEvent(3, "n1").object);
  });

  it("answers expired for a revision the stream no longer holds", async () => {
    const bus = await openBus({ maxEvents: 10 });
    await bus.publishInOrder(Array.from({ length: 25 }, (_, i) => podEvent(i + 1, "n1")));
    expect(await bus.bounds()).toEqual({ first: 16, last: 25 });
    const error = await bus.subscribe({}, 3).catch((e: unknown) => e);
    expect(isCapstanError(error, "Expired")).toBe(true);
    const sub = await bus.subscribe({}, 15);
    expect((await take(bus, sub, 10)).map((e) => e.revision)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    await sub.stop();
  });
});
