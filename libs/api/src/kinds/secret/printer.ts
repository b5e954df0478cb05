/** `capctl get secrets`: its type and how many keys it holds (printers.go printSecret). */
import { age } from "@capstan/apimachinery";
import { Secret } from "../../gen/capstan/v1/core.js";
import { textOr, valueAt } from "../../printing/cells.js";
import type { KindPrinter } from "../kind-printer.js";

export const secretPrinter: KindPrinter = {
  headers: ["NAME", "TYPE", "DATA", "AGE"],
  row: (object, now) => {
    const secret = Secret.fromJSON(object);
    return [textOr(secret.metadata?.name), textOr(secret.type), String(Object.keys(secret.data).length), age(valueAt(object, "metadata", "creationTimestamp"), now)];
  },
};
