import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { controllerRevisionPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;

describe("controller revision table", () => {
  it.each([
    { name: "owned by a StatefulSet", ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "u", controller: true }], shown: "statefulset.apps/web" },
    { name: "without a controller", ownerReferences: [], shown: "<none>" },
  ])("prints NAME CONTROLLER REVISION AGE, $name", ({ ownerReferences, shown }) => {
    const o = { metadata: { name: "web-7d9f", namespace: "default", creationTimestamp: created, ownerReferences }, data: {}, revision: 2 };
    const opts = { wide: false, withNamespace: false, now };
    const table = formatTable(printerColumns(controllerRevisionPrinter, opts), [printerRow(controllerRevisionPrinter, o, opts)]);
    expect(table.split("\n")[1]?.split(/\s+/)).toEqual(["web-7d9f", shown, "2", "65s"]);
  });
});
