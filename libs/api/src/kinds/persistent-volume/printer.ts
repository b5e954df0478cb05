/** `capctl get persistentvolumes`: capacity, access modes, reclaim policy, phase and claim (printers.go printPersistentVolume). */
import { age } from "@capstan/apimachinery";
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";

/** kubectl's GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, whatever order they were written in. */
export function accessModesText(modes: unknown): string {
  const list = Array.isArray(modes) ? modes : [];
  const abbreviations: Array<[string, string]> = [
    ["ReadWriteOnce", "RWO"],
    ["ReadOnlyMany", "ROX"],
    ["ReadWriteMany", "RWX"],
    ["ReadWriteOncePod", "RWOP"],
  ];
  return abbreviations
    .filter(([mode]) => list.includes(mode))
    .map(([, short]) => short)
    .join(",");
}

export const persistentVolumePrinter: KindPrinter = {
  headers: ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS", "AGE"],
  wideHeaders: ["VOLUMEMODE"],
  row(pv, now) {
    const claimRef = valueAt(pv, "spec", "claimRef");
    const claim = claimRef ? `${textOr(valueAt(claimRef, "namespace"), "")}/${textOr(valueAt(claimRef, "name"), "")}` : "";
    return [
      textOr(valueAt(pv, "metadata", "name")),
      textOr(valueAt(pv, "spec", "capacity", "storage"), ""),
      accessModesText(valueAt(pv, "spec", "accessModes")),
      textOr(valueAt(pv, "spec", "persistentVolumeReclaimPolicy"), ""),
      textOr(valueAt(pv, "status", "phase"), ""),
      claim,
      textOr(valueAt(pv, "spec", "storageClassName"), ""),
      age(valueAt(pv, "metadata", "creationTimestamp"), now),
    ];
  },
  wide: (pv) => [textOr(valueAt(pv, "spec", "volumeMode"))],
};
