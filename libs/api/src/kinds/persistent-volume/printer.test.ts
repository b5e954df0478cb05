import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { accessModesText, persistentVolumePrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };
const meta = (name: string) => ({ name, creationTimestamp: created });

describe("persistent volume table", () => {
  it.each([
    { name: "one mode", modes: ["ReadWriteOnce"], text: "RWO" },
    { name: "kubectl's order, not the written one", modes: ["ReadWriteMany", "ReadOnlyMany", "ReadWriteOnce"], text: "RWO,ROX,RWX" },
    { name: "once per pod", modes: ["ReadWriteOncePod"], text: "RWOP" },
    { name: "none", modes: [], text: "" },
  ])("abbreviates access modes: $name", ({ modes, text }) => {
    expect(accessModesText(modes)).toBe(text);
  });

  it("prints volumes as kubectl, bound and not", () => {
    const pv = {
      metadata: meta("pv"),
      spec: { capacity: { storage: "10Gi" }, accessModes: ["ReadWriteOnce"], persistentVolumeReclaimPolicy: "Retain", storageClassName: "ssd", claimRef: { namespace: "default", name: "pvc" } },
      status: { phase: "Bound" },
    };
    const spare = { metadata: meta("spare"), spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteMany"], persistentVolumeReclaimPolicy: "Retain" }, status: { phase: "Available" } };
    expect(formatTable(printerColumns(persistentVolumePrinter, opts), [printerRow(persistentVolumePrinter, pv, opts), printerRow(persistentVolumePrinter, spare, opts)])).toBe(
      [
        "NAME    CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM         STORAGECLASS   AGE",
        "pv      10Gi       RWO            Retain           Bound       default/pvc   ssd            65s",
        "spare   1Gi        RWX            Retain           Available                                65s",
      ].join("\n"),
    );
  });
});
