import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { deploymentPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;

describe("deployment table", () => {
  const template = {
    metadata: { labels: { app: "web" } },
    spec: { containers: [{ name: "web", image: "nginx:1.27" }, { name: "sidecar", image: "busybox" }] },
  };
  const meta = { name: "web", namespace: "default", creationTimestamp: created };
  const table = (o: Record<string, unknown>, wide = false) => {
    const opts = { wide, withNamespace: false, now };
    return formatTable(printerColumns(deploymentPrinter, opts), [printerRow(deploymentPrinter, o, opts)]);
  };

  it("prints a Deployment as kubectl does, wide adds CONTAINERS, IMAGES and SELECTOR", () => {
    const deployment = {
      metadata: meta,
      spec: { replicas: 3, selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] }, template },
      status: { replicas: 4, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3 },
    };
    expect(table(deployment, true)).toBe(
      [
        "NAME   READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS    IMAGES               SELECTOR",
        "web    3/3     2            3           65s   web,sidecar   nginx:1.27,busybox   app=web,tier notin (db)",
      ].join("\n"),
    );
  });

  it("prints a new Deployment, without status, as 0/N", () => {
    expect(table({ metadata: meta, spec: { replicas: 2, template } })).toBe(
      ["NAME   READY   UP-TO-DATE   AVAILABLE   AGE", "web    0/2     0            0           65s"].join("\n"),
    );
  });
});
