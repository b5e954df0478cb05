import { describe, expect, it } from "vitest";
import { BindingPipeline } from "./binding-pipeline.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const isSettled = async (p: Promise<unknown>): Promise<boolean> => {
  let settled = false;
  void p.then(() => (settled = true));
  await new Promise((r) => setTimeout(r, 0));
  return settled;
};

describe("BindingPipeline", () => {
  it("lets binds run until maxInFlight are outstanding, then waits for one to finish", async () => {
    const pipeline = new BindingPipeline(2);
    const [a, b, c] = [deferred(), deferred(), deferred()];
    expect(await isSettled(pipeline.add(a.promise))).toBe(true);
    const second = pipeline.add(b.promise);
    expect(await isSettled(second)).toBe(false);
    a.resolve();
    expect(await isSettled(second)).toBe(true);
    expect(pipeline.size).toBe(1);
    void pipeline.add(c.promise);
    const drained = pipeline.drain();
    b.resolve();
    expect(await isSettled(drained)).toBe(false);
    c.resolve();
    expect(await isSettled(drained)).toBe(true);
    expect(pipeline.size).toBe(0);
  });

  it("drains at once when nothing is in flight", async () => {
    expect(await isSettled(new BindingPipeline(1).drain())).toBe(true);
  });

  it.each([
    ["zero", 0],
    ["negative", -1],
    ["fraction", 1.5],
  ])("refuses maxInFlight %s", (_name, max) => {
    expect(() => new BindingPipeline(max)).toThrow(/maxInFlight must be a positive integer/);
  });
});
