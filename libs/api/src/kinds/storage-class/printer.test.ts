import { describe, expect, it } from "vitest";
import { formatTable, printerColumns, printerRow } from "../../printing/table.js";
import { storageClassPrinter } from "./printer.js";

const created = "2026-01-01T00:00:00.000Z";
const now = Date.parse(created) + 65_000;
const opts = { wide: false, withNamespace: false, now };

describe("storage class table", () => {
  it("prints classes as kubectl, the default one marked", () => {
    const localPath = {
      metadata: { name: "local-path", creationTimestamp: created, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: "capstan.io/local-path",
      reclaimPolicy: "Delete",
      volumeBindingMode: "WaitForFirstConsumer",
    };
    const kept = { metadata: { name: "kept", creationTimestamp: created }, provisioner: "capstan.io/local-path", reclaimPolicy: "Retain", volumeBindingMode: "Immediate", allowVolumeExpansion: true };
    expect(formatTable(printerColumns(storageClassPrinter, opts), [printerRow(storageClassPrinter, localPath, opts), printerRow(storageClassPrinter, kept, opts)])).toBe(
      [
        "NAME                   PROVISIONER             RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE",
        "local-path (default)   capstan.io/local-path   Delete          WaitForFirstConsumer   false                  65s",
        "kept                   capstan.io/local-path   Retain          Immediate              true                   65s",
      ].join("\n"),
    );
  });
});
