import { isCapstanError } from "@capstan/apimachinery";
import { describe, expect, it } from "vitest";
import { GroupCommit, type CommitBatch, type CommitBatchObservation } from "./group-commit.js";
import type { Mutation } from "./mutation.js";
import type { StoredEvent } from "./stored-event.js";

function aMutation(name: string): Mutation {
  return { key: { kind: "Pod", namespace: "default", name }, actor: "alice", decide: () => ({ error: new Error("unused") }) };
}

/** A commit that records its batches and answers each mutation with an event named after it. */
function recordingCommit(batches: string[][], fail?: (names: string[]) => Error | undefined): CommitBatch {
  let revision = 0;
  return async (mutations) => {
    const names = mutations.map((m) => m.key.name);
    batches.push(names);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const error = fail?.(names);
    if (error) throw error;
    return mutations.map((m) => ({ revision: ++revision, name: m.key.name }) as StoredEvent);
  };
}

describe("GroupCommit", () => {
  it("tells its observer each transaction's size, committed kinds and last revision", async () => {
    const seen: CommitBatchObservation[] = [];
    const refuseB: CommitBatch = async (mutations) =>
      mutations.map((m, i) => (m.key.name === "b" ? new Error("refused") : ({ revision: 10 + i, kind: m.key.kind }) as StoredEvent));
    const commits = new GroupCommit(refuseB, 100, (o) => seen.push(o));
    await Promise.allSettled(["a", "b", "c"].map((n) => commits.submit(aMutation(n))));
    expect(seen).toEqual([{ batchSize: 3, committedKinds: ["Pod", "Pod"], durationSeconds: expect.any(Number), lastRevision: 12 }]);
    expect(seen[0]!.durationSeconds).toBeGreaterThanOrEqual(0);
  });

  it("takes a burst as batches of at most maxBatch, in order", async () => {
    const batches: string[][] = [];
    const commits = new GroupCommit(recordingCommit(batches), 3);
    const events = await Promise.all(["a", "b", "c", "d", "e"].map((n) => commits.submit(aMutation(n))));
    expect(batches).toEqual([["a", "b", "c"], ["d", "e"]]);
    expect(events.map((e) => e.revision)).toEqual([1, 2, 3, 4, 5]);
  });

  it("queues what arrives during a commit for the next one", async () => {
    const batches: string[][] = [];
    const commits = new GroupCommit(recordingCommit(batches), 100);
    const first = commits.submit(aMutation("a"));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const later = ["b", "c"].map((n) => commits.submit(aMutation(n)));
    await Promise.all([first, ...later]);
    expect(batches).toEqual([["a"], ["b", "c"]]);
  });

  it("rejects a failed transaction's whole batch as Unavailable and goes on with the next", async () => {
    const batches: string[][] = [];
    const cause = new Error("connection reset");
    const commits = new GroupCommit(recordingCommit(batches, (names) => (names.includes("bad") ? cause : undefined)), 2);
    const results = await Promise.allSettled(["ok", "bad", "next"].map((n) => commits.submit(aMutation(n))));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "fulfilled"]);
    const reason = (results[0] as PromiseRejectedResult).reason as Error;
    expect(isCapstanError(reason, "Unavailable")).toBe(true);
    expect(reason.cause).toBe(cause);
  });

  it("rejects only the mutations whose outcome is an error", async () => {
    const refused = new Error("refused");
    const commits = new GroupCommit(async (mutations) => mutations.map((m, i) => (m.key.name === "b" ? refused : ({ revision: i } as StoredEvent))), 10);
    const results = await Promise.allSettled(["a", "b", "c"].map((n) => commits.submit(aMutation(n))));
    expect(results.map((r) => (r.status === "rejected" ? r.reason : r.value.revision))).toEqual([0, refused, 2]);
  });

  it("is idle once every submitted mutation has settled", async () => {
    const batches: string[][] = [];
    const commits = new GroupCommit(recordingCommit(batches), 1);
    const settled: string[] = [];
    for (const n of ["a", "b", "c"]) void commits.submit(aMutation(n)).then(() => settled.push(n));
    await commits.idle();
    expect(settled).toEqual(["a", "b", "c"]);
  });
});
