import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { persistentVolumeClaimPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };
const meta = (name: string) => ({ name, creationTimestamp: created });

describe("persistent volume claim table", () => {
  it("prints claims as kubectl, bound and not", () => {
    const pvc = {
      metadata: meta("pvc"),
      spec: { accessModes: ["ReadWriteOnce"], storageClassName: "ssd", volumeName: "pv" },
      status: { phase: "Bound", capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce"] },
    };
    const pending = { metadata: meta("waiting"), spec: { accessModes: ["ReadWriteOnce"], storageClassName: "ssd" }, status: { phase: "Pending" } };
    expect(formatTable(printerColumns(persistentVolumeClaimPrinter, opts), [printerRow(persistentVolumeClaimPrinter, pvc, opts), printerRow(persistentVolumeClaimPrinter, pending, opts)])).toBe(
      [
        "NAME      STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   AGE",
        "pvc       Bound     pv       10Gi       RWO            ssd            65s",
        "waiting   Pending                                      ssd            65s",
      ].join("\n"),
    );
  });
});
