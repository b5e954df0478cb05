import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BusEvent, JetStreamBus, PublishResult } from "@capstan/bus";
import { openEventStore, type EventStore } from "@capstan/eventstore";
import { OutboxRelay } from "./outbox-relay.js";

/** A stream that takes nothing while `refusing`, and records every publish attempt. */
class RefusingStream {
  refusing = true;
  last = 0;
  attempts = 0;

  readonly bus = {
    stream: "TEST_EVENTS",
    maxPayload: 1024 * 1024,
    bounds: async () => ({ first: 1, last: this.last }),
    publishInOrder: async (events: readonly BusEvent[]): Promise<PublishResult> => {
      this.attempts++;
      if (this.refusing) return { lastAccepted: this.last, rejection: new Error("maximum payload exceeded"), references: [] };
      this.last = events[events.length - 1]!.revision;
      return { lastAccepted: this.last, references: [] };
    },
  } as unknown as JetStreamBus; // only what the relay calls
}

let store: EventStore;
let relay: OutboxRelay | undefined;

beforeEach(async () => {
  store = await openEventStore({});
});

afterEach(async () => {
  await relay?.stop();
  await store.close();
});

async function commitPod(name: string): Promise<void> {
  const object = { kind: "Pod", metadata: { name, namespace: "default", uid: `uid-${name}` } };
  await store.append({ key: { kind: "Pod", namespace: "default", name }, actor: "test", decide: () => ({ type: "ADDED", object }) });
}

describe("OutboxRelay", () => {
  it("says once, loudly, that it cannot publish, backs off instead of spinning, and says when it publishes again", async () => {
    const stream = new RefusingStream();
    const lines: string[] = [];
    relay = new OutboxRelay(store, stream.bus, (line) => lines.push(line));
    await commitPod("a");
    relay.start();
    // Commits keep waking it; a back-off must not be cut short by them.
    for (let i = 0; i < 20; i++) {
      await commitPod(`b${i}`);
      relay.wake();
      await new Promise((r) => setTimeout(r, 50));
    }
    // One second of refusals with back-off from 100 ms doubling: a handful of attempts, not thousands.
    expect(stream.attempts).toBeGreaterThanOrEqual(2);
    expect(stream.attempts).toBeLessThanOrEqual(6);
    expect(lines).toEqual([expect.stringMatching(/^error: outbox relay cannot publish revision 1 to stream TEST_EVENTS: maximum payload exceeded; watchers see no new events/)]);

    stream.refusing = false;
    await expect.poll(() => stream.last, { timeout: 15_000 }).toBe(21);
    expect(lines).toEqual([expect.any(String), "outbox relay: publishing again"]);
  });
});
