import { describe, expect, it } from "vitest";
import { evolve, foldEvent, type ProjectionChanges } from "./projection.js";
import type { EventType, StoredEvent } from "./stored-event.js";

function anEvent(type: EventType, revision: number, name = "web-0"): StoredEvent {
  return {
    revision,
    type,
    kind: "Pod",
    namespace: "default",
    name,
    uid: "uid-1",
    nodeName: "node-a",
    object: { metadata: { name, uid: "uid-1", resourceVersion: String(revision) } },
    actor: "alice",
    committedAt: "2025-01-01T00:00:00.000Z",
  };
}

describe("evolve", () => {
  it.each([
    { name: "ADDED stores the object", event: anEvent("ADDED", 3), present: true },
    { name: "MODIFIED stores the new object", event: anEvent("MODIFIED", 4), present: true },
    { name: "DELETED removes the row", event: anEvent("DELETED", 5), present: false },
  ])("$name", ({ event, present }) => {
    const row = evolve(event);
    if (!present) return expect(row).toBeUndefined();
    expect(row).toEqual({
      kind: "Pod",
      namespace: "default",
      name: "web-0",
      uid: "uid-1",
      nodeName: "node-a",
      revision: event.revision,
      object: event.object,
    });
  });
});

describe("foldEvent", () => {
  it("keeps the row the last event of each key leaves", () => {
    const changes: ProjectionChanges = new Map();
    for (const e of [anEvent("ADDED", 1), anEvent("ADDED", 2, "web-1"), anEvent("MODIFIED", 3), anEvent("DELETED", 4, "web-1")]) {
      foldEvent(changes, e);
    }
    const rows = [...changes.values()].map(({ key, row }) => [key.name, row?.revision]);
    expect(rows).toEqual([
      ["web-0", 3],
      ["web-1", undefined],
    ]);
  });
});
