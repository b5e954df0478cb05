/** `capctl get persistentvolumeclaims`: phase, volume, and the bound volume's capacity and access modes (printers.go printPersistentVolumeClaim). */
import { age } from "@capstan/apimachinery";
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";
import { accessModesText } from "../persistent-volume/printer.js";

export const persistentVolumeClaimPrinter: KindPrinter = {
  headers: ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "AGE"],
  wideHeaders: ["VOLUMEMODE"],
  row(pvc, now) {
    // As kubectl: capacity and access modes are the bound volume's, so an unbound claim shows none.
    const bound = textOr(valueAt(pvc, "spec", "volumeName"), "") !== "";
    return [
      textOr(valueAt(pvc, "metadata", "name")),
      textOr(valueAt(pvc, "status", "phase"), ""),
      textOr(valueAt(pvc, "spec", "volumeName"), ""),
      bound ? textOr(valueAt(pvc, "status", "capacity", "storage"), "") : "",
      bound ? accessModesText(valueAt(pvc, "status", "accessModes")) : "",
      textOr(valueAt(pvc, "spec", "storageClassName"), ""),
      age(valueAt(pvc, "metadata", "creationTimestamp"), now),
    ];
  },
  wide: (pvc) => [textOr(valueAt(pvc, "spec", "volumeMode"))],
};
