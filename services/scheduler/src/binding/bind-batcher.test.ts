import { describe, expect, it } from "vitest";
import type { BindRequest } from "@capstan/api";
import { BindBatcher } from "./bind-batcher.js";

const binding = (name: string) => ({ namespace: "default", name, nodeName: "n1", preconditions: undefined });

function harness(answer: (b: BindRequest) => PromiseSettledResult<unknown> = () => ({ status: "fulfilled", value: {} })) {
  const calls: string[][] = [];
  const batcher = new BindBatcher(async (bindings) => {
    calls.push(bindings.map((b) => b.name));
    return bindings.map(answer);
  }, 3);
  return { batcher, calls };
}

describe("BindBatcher", () => {
  it.each([
    ["fewer than a batch go out together once the loop yields", 2, [["p0", "p1"]]],
    ["a full batch goes out at once, the rest when the loop yields", 5, [["p0", "p1", "p2"], ["p3", "p4"]]],
  ])("%s", async (_name, n, want) => {
    const { batcher, calls } = harness();
    await Promise.all(Array.from({ length: n }, (_, i) => batcher.bind(binding(`p${i}`))));
    expect(calls).toEqual(want);
  });

  it("settles each bind with its own result", async () => {
    const { batcher } = harness((b) => (b.name === "bad" ? { status: "rejected", reason: new Error("conflict") } : { status: "fulfilled", value: {} }));
    const results = await Promise.allSettled([batcher.bind(binding("good")), batcher.bind(binding("bad"))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
  });

  it("fails every bind of a batch whose call failed", async () => {
    const batcher = new BindBatcher(() => Promise.reject(new Error("gateway unavailable")));
    const results = await Promise.allSettled([batcher.bind(binding("a")), batcher.bind(binding("b"))]);
    expect(results).toEqual([
      { status: "rejected", reason: new Error("gateway unavailable") },
      { status: "rejected", reason: new Error("gateway unavailable") },
    ]);
  });
});
