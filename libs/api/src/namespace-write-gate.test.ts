import { setImmediate } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { NamespaceWriteGate } from "./namespace-write-gate.js";

/** A write the test ends when it likes, recording when it started. */
function aWrite(log: string[], name: string) {
  let end!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    end = () => resolve(name);
    fail = reject;
  });
  return {
    run: () => {
      log.push(`${name} started`);
      return done;
    },
    end,
    fail,
  };
}

/** Lets every pending promise callback run. */
const settle = () => setImmediate();

describe("namespace write gate", () => {
  it("a holder starts once the writes in flight end; writes started meanwhile wait for the holder", async () => {
    const gate = new NamespaceWriteGate();
    const log: string[] = [];
    const pod = aWrite(log, "pod");
    const quota = aWrite(log, "quota");
    const later = aWrite(log, "later pod");
    const podDone = gate.pass("ns", pod.run);
    const quotaDone = gate.hold("ns", quota.run);
    const laterDone = gate.pass("ns", later.run);
    await settle();
    expect(log).toEqual(["pod started"]);
    pod.end();
    await settle();
    expect(log).toEqual(["pod started", "quota started"]);
    quota.end();
    await settle();
    expect(log).toEqual(["pod started", "quota started", "later pod started"]);
    later.end();
    expect(await Promise.all([podDone, quotaDone, laterDone])).toEqual(["pod", "quota", "later pod"]);
  });

  it("holds only its own namespace", async () => {
    const gate = new NamespaceWriteGate();
    const log: string[] = [];
    const quota = aWrite(log, "quota");
    const elsewhere = aWrite(log, "elsewhere");
    const quotaDone = gate.hold("a", quota.run);
    const elsewhereDone = gate.pass("b", elsewhere.run);
    await settle();
    expect(log.sort()).toEqual(["elsewhere started", "quota started"]);
    quota.end();
    elsewhere.end();
    await Promise.all([quotaDone, elsewhereDone]);
  });

  it("a failed holder frees the namespace and fails to its own caller only", async () => {
    const gate = new NamespaceWriteGate();
    const log: string[] = [];
    const quota = aWrite(log, "quota");
    const pod = aWrite(log, "pod");
    const quotaDone = gate.hold("ns", quota.run);
    const podDone = gate.pass("ns", pod.run);
    await settle();
    quota.fail(new Error("refused"));
    await expect(quotaDone).rejects.toThrow("refused");
    await settle();
    expect(log).toEqual(["quota started", "pod started"]);
    pod.end();
    expect(await podDone).toBe("pod");
  });
});
