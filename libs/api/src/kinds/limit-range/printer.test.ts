import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { limitRangeDescriber } from "./describe.js";
import { limitRangePrinter } from "./printer.js";

const opts = { wide: false, withNamespace: false, now: 0 };
const limitRange = {
  metadata: { name: "limits", namespace: "default", creationTimestamp: "2026-01-01T00:00:00.000Z" },
  spec: { limits: [{ type: "Container", max: { cpu: "1" }, default: { cpu: "500m", memory: "128Mi" }, defaultRequest: { cpu: "100m", memory: "64Mi" } }] },
};

describe("limit range table and description", () => {
  it("prints NAME and CREATED AT as kubectl", () => {
    expect(formatTable(printerColumns(limitRangePrinter, opts), [printerRow(limitRangePrinter, limitRange, opts)])).toBe(
      ["NAME     CREATED AT", "limits   2026-01-01T00:00:00Z"].join("\n"),
    );
  });

  it("describes a row for each resource of each item, - where the item sets nothing", async () => {
    expect(await limitRangeDescriber.sections?.(limitRange, { get: async () => undefined, list: async () => [] })).toEqual([
      "Name:             limits",
      "Namespace:        default",
      "Type        Resource   Min   Max   Default Request   Default Limit   Max Limit/Request Ratio",
      "----        --------   ---   ---   ---------------   -------------   -----------------------",
      "Container   cpu        -     1     100m              500m            -",
      "Container   memory     -     -     64Mi              128Mi           -",
    ]);
  });
});
