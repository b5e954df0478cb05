/** `capctl get configmaps`: how many keys it holds (printers.go printConfigMap). */
import { age } from "@capstan/apimachinery";
import { ConfigMap } from "../../gen/capstan/v1/core.js";
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";

export const configMapPrinter: KindPrinter = {
  headers: ["NAME", "DATA", "AGE"],
  row: (object, now) => {
    const cm = ConfigMap.fromJSON(object);
    const keys = Object.keys(cm.data).length + Object.keys(cm.binaryData).length;
    return [textOr(valueAt(object, "metadata", "name")), String(keys), age(valueAt(object, "metadata", "creationTimestamp"), now)];
  },
};
