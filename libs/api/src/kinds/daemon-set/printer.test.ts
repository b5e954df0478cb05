import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { daemonSetPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;

describe("daemon set table", () => {
  const table = (o: Record<string, unknown>, wide = false) => {
    const opts = { wide, withNamespace: false, now };
    return formatTable(printerColumns(daemonSetPrinter, opts), [printerRow(daemonSetPrinter, o, opts)]);
  };
  const ds = (nodeSelector?: Record<string, string>) => ({
    metadata: { name: "log-shipper", namespace: "default", creationTimestamp: created },
    spec: {
      selector: { matchLabels: { app: "log-shipper" } },
      template: { metadata: { labels: { app: "log-shipper" } }, spec: { ...(nodeSelector ? { nodeSelector } : {}), containers: [{ name: "shipper", image: "busybox" }] } },
    },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 1, numberAvailable: 2 },
  });

  it("prints a DaemonSet as kubectl 1.32 does, wide adds CONTAINERS, IMAGES and SELECTOR", () => {
    expect(table(ds({ zone: "a", disk: "ssd" }), true)).toBe(
      [
        "NAME          DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR     AGE   CONTAINERS   IMAGES    SELECTOR",
        "log-shipper   3         3         2       1            2           disk=ssd,zone=a   65s   shipper      busybox   app=log-shipper",
      ].join("\n"),
    );
  });

  it("prints <none> without a node selector", () => {
    expect(table(ds())).toContain("<none>");
  });
});
