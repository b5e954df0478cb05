import { describe, expect, it } from "vitest";
import type { JsonObject, ReflectorEvent } from "@capstan/client";
import { onlyOwnNodes } from "./own-nodes-filter.js";

const pod = (name: string, nodeName?: string): JsonObject => ({ metadata: { name }, spec: nodeName ? { nodeName } : {} });

describe("onlyOwnNodes", () => {
  it("hands on only the pods bound to the fleet's nodes, on list and on watch", async () => {
    const replaced: string[] = [];
    const applied: string[] = [];
    const names = (objects: JsonObject[]) => objects.map((o) => String((o["metadata"] as JsonObject)["name"]));
    const handler = onlyOwnNodes(new Set(["sim-1", "sim-2"]), {
      replace: (objects) => void replaced.push(...names(objects)),
      apply: (e) => void applied.push(...names([e.object])),
    });
    await handler.replace([pod("a", "sim-1"), pod("b", "node-1"), pod("c"), pod("d", "sim-2")], 1);
    const events: ReflectorEvent[] = [
      { type: "ADDED", object: pod("unscheduled"), revision: 2 },
      { type: "MODIFIED", object: pod("bound-here", "sim-2"), revision: 3 },
      { type: "MODIFIED", object: pod("bound-elsewhere", "node-1"), revision: 4 },
      { type: "DELETED", object: pod("deleted-here", "sim-1"), revision: 5 },
    ];
    for (const e of events) await handler.apply(e);
    expect(replaced).toEqual(["a", "d"]);
    expect(applied).toEqual(["bound-here", "deleted-here"]);
  });
});
