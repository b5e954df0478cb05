import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { resourceQuotaDescriber } from "./describe.js";
import { resourceQuotaPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };
const hard = { pods: "10", "requests.cpu": "2", "limits.memory": "1Gi" };
const quota = {
  metadata: { name: "compute", namespace: "default", creationTimestamp: created },
  spec: { hard },
  status: { hard, used: { pods: "3", "requests.cpu": "500m", "limits.memory": "256Mi" } },
};

describe("resource quota table and description", () => {
  it("prints used/hard as kubectl: limits.* under LIMIT, the rest under REQUEST", () => {
    expect(formatTable(printerColumns(resourceQuotaPrinter, opts), [printerRow(resourceQuotaPrinter, quota, opts)])).toBe(
      ["NAME      AGE   REQUEST                            LIMIT", "compute   65s   pods: 3/10, requests.cpu: 500m/2   limits.memory: 256Mi/1Gi"].join("\n"),
    );
  });

  it("describes each resource's used and hard", async () => {
    expect(await resourceQuotaDescriber.sections?.(quota, { get: async () => undefined, list: async () => [] })).toEqual([
      "Name:             compute",
      "Namespace:        default",
      "Resource        Used    Hard",
      "--------        ----    ----",
      "limits.memory   256Mi   1Gi",
      "pods            3       10",
      "requests.cpu    500m    2",
    ]);
  });
});
