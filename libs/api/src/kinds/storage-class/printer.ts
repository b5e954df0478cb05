/** `capctl get storageclasses`: provisioner, reclaim policy and binding mode (printers.go printStorageClass). */
import { age, type JsonObject } from "@capstan/apimachinery";
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";
import { BINDING_IMMEDIATE, RECLAIM_DELETE, isDefaultStorageClass } from "./storage-classes.js";

/** The class's name, with kubectl's " (default)" when it is the default class. */
const nameCell = (sc: JsonObject): string => `${textOr(valueAt(sc, "metadata", "name"))}${isDefaultStorageClass(sc) ? " (default)" : ""}`;

export const storageClassPrinter: KindPrinter = {
  headers: ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"],
  row: (sc, now) => [
    nameCell(sc),
    textOr(sc["provisioner"]),
    textOr(sc["reclaimPolicy"], RECLAIM_DELETE),
    textOr(sc["volumeBindingMode"], BINDING_IMMEDIATE),
    String(sc["allowVolumeExpansion"] === true),
    age(valueAt(sc, "metadata", "creationTimestamp"), now),
  ],
};
