import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { priorityClassPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };
const meta = (name: string) => ({ name, creationTimestamp: created });

describe("priority class table", () => {
  it("prints priority classes as kubectl: value and whether it is the global default", () => {
    const high = { metadata: meta("high"), value: 1000, globalDefault: true, preemptionPolicy: "PreemptLowerPriority" };
    const critical = { metadata: meta("system-node-critical"), value: 2000001000 };
    expect(formatTable(printerColumns(priorityClassPrinter, opts), [printerRow(priorityClassPrinter, high, opts), printerRow(priorityClassPrinter, critical, opts)])).toBe(
      [
        "NAME                   VALUE        GLOBAL-DEFAULT   AGE",
        "high                   1000         true             65s",
        "system-node-critical   2000001000   false            65s",
      ].join("\n"),
    );
  });
});
