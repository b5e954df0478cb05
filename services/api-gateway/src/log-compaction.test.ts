import { describe, expect, it } from "vitest";
import { compactionTarget } from "./log-compaction.js";

const bounds = { requested: undefined, retainRevisions: undefined, head: 100, relayed: 100, compacted: 0 };

describe("compactionTarget", () => {
  it.each([
    { name: "the revision asked for", given: { requested: 40 }, target: 40 },
    { name: "the asked revision over the setting", given: { requested: 40, retainRevisions: 10 }, target: 40 },
    { name: "the head minus the revisions retained", given: { retainRevisions: 10 }, target: 90 },
    { name: "nothing below zero", given: { retainRevisions: 500 }, target: undefined },
    { name: "nothing when already compacted that far", given: { requested: 40, compacted: 40 }, target: undefined },
    { name: "the head itself", given: { requested: 100 }, target: 100 },
  ])("compacts to $name", ({ given, target }) => {
    expect(compactionTarget({ ...bounds, ...given })).toBe(target);
  });

  it.each([
    { name: "no revision and no setting", given: {}, message: "name the revision to compact to (compact-log REVISION), or set CAPSTAN_LOG_RETAIN_REVISIONS" },
    { name: "beyond the head", given: { requested: 101 }, message: "revision 101 is beyond the head of the log, 100" },
    {
      name: "beyond what the relay published",
      given: { requested: 95, relayed: 90 },
      message: "revision 95 is not on the event stream yet (it stands at 90); start the gateway so its relay catches up, then compact",
    },
  ])("refuses $name", ({ given, message }) => {
    expect(() => compactionTarget({ ...bounds, ...given })).toThrow(message);
  });
});
